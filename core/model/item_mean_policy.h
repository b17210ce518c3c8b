#pragma once
// ItemMeanPolicy: the item-mean baseline — rank items by their mean training reward, shrunk toward the
// global mean so that an item with one 5-star rating does not top the list:
//
//   score_i = (Σ_{t: item i} w_t·r_t + k·μ) / (Σ_{t: item i} w_t + k),   μ = Σ_t w_t·r_t / Σ_t w_t
//
// with weights scaled to mean 1 over the training targets, so the prior strength k (default 10) is a number
// of pseudo-targets. At λ = ∞ (or `uniform`) this is the plain shrunk item mean the RLHF literature reports
// as a strong baseline; a tilting scheme makes it a weighted mean. Ties (e.g. every unlogged item sits at μ)
// are broken by training count, then by lower id; scores are the negated dense rank of that order, so ties
// and near-ties survive the float conversion exactly. Fitted in O(items × levels). Immutable, thread-safe.
#include <cstdint>
#include <vector>

#include "eval/scorer.h"
#include "weighting/reward_level_table.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

class ItemMeanPolicy final : public Scorer {
  public:
    static constexpr double kDefaultPriorStrength = 10.0;

    // Throws Error for an invalid scheme, a filter that keeps no target, or a prior strength < 0 or not
    // finite (0 = no shrinkage; unlogged items then score the global mean).
    ItemMeanPolicy(const RewardLevelTable& levels, const WeightScheme& scheme,
                   double priorStrength = kDefaultPriorStrength);

    int32_t numItems() const override { return static_cast<int32_t>(m_shrunkMean.size()); }
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override;

    double shrunkMean(int32_t item) const { return m_shrunkMean[static_cast<size_t>(item)]; }
    const std::vector<double>& shrunkMeans() const { return m_shrunkMean; }
    double globalMean() const { return m_globalMean; }
    double priorStrength() const { return m_priorStrength; }
    const std::vector<int32_t>& ranking() const { return m_ranking; }  // best first

  private:
    double m_priorStrength = kDefaultPriorStrength;
    double m_globalMean = 0.0;
    std::vector<double> m_shrunkMean;
    std::vector<int32_t> m_ranking;
    std::vector<float> m_score;
};

}  // namespace tiltbench
