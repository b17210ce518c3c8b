#include "model/level_mass.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tiltbench {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxTabulatedLevels = 256;
constexpr size_t kLogCountTable = 4096;

// w_level / w_top from log weights; only used with w_top ≥ w_level, so it never overflows.
double directRatio(double logTop, double logLevel) {
    if (logLevel == -kInf || logTop == -kInf) {
        return 0.0;
    }
    return std::exp(logLevel - logTop);
}

}  // namespace

LevelMass::LevelMass(const RewardLevelTable& levels, const WeightScheme& scheme)
    : m_schemeWeights(levels.levelWeights(scheme)), m_numLevels(levels.numLevels()) {
    // Shift to mean 1: log N − log Σ_l count_l·w_l.
    const auto& count = levels.levelCount();
    double logMax = -kInf;
    for (const double v : m_schemeWeights.logWeight) {
        logMax = std::max(logMax, v);
    }
    double sum = 0.0;
    for (size_t l = 0; l < m_numLevels; ++l) {
        const double v = m_schemeWeights.logWeight[l];
        if (v > -kInf) {
            sum += static_cast<double>(count[l]) * std::exp(v - logMax);
        }
    }
    const double shift = std::log(static_cast<double>(levels.numTargets())) - (logMax + std::log(sum));
    m_logWeight = m_schemeWeights.logWeight;
    for (auto& v : m_logWeight) {
        if (v > -kInf) {
            v += shift;
        }
    }
    if (m_numLevels <= kMaxTabulatedLevels) {
        m_ratio.resize(m_numLevels * m_numLevels);
        for (size_t k = 0; k < m_numLevels; ++k) {
            for (size_t l = 0; l < m_numLevels; ++l) {
                m_ratio[k * m_numLevels + l] = directRatio(m_logWeight[k], m_logWeight[l]);
            }
        }
    }
    m_logCount.resize(kLogCountTable);
    for (size_t c = 1; c < kLogCountTable; ++c) {
        m_logCount[c] = std::log(static_cast<double>(c));
    }
}

double LevelMass::ratio(int32_t top, int32_t level) const {
    if (!m_ratio.empty()) {
        return m_ratio[static_cast<size_t>(top) * m_numLevels + static_cast<size_t>(level)];
    }
    return directRatio(m_logWeight[static_cast<size_t>(top)], m_logWeight[static_cast<size_t>(level)]);
}

double LevelMass::logMass(const Cell* begin, const Cell* end) const {
    if (begin == end) {
        return -kInf;
    }
    if (end - begin == 1) {  // the common case: one transition, one rating
        const double lw = m_logWeight[static_cast<size_t>(begin->level)];
        if (lw == -kInf) {
            return -kInf;
        }
        const auto c = static_cast<size_t>(begin->count);
        return lw + (c < kLogCountTable ? m_logCount[c] : std::log(static_cast<double>(c)));
    }
    int32_t top = begin->level;
    for (const Cell* c = begin + 1; c != end; ++c) {
        if (m_logWeight[static_cast<size_t>(c->level)] > m_logWeight[static_cast<size_t>(top)]) {
            top = c->level;
        }
    }
    const double lt = m_logWeight[static_cast<size_t>(top)];
    if (lt == -kInf) {
        return -kInf;
    }
    double sum = 0.0;
    for (const Cell* c = begin; c != end; ++c) {
        sum += static_cast<double>(c->count) * ratio(top, c->level);
    }
    return lt + std::log(sum);
}

}  // namespace tiltbench
