#pragma once
// Post-training's precondition (--init-from RUN): the parent must be a finished SASRec run of the same
// dataset, split and architecture as the run about to start. Checked before that run is recorded or trained,
// from the parent's stored record alone (torch-free); loading the parent's checkpoint is the trainer's
// business.
#include <cstdint>
#include <string>

#include "eval/split.h"
#include "store/dataset_info.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {

class Workspace;

// The finished SASRec run `runId` of `dataset` trained on `split`, its stored config: an Error
// "<option> RUN: <why>" when the workspace has no such run, or it is of another model, not done, of another
// dataset or split. Shared by post-training (--init-from) and the reward head (--state-run).
SasrecRunConfig checkFinishedSasrecRun(Workspace& ws, const DatasetInfo& dataset, const Split& split,
                                       int64_t runId, const std::string& option, const std::string& purpose);

// Throws Error "--init-from RUN: <why>" when `config.initFrom` names no run, a run of another model, one not
// done, another dataset or split, or another architecture (dim, blocks, heads, max length, items). Does
// nothing when config.initFrom is 0.
void checkPostTrainingParent(Workspace& ws, const DatasetInfo& dataset, const Split& split,
                             const SasrecRunConfig& config);

}  // namespace tiltbench
