#pragma once
// Over-optimisation made visible (issue 16): per epoch of a post-training run, on the validation targets
// (one context per user: the history before the target), the proxy reward — the reward model's mean r̂ over
// the policy's top-K, the user's history removed as in evaluation — and the exact KL(π ‖ π_ref) of the
// policy's softmax over the catalogue (history removed) to the reference policy's, averaged over users. With
// the simulator's truth, the evaluator's true_reward@10 of the same top-10 is the third curve. Torch-free:
// the policies are Scorers.
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "data/interaction_log.h"
#include "eval/scorer.h"
#include "eval/split.h"
#include "reward/reward_model.h"

namespace tiltbench {

struct PolicyFigures {
    double proxyReward = std::numeric_limits<double>::quiet_NaN();  // NaN without a reward model
    double kl = std::numeric_limits<double>::quiet_NaN();           // NaN without a reference
};

// A Scorer that passes through to `inner` and keeps what it returns per (user, history length); asked again
// for the same contexts it answers from memory. The trainer validates through it and then measures the
// diagnostics on it, so both share one forward pass per epoch (clear() when the model changes).
class ScoreRecorder : public Scorer {
  public:
    explicit ScoreRecorder(const Scorer& inner) : m_inner(inner) {}
    int32_t numItems() const override { return m_inner.numItems(); }
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override;
    void clear();

  private:
    const Scorer& m_inner;
    mutable std::mutex m_mutex;
    struct Row {
        std::vector<float> scores;  // the catalogue
        size_t filled = 0;          // items scored so far (an evaluator may ask in chunks of the catalogue)
    };
    mutable std::map<std::pair<int32_t, int64_t>, Row> m_rows;
};

class PolicyDiagnostics {
  public:
    // `reference` and `reward` may be null (that figure is then NaN); both must outlive this object, as must
    // log and split. The reference's log-probabilities are computed once, on the first measure().
    // `subset`: indices into split.targets(set) to measure on (Evaluator::selectedTargets: the users a
    // sampled validation ranks); empty = every target of the set. Out-of-range indices throw Error.
    PolicyDiagnostics(const InteractionLog& log, const Split& split, EvalSet set, const Scorer* reference,
                      const RewardModel* reward, int k = 10, const std::vector<size_t>& subset = {});
    PolicyFigures measure(const Scorer& policy);

  private:
    // Per user of the set: the log-softmax of `scorer`'s scores over the catalogue, history at −inf.
    void logSoftmaxRows(const Scorer& scorer, size_t first, size_t count, std::vector<float>& out) const;

    const InteractionLog& m_log;
    std::vector<EvalTarget> m_targets;  // the set's targets, or the subset's
    const Scorer* m_reference;
    const RewardModel* m_reward;
    int m_k;
    int32_t m_numItems;
    std::vector<float> m_referenceLogp;  // targets × items, filled on first use
};

}  // namespace tiltbench
