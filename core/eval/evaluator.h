#pragma once
// Evaluator: judges any Scorer on a split's validation or test targets with one fixed protocol — every
// catalogue item is a candidate (full ranking, no sampled negatives), the user's earlier items are removed
// (never the target), ties count against the model — and returns an EvalResult holding the per-user value of
// every per-user metric, the list-level popularity metrics and their bootstrap intervals. Built once per
// (log, split): it precomputes the training item statistics and the random-exposure test set, so a λ sweep
// evaluates many models against the same figures. The heavy pass is eval/catalog_ranker.h (batched,
// multithreaded, chunked over the catalogue); formulas are in eval/metrics.h. The log and split are held by
// reference and must outlive the Evaluator. `evaluate` is const and may run from several threads at once.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/progress.h"
#include "data/interaction_log.h"
#include "eval/bootstrap.h"
#include "eval/eval_result.h"
#include "eval/metrics.h"
#include "eval/scorer.h"
#include "eval/split.h"

namespace tiltbench {

// The evaluation options of a run, checked before the run is recorded (and again by Evaluator): every K in
// 1..limits::kMaxK and none twice, bootstrap resamples in 0..limits::kMaxBootstrapResamples, threads in
// 0..kMaxEvalThreads. Throws Error naming the option and the allowed range.
constexpr int kMaxEvalThreads = 4096;
void validateEvalOptions(const std::vector<int>& ks, int bootstrapResamples, int threads);

// E[reward | user, item] under a known ground truth, dense ids; e.g. a lambda around
// GroundTruth::expectedReward. Called from the evaluating thread only.
using TrueRewardFunction = std::function<double(int32_t user, int32_t item)>;

struct EvalConfig {
    std::vector<int> ks{10, 20};
    std::optional<double> highThreshold;  // default: the log's maximum reward (the top rating)
    double itemMeanPriorStrength = 10.0;  // α of item_mean_reward
    double headShare = 0.2;               // share of items (by training count) that is not long tail
    TrueRewardFunction trueReward;        // empty: no true_reward metric
    bool randomExposure = true;           // random_ndcg on test targets when the log has a random test set

    int32_t batchSize = 256;
    int32_t chunkSize = 8192;
    int threads = 0;  // 0 = hardware_concurrency; results do not depend on it

    int64_t sampleUsers = 0;  // > 0: a fixed seeded sample of this many users (live views); 0 = all
    uint64_t sampleSeed = 42;

    BootstrapConfig bootstrap;  // resamples = 0 turns intervals off (the fastest live setting)
};

class Evaluator {
  public:
    // Throws Error for a bad config (no or non-positive K, prior < 0, head share outside [0, 1], …) or a
    // split made from another catalogue.
    Evaluator(const InteractionLog& log, const Split& split, EvalConfig config = {});

    const EvalConfig& config() const { return m_config; }
    const ItemStatistics& itemStatistics() const { return m_stats; }
    double highThreshold() const { return m_highThreshold; }

    // Users of `set` that evaluate() scores (the seeded sample when one is configured), ascending.
    std::vector<int32_t> evaluatedUsers(EvalSet set) const;
    // The same users as indices into split.targets(set), ascending.
    std::vector<size_t> selectedTargets(EvalSet set) const;

    // Progress: stage "ranking", unit "users", reported on the calling thread; returning false cancels
    // (throws Cancelled). Rethrows what the scorer throws.
    EvalResult evaluate(const Scorer& scorer, EvalSet set, const ProgressCallback& progress = {}) const;

  private:
    const InteractionLog& m_log;
    const Split& m_split;
    EvalConfig m_config;
    ItemStatistics m_stats;
    double m_highThreshold = 0.0;
    double m_minReward = 0.0;
    int m_kMax = 0;
    // The random test set per user, CSR over users.
    std::vector<int64_t> m_randomOffsets;
    std::vector<int32_t> m_randomItems;
    std::vector<double> m_randomRewards;
};

}  // namespace tiltbench
