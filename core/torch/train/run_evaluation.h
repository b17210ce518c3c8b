#pragma once
// reevaluateRun: measures a recorded run again on its own split — a closed-form run is refitted from its
// stored config (the fit is deterministic, so the figures come out as recorded), a SASRec run is scored
// from its best checkpoint. It checks first that the dataset still yields the split the run was trained on
// (the stored split hash), so a figure is never silently computed on other data. Nothing is written: the
// recorded run stays as it was. `tiltbench-cli eval` calls it; the GUI's Compare page can later.
#include <cstdint>
#include <string>

#include "common/progress.h"
#include "eval/eval_result.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace tiltbench {

struct RunEvaluation {
    RunRecord run;
    std::string dataset;        // name
    std::string weightingJson;  // WeightScheme::toJson of the run's scheme
    int checkpointEpoch = 0;    // SASRec: the epoch of the scored checkpoint; 0 for closed-form runs
    EvalResult valid;
    EvalResult test;
    double seconds = 0.0;
};

// Throws Error when the run is absent, has nothing to evaluate (a closed-form run that did not finish; a
// SASRec run without a checkpoint), or its dataset no longer gives the recorded split. `device` and
// `threads` only matter for SASRec runs; threads 0 = the count the run was trained with.
RunEvaluation reevaluateRun(Workspace& ws, int64_t runId, const std::string& device = "cpu", int threads = 0,
                            const ProgressCallback& progress = {});

}  // namespace tiltbench
