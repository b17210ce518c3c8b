#pragma once
// PopularityPolicy: the closed-form weighted-maximum-likelihood optimum of a model with no user context,
// π(i) ∝ Σ_{training targets t with item i} w_t — plain popularity at λ = ∞, and at small λ the items with
// the most high-reward targets. Fitted from a RewardLevelTable in O(items × levels) (no pass over the
// targets), so the λ Explorer refits it at every slider move. Scores are the dense rank of π (0 best, ties
// share a rank, negated so higher is better): exact at any λ, including where π itself underflows a double or
// its log has too few float digits. Immutable and thread-safe.
#include <cstdint>
#include <vector>

#include "eval/scorer.h"
#include "weighting/reward_level_table.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

class PopularityPolicy final : public Scorer {
  public:
    // Throws Error for an invalid scheme or a filter that keeps no target.
    PopularityPolicy(const RewardLevelTable& levels, const WeightScheme& scheme);

    int32_t numItems() const override { return static_cast<int32_t>(m_logProbability.size()); }
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override;

    // log π(i); −inf for items without weight (never logged in training, or dropped by a filter).
    double logProbability(int32_t item) const { return m_logProbability[static_cast<size_t>(item)]; }
    const std::vector<double>& logProbabilities() const { return m_logProbability; }
    // Items best first (ties: lower id first).
    const std::vector<int32_t>& ranking() const { return m_ranking; }

  private:
    std::vector<double> m_logProbability;
    std::vector<int32_t> m_ranking;
    std::vector<float> m_score;
};

}  // namespace tiltbench
