#include "model/popularity_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/error.h"
#include "model/level_mass.h"

namespace tiltbench {

PopularityPolicy::PopularityPolicy(const RewardLevelTable& levels, const WeightScheme& scheme) {
    const LevelMass mass(levels, scheme);
    const auto numItems = static_cast<size_t>(levels.numItems());
    const auto& offsets = levels.itemOffsets();
    const auto* cells = levels.cells().data();
    // Weights have mean 1, so the total mass is N and log π(i) = log m_i − log N.
    const double logTotal = std::log(static_cast<double>(levels.numTargets()));
    m_logProbability.resize(numItems);
    for (size_t i = 0; i < numItems; ++i) {
        m_logProbability[i] = mass.logMass(cells + offsets[i], cells + offsets[i + 1]) - logTotal;
    }
    // Sorting (−log π, id) pairs directly: about twice as fast as an indirect comparator on 50k items, and
    // the id breaks ties exactly as a stable sort would.
    std::vector<std::pair<double, int32_t>> order(numItems);
    for (size_t i = 0; i < numItems; ++i) {
        order[i] = {-m_logProbability[i], static_cast<int32_t>(i)};
    }
    std::sort(order.begin(), order.end());
    m_ranking.resize(numItems);
    for (size_t k = 0; k < numItems; ++k) {
        m_ranking[k] = order[k].second;
    }
    m_score.resize(numItems);
    int64_t rank = 0;
    for (size_t k = 0; k < numItems; ++k) {
        const auto item = static_cast<size_t>(m_ranking[k]);
        if (k > 0 && m_logProbability[item] != m_logProbability[static_cast<size_t>(m_ranking[k - 1])]) {
            ++rank;
        }
        m_score[item] = -static_cast<float>(rank);
    }
}

void PopularityPolicy::score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                             float* out) const {
    if (itemBegin < 0 || itemEnd > numItems() || itemBegin > itemEnd) {
        throw Error(fmt::format("popularity policy: item slice [{}, {}) is outside the catalogue of {} items",
                                itemBegin, itemEnd, numItems()));
    }
    const auto width = static_cast<size_t>(itemEnd - itemBegin);
    for (size_t k = 0; k < users.size(); ++k) {
        std::copy(m_score.begin() + itemBegin, m_score.begin() + itemEnd, out + k * width);
    }
}

}  // namespace tiltbench
