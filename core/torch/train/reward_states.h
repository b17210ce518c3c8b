#pragma once
// The hidden states a sasrec-head reward model (reward/reward_model.h) is fitted on, read from a finished
// SASRec run's best checkpoint with its body frozen (eval mode, no gradient): for every training target the
// final-LayerNorm state of the step that predicts it, in the training window the SFT trains on (so the head
// sees each target through the same context, with the same positions, as the policy did); and for every user
// the state after the whole training history (the newest maxLen items), the context of the held-out targets.
// Torch-free header; built into tiltbench_core_torch.
#include <cstdint>

#include "common/progress.h"
#include "data/interaction_log.h"
#include "eval/split.h"
#include "reward/reward_model.h"
#include "store/dataset_info.h"

namespace tiltbench {

class Workspace;

// Checks run `runId` first (a finished SASRec or HSTU run of `info` trained on `split`, else an Error naming
// --state-run), then computes the states on the CPU; `log` is the log `split` was made from (HSTU reads its
// timestamps). Cancelled when `progress` returns false (stage "reading hidden states", one unit per window).
RewardStates sasrecRewardStates(Workspace& ws, int64_t runId, const DatasetInfo& info,
                                const InteractionLog& log, const Split& split,
                                const ProgressCallback& progress = {});

}  // namespace tiltbench
