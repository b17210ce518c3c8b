#pragma once
// RewardRun (issue 16): one recorded run of a reward model — load the dataset, split it as the recommenders
// are split, fit the model on the training split's logged rewards, judge it on the held-out validation and
// test targets (reward/reward_metrics.h), and record config, figures with their intervals and per-user values
// in the workspace. Its record's model is "reward:<kind>" (isRewardModelRun), so the recommender views
// (Compare, report, export, eval, post-training parents) leave it out. Torch-free.
#include <cstdint>
#include <functional>
#include <string>

#include "common/progress.h"
#include "eval/split.h"
#include "reward/reward_metrics.h"
#include "reward/reward_model.h"
#include "store/workspace.h"

namespace tiltbench {

struct RewardRunConfig {
    std::string dataset;
    SplitConfig split;
    RewardModelOptions model;       // model.seed is `seed`
    int bootstrapResamples = 1000;  // the figures' 95 % intervals (0 = none)
    uint64_t seed = 1;              // the factors' initial values and the bootstrap

    // Throws Error naming the option out of range (the model's options, --bootstrap).
    void validate() const;
    std::string toJson() const;
    // A stored config (untrusted): missing keys keep their defaults; Error names the field that does not
    // parse.
    static RewardRunConfig fromJson(const std::string& json);
};

struct RewardRunResult {
    int64_t runId = 0;
    RewardEvaluation valid;
    RewardEvaluation test;
    double objective = 0.0;  // the fit's final training objective (NaN for item-mean)
    double fitSeconds = 0.0;
    double totalSeconds = 0.0;
};

// "reward:item-mean", … — the model column of a reward-model run.
std::string rewardRunModelName(RewardModelKind kind);
// True for a run record's model column of a reward-model run.
bool isRewardModelRun(const std::string& model);

// A sasrec-head's hidden states (torch/train/reward_states.h: sasrecRewardStates), given to this torch-free
// code by the caller that links LibTorch. Called before the run is recorded, so a bad --state-run records
// nothing.
using RewardStatesFunction = std::function<RewardStates(
    Workspace& ws, int64_t stateRun, const DatasetInfo& info, const InteractionLog& log, const Split& split,
    const ProgressCallback& progress)>;

// Throws Error (recording the run as failed when it got that far) or Cancelled (recorded as cancelled). A
// sasrec-head needs `states`; without it, an Error before anything is recorded.
RewardRunResult runRewardModel(Workspace& ws, const RewardRunConfig& config,
                               const ProgressCallback& progress = {},
                               const RewardStatesFunction& states = {});

}  // namespace tiltbench
