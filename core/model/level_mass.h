#pragma once
// LevelMass: the weighted count of a set of (reward level, count) cells — Σ count·w_level — in log space, as
// the closed-form policies need it for items (popularity), transitions (Markov) and rows. Log space because
// at small λ the weights of lower reward levels underflow a double (exp(−1e4)), and a policy must still
// order the items that only have lower-level targets correctly (the λ → 0 limit ranks lexicographically by
// reward level, then count). Weights are the scheme's, shifted so that their mean over the training targets
// is 1: the overall scale does not change any policy, and it lets smoothing and prior strengths be stated
// in "training targets". With ≤ 256 levels the pairwise weight ratios are tabulated once per fit, so a mass
// costs a multiply-add per cell and one log.
#include <cstdint>
#include <vector>

#include "weighting/reward_level_table.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

class LevelMass {
  public:
    using Cell = RewardLevelTable::Cell;

    LevelMass(const RewardLevelTable& levels, const WeightScheme& scheme);

    // log Σ count·w over the cells; −inf when every cell's weight is 0 (filtered) or there are none.
    double logMass(const Cell* begin, const Cell* end) const;
    // Mean-1 log weight of each level (−inf where a filter drops it).
    const std::vector<double>& logWeight() const { return m_logWeight; }
    // The scheme's own level weights (before the mean-1 shift).
    const LevelWeights& schemeWeights() const { return m_schemeWeights; }

  private:
    double ratio(int32_t top, int32_t level) const;  // w_level / w_top

    LevelWeights m_schemeWeights;
    std::vector<double> m_logWeight;
    size_t m_numLevels = 0;
    std::vector<double> m_ratio;     // numLevels² when tabulated, else empty
    std::vector<double> m_logCount;  // log k for small k
};

}  // namespace tiltbench
