#pragma once
// How good is a reward model (issue 16)? Judged on rewards it never saw:
//   • rmse, mae     over the split's held-out targets (leave-one-out: one validation and one test target per
//                   user), r̂(user, target item) against the logged reward;
//   • auc           the global pairwise AUC of those targets: over every pair of targets whose logged rewards
//                   differ, the share the model orders the same way (a tie in r̂ counts one half) — does it
//                   know which of two recommendations was liked more?
//   • auc_random    (datasets with a randomly exposed test set, e.g. Coat) the mean over users of the same
//                   pairwise AUC within the user's randomly exposed ratings — the unbiased view, free of the
//                   self-selection that decides which items get logged ratings;
//   • auc_true      (simulated datasets) the mean over users of the pairwise AUC of r̂ against the true
//   expected
//                   reward over the whole catalogue.
// Intervals: percentile bootstrap over users (seeded), the statistic recomputed on each resample; comparisons
// between two models resample the same users for both (paired). Torch-free and Qt-free.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/interaction_log.h"
#include "eval/split.h"
#include "reward/reward_model.h"

namespace tiltbench {

// Pairwise AUC of `predicted` against `actual` over the pairs whose actual values differ (concordance with
// ties in `predicted` counted one half); NaN when no pair differs. O(n log n). Sizes must match.
double pairwiseAuc(const std::vector<double>& predicted, const std::vector<double>& actual);

struct RewardHeldOut {
    std::vector<int32_t> users;     // ascending
    std::vector<double> predicted;  // per user: r̂(user, target)
    std::vector<double> actual;     // per user: the logged reward of the target
};

struct RewardFigure {
    std::string name;  // "rmse", "mae", "auc", "auc_random", "auc_true"
    double value = 0.0;
    double lo = 0.0, hi = 0.0;  // 95 % percentile bootstrap over users; NaN without resamples
    int64_t users = 0;          // users the figure is computed over
};

struct RewardEvaluation {
    std::string split;  // "valid" | "test"
    RewardHeldOut heldOut;
    // Per-user AUCs (users ascending, NaN-free: users without two distinct rewards are left out).
    std::vector<int32_t> randomUsers;
    std::vector<double> randomAuc;
    std::vector<int32_t> trueUsers;
    std::vector<double> trueAuc;
    std::vector<RewardFigure> figures;
    const RewardFigure* find(const std::string& name) const;
};

struct RewardEvalOptions {
    int bootstrapResamples = 1000;  // 0 = no intervals
    uint64_t seed = 1;
};

using ExpectedRewardFunction = std::function<double(int32_t user, int32_t item)>;

// Evaluates `model` on the split's `set` targets; auc_random on the test set when `log` has a randomly
// exposed test set; auc_true when `trueReward` is set (the simulator's ground truth).
RewardEvaluation evaluateRewardModel(const RewardModel& model, const InteractionLog& log, const Split& split,
                                     EvalSet set, const RewardEvalOptions& options,
                                     const ExpectedRewardFunction& trueReward = {},
                                     const ProgressCallback& progress = {});

struct RewardDifference {
    std::string name;
    double a = 0.0, b = 0.0, diff = 0.0;  // diff = a − b
    double lo = 0.0, hi = 0.0;            // paired bootstrap over the users both evaluated
    int64_t users = 0;
};

// a − b for every figure both evaluations have, resampling the same users for both. Throws Error unless both
// judged the same held-out targets (same users and logged rewards).
std::vector<RewardDifference> compareRewardModels(const RewardEvaluation& a, const RewardEvaluation& b,
                                                  const RewardEvalOptions& options);

}  // namespace tiltbench
