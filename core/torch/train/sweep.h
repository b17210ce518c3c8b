#pragma once
// Sweep: the method's main experiment — train the same model at a grid of weightings (λ for `exp`, and the
// λ-free schemes `uniform`, `linear`, `filter` once each), one recorded run after another, so the runs can be
// compared side by side (NDCG on high-reward targets, item-mean and true reward, popularity bias, against λ).
// Each run is an ordinary run (runClosedForm / runSasrec), recorded as it finishes; a sweep that stops early
// keeps the runs it finished. Torch-free header: the CLI's `sweep` and (later) the GUI's Train queue call it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "eval/eval_result.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct SweepConfig {
    std::string model;                  // popularity | markov | itemmean | sasrec
    ClosedFormRunConfig closedForm;     // every closed-form run's settings but its scheme
    SasrecRunConfig sasrec;             // every SASRec run's settings but its scheme
    std::vector<WeightScheme> schemes;  // one run each, in this order

    // The runs of `kinds` × `lambdas`: `exp` once per λ (in the given order), every other kind once (λ does
    // not apply to it); normalisation, clip, ε and threshold come from `base`. Duplicates are dropped. Throws
    // Error naming the bad λ or an empty grid.
    static std::vector<WeightScheme> grid(const WeightScheme& base, const std::vector<double>& lambdas,
                                          const std::vector<WeightKind>& kinds);
};

struct SweepRun {
    int64_t runId = 0;
    WeightScheme scheme;
    EvalResult valid;
    EvalResult test;
    int bestEpoch = 0;              // SASRec only
    double meanEpochSeconds = 0.0;  // SASRec: training pass per epoch; NaN for closed-form runs
    double seconds = 0.0;           // the whole run
};

struct SweepResult {
    std::vector<SweepRun> runs;  // finished runs, in order
    size_t planned = 0;
    bool stopped = false;           // keepGoing said no before the grid was done
    bool cancelledCurrent = false;  // …and the run under way was cancelled too (recorded as cancelled)
};

struct SweepCallbacks {
    std::function<bool()> keepGoing;  // asked before each run but the first; false stops the sweep there
    std::function<void(size_t index, size_t total, const WeightScheme&)> runStarting;
    std::function<void(const SweepRun&)> runDone;
    ProgressCallback progress;  // inside closed-form runs; false cancels the run
    std::function<bool(const TrainProgress&)> trainProgress;  // inside SASRec runs; false cancels the run
};

// Validates the whole grid and the model settings before the first run. A run cancelled through a progress
// callback ends the sweep (stopped and cancelledCurrent set, the finished runs returned); any other failure
// is thrown as Error after that run was recorded as failed.
SweepResult runSweep(Workspace& ws, const SweepConfig& config, const SweepCallbacks& callbacks = {});

}  // namespace tiltbench
