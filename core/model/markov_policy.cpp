#include "model/markov_policy.h"
#include "common/log_math.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "model/level_mass.h"

namespace tiltbench {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

float toScore(double logProbability) {
    // A zero probability ranks last but stays a finite float, as the evaluator expects of every score.
    constexpr double lowest = std::numeric_limits<float>::lowest();
    return logProbability > lowest ? static_cast<float>(logProbability) : static_cast<float>(lowest);
}

}  // namespace

MarkovPolicy::MarkovPolicy(std::shared_ptr<const TransitionTable> transitions, const RewardLevelTable& levels,
                           const WeightScheme& scheme, double smoothing)
    : m_transitions(std::move(transitions)), m_mass(levels, scheme), m_smoothing(smoothing) {
    if (!m_transitions) {
        throw Error("markov policy: no transition table");
    }
    if (!(smoothing > 0.0) || !std::isfinite(smoothing)) {
        throw Error(fmt::format("markov policy: smoothing must be a finite number > 0, got {}", smoothing));
    }
    if (m_transitions->numItems() != levels.numItems()) {
        throw Error(fmt::format("markov policy: transition table has {} items, reward level table {}",
                                m_transitions->numItems(), levels.numItems()));
    }
    m_logSmoothing = std::log(smoothing);
    const LevelMass& mass = m_mass;
    const auto numItems = static_cast<size_t>(levels.numItems());

    const double logTotal = std::log(static_cast<double>(levels.numTargets()));
    const auto& itemOffsets = levels.itemOffsets();
    const auto* itemCells = levels.cells().data();
    m_logPopularity.resize(numItems);
    for (size_t i = 0; i < numItems; ++i) {
        m_logPopularity[i] =
            mass.logMass(itemCells + itemOffsets[i], itemCells + itemOffsets[i + 1]) - logTotal;
    }

    const auto& t = *m_transitions;
    const auto* rowCells = t.rowCells().data();
    const auto& rowOffsets = t.rowOffsets();
    m_logDenominator.resize(numItems);
    for (size_t i = 0; i < numItems; ++i) {
        m_logDenominator[i] =
            logAddExp(mass.logMass(rowCells + rowOffsets[i], rowCells + rowOffsets[i + 1]), m_logSmoothing);
    }
}

double MarkovPolicy::logPairMass(size_t pair) const {
    const auto& t = *m_transitions;
    const auto* cells = t.cells().data();
    return m_mass.logMass(cells + t.pairOffsets()[pair], cells + t.pairOffsets()[pair + 1]);
}

double MarkovPolicy::logProbability(int32_t from, int32_t to) const {
    if (to < 0 || to >= numItems() || from < -1 || from >= numItems()) {
        throw Error(fmt::format("markov policy: transition {} → {} is outside the catalogue of {} items",
                                from, to, numItems()));
    }
    const double prior = m_logPopularity[static_cast<size_t>(to)];
    if (from < 0) {
        return prior;
    }
    const auto& t = *m_transitions;
    const auto b = t.pairDest().begin() + t.sourceOffsets()[static_cast<size_t>(from)];
    const auto e = t.pairDest().begin() + t.sourceOffsets()[static_cast<size_t>(from) + 1];
    const auto it = std::lower_bound(b, e, to);
    double numerator = m_logSmoothing + prior;
    if (it != e && *it == to) {
        numerator = logAddExp(logPairMass(static_cast<size_t>(it - t.pairDest().begin())), numerator);
    }
    return numerator - m_logDenominator[static_cast<size_t>(from)];
}

void MarkovPolicy::score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                         float* out) const {
    if (itemBegin < 0 || itemEnd > numItems() || itemBegin > itemEnd) {
        throw Error(fmt::format("markov policy: item slice [{}, {}) is outside the catalogue of {} items",
                                itemBegin, itemEnd, numItems()));
    }
    const auto width = static_cast<size_t>(itemEnd - itemBegin);
    const auto& t = *m_transitions;
    const auto& dest = t.pairDest();
    for (size_t k = 0; k < users.size(); ++k) {
        const UserContext& u = users[k];
        float* row = out + k * width;
        const int32_t from = u.historyLength > 0 ? u.history[u.historyLength - 1] : -1;
        if (u.historyLength > 0 && (from < 0 || from >= numItems())) {
            throw Error(
                fmt::format("markov policy: user {} has history item {} outside the catalogue of {} "
                            "items",
                            u.user, from, numItems()));
        }
        // Items never seen after `from` get the smoothing share α·π_pop(j) / (T_i + α).
        const double base = from >= 0 ? m_logSmoothing - m_logDenominator[static_cast<size_t>(from)] : 0.0;
        for (int32_t j = itemBegin; j < itemEnd; ++j) {
            row[j - itemBegin] = toScore(base + m_logPopularity[static_cast<size_t>(j)]);
        }
        if (from < 0) {
            continue;
        }
        const auto b = dest.begin() + t.sourceOffsets()[static_cast<size_t>(from)];
        const auto e = dest.begin() + t.sourceOffsets()[static_cast<size_t>(from) + 1];
        const double logDen = m_logDenominator[static_cast<size_t>(from)];
        for (auto it = std::lower_bound(b, e, itemBegin); it != e && *it < itemEnd; ++it) {
            const auto p = static_cast<size_t>(it - dest.begin());
            const auto j = static_cast<size_t>(*it);
            row[*it - itemBegin] =
                toScore(logAddExp(logPairMass(p), m_logSmoothing + m_logPopularity[j]) - logDen);
        }
    }
}

}  // namespace tiltbench
