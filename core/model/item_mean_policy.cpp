#include "model/item_mean_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/error.h"

namespace tiltbench {

ItemMeanPolicy::ItemMeanPolicy(const RewardLevelTable& levels, const WeightScheme& scheme,
                               double priorStrength)
    : m_priorStrength(priorStrength) {
    if (!(priorStrength >= 0.0) || !std::isfinite(priorStrength)) {
        throw Error(fmt::format("item-mean policy: prior strength must be a finite number ≥ 0, got {}",
                                priorStrength));
    }
    const LevelWeights lw = levels.levelWeights(scheme);
    const auto numLevels = levels.numLevels();
    const auto& count = levels.levelCount();
    const auto& reward = levels.levelReward();
    // Weights relative to the largest and rewards scaled into [−1, 1]: no sum below can overflow, whatever
    // λ and the reward magnitude. Means come back in reward units at the end.
    const double logMax = *std::max_element(lw.logWeight.begin(), lw.logWeight.end());
    const double scale = std::max({std::abs(reward.front()), std::abs(reward.back()), 1.0});
    std::vector<double> e(numLevels), er(numLevels);
    double mass = 0.0, rewardMass = 0.0;
    for (size_t l = 0; l < numLevels; ++l) {
        const double v = lw.logWeight[l];
        e[l] = v == -std::numeric_limits<double>::infinity() ? 0.0 : std::max(std::exp(v - logMax), DBL_MIN);
        er[l] = e[l] * (reward[l] / scale);
        mass += static_cast<double>(count[l]) * e[l];
        rewardMass += static_cast<double>(count[l]) * er[l];
    }
    const double mu = rewardMass / mass;
    m_globalMean = mu * scale;
    // k pseudo-targets of mean weight: in these relative units the mean weight is mass / N.
    const double prior = priorStrength * mass / static_cast<double>(levels.numTargets());

    const auto numItems = static_cast<size_t>(levels.numItems());
    const auto& offsets = levels.itemOffsets();
    const auto& cells = levels.cells();
    m_shrunkMean.resize(numItems);
    std::vector<double> scaled(numItems);
    for (size_t i = 0; i < numItems; ++i) {
        double m = 0.0, mr = 0.0;
        for (int64_t c = offsets[i]; c < offsets[i + 1]; ++c) {
            const auto& cell = cells[static_cast<size_t>(c)];
            m += static_cast<double>(cell.count) * e[static_cast<size_t>(cell.level)];
            mr += static_cast<double>(cell.count) * er[static_cast<size_t>(cell.level)];
        }
        const double den = m + prior;
        scaled[i] = den > 0.0 ? std::clamp((mr + prior * mu) / den, -1.0, 1.0) : mu;
        m_shrunkMean[i] = scaled[i] * scale;
    }

    const auto& itemCount = levels.itemCount();
    m_ranking.resize(numItems);
    std::iota(m_ranking.begin(), m_ranking.end(), 0);
    auto key = [&](int32_t i) {
        return std::make_pair(scaled[static_cast<size_t>(i)], itemCount[static_cast<size_t>(i)]);
    };
    std::stable_sort(m_ranking.begin(), m_ranking.end(),
                     [&](int32_t a, int32_t b) { return key(a) > key(b); });
    m_score.resize(numItems);
    int64_t rank = 0;
    for (size_t k = 0; k < numItems; ++k) {
        if (k > 0 && key(m_ranking[k]) != key(m_ranking[k - 1])) {
            ++rank;
        }
        m_score[static_cast<size_t>(m_ranking[k])] = -static_cast<float>(rank);
    }
}

void ItemMeanPolicy::score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                           float* out) const {
    if (itemBegin < 0 || itemEnd > numItems() || itemBegin > itemEnd) {
        throw Error(fmt::format("item-mean policy: item slice [{}, {}) is outside the catalogue of {} items",
                                itemBegin, itemEnd, numItems()));
    }
    const auto width = static_cast<size_t>(itemEnd - itemBegin);
    for (size_t k = 0; k < users.size(); ++k) {
        std::copy(m_score.begin() + itemBegin, m_score.begin() + itemEnd, out + k * width);
    }
}

}  // namespace tiltbench
