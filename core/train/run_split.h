#pragma once
// The split a recorded run was trained and evaluated on, rebuilt from the run's stored config (its split
// kind), and checked against the split hash the run recorded — so that a figure or an export is never
// silently made from other data. Shared by re-evaluation and export.
#include <cstdint>
#include <functional>
#include <string>

#include "common/progress.h"
#include "data/interaction_log.h"
#include "eval/split.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace tiltbench {

// Throws Error when the stored config is not a JSON object or names an unknown split, and when `log` (the
// dataset `datasetName` as it is now) gives another split than the recorded one; `consequence` ends that
// message ("so its figures cannot be reproduced").
Split recordedSplit(const InteractionLog& log, const RunRecord& run, const std::string& datasetName,
                    const std::string& consequence);

// How an in-process run starts (closed-form policies, reward models): the dataset's log, its split, and the
// run recorded as `model` with `configJson` (a JSON object) plus the split's hash and description, which
// recordedSplit checks later. `beforeRecord`, when given, runs on the log and split before the run is
// recorded (a check that throws leaves the workspace as it was).
struct StartedRun {
    InteractionLog log;
    Split split;
    int64_t runId = 0;
};
StartedRun startRunOnSplit(Workspace& ws, const DatasetInfo& info, const SplitConfig& splitConfig,
                           const std::string& model, const std::string& configJson,
                           const ProgressCallback& progress,
                           const std::function<void(const InteractionLog&, const Split&)>& beforeRecord = {});

}  // namespace tiltbench
