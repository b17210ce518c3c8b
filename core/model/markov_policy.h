#pragma once
// MarkovPolicy: the closed-form tilted first-order Markov policy. The weighted-maximum-likelihood optimum of
// "next item given the last item" is the weighted transition count; it is smoothed toward the tilted
// popularity policy with a Dirichlet prior:
//
//   π(j | i) = (T_ij + α·π_pop(j)) / (T_i + α),   T_ij = Σ_{training transitions i → j} w_t,  T_i = Σ_j T_ij
//
// with weights scaled to mean 1 over the training targets, so α (`smoothing`, default 1) is a number of
// pseudo-targets: a row with a handful of transitions leans on popularity, a busy row on its own counts.
// The user's last history item selects the row; an empty history, or an item never seen as a source, gives
// π_pop. Fitting costs O(items × levels) — popularity and the row normalisers; each T_ij is summed from
// its few level cells when a row is scored — so a refit at a new λ never touches the targets or the
// transition pairs, and the λ Explorer can refit on every slider move. Scores are log π(j | i) (float),
// computed in log space so that small λ, where weights underflow a double, still ranks by reward level.
// Immutable and thread-safe.
#include <cstdint>
#include <memory>
#include <vector>

#include "eval/scorer.h"
#include "model/level_mass.h"
#include "model/transition_table.h"
#include "weighting/reward_level_table.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

class MarkovPolicy final : public Scorer {
  public:
    static constexpr double kDefaultSmoothing = 1.0;

    // Throws Error for an invalid scheme, a filter that keeps no target, smoothing ≤ 0 or not finite, or
    // tables of different catalogues.
    MarkovPolicy(std::shared_ptr<const TransitionTable> transitions, const RewardLevelTable& levels,
                 const WeightScheme& scheme, double smoothing = kDefaultSmoothing);

    int32_t numItems() const override { return static_cast<int32_t>(m_logPopularity.size()); }
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override;

    // log π(to | from); from = −1 (no history) gives log π_pop(to). −inf where the probability is 0.
    double logProbability(int32_t from, int32_t to) const;
    double smoothing() const { return m_smoothing; }
    // The parts of log π(j | i), for export: log π_pop(j), and per source item the log share left to
    // popularity, log α − log(T_i + α), so that log π(j | i) = rowBase(i) + log π_pop(j) wherever i → j was
    // never seen in training.
    const std::vector<double>& logPopularity() const { return m_logPopularity; }
    double logRowBase(int32_t from) const {
        return m_logSmoothing - m_logDenominator[static_cast<size_t>(from)];
    }

  private:
    double logPairMass(size_t pair) const;  // log T_ij

    std::shared_ptr<const TransitionTable> m_transitions;
    LevelMass m_mass;
    double m_smoothing = kDefaultSmoothing;
    double m_logSmoothing = 0.0;
    std::vector<double> m_logPopularity;   // log π_pop(j)
    std::vector<double> m_logDenominator;  // log(T_i + α) per source item
};

}  // namespace tiltbench
