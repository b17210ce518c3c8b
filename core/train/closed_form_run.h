#pragma once
// ClosedFormRun: one recorded run of a closed-form tilted policy (popularity, markov, itemmean) — load the
// dataset, split it, weight the training targets, fit the policy in closed form, evaluate it on the
// validation and test targets with full-catalog ranking, and record config, metrics (with 95 % bootstrap
// intervals) and per-user values in the workspace. The CLI's `train` and the GUI's Train page (later) share
// it, so a run means the same thing wherever it was started.
#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "eval/eval_result.h"
#include "eval/evaluator.h"
#include "eval/split.h"
#include "model/closed_form_policy.h"
#include "store/workspace.h"
#include "train/run_config.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

// The shared fields (dataset, weighting, split, ks, bootstrap, seed = the bootstrap's, threads) are
// RunConfigBase's; defaults exp λ = 1 and seed 1.
struct ClosedFormRunConfig : RunConfigBase {
    ClosedFormRunConfig() : RunConfigBase(WeightScheme::exp(1.0), 1) {}

    PolicyKind model = PolicyKind::Markov;
    PolicyParams params;

    // Throws Error naming the option when a setting is out of range (weighting, K, bootstrap resamples,
    // threads, smoothing and prior strengths): runClosedForm calls it before anything is recorded.
    void validate() const;
    std::string toJson() const;
    // Reads what toJson wrote (a run's stored config); missing keys keep their defaults. Throws Error naming
    // the field that does not parse.
    static ClosedFormRunConfig fromJson(const std::string& json);
};

struct ClosedFormRunResult {
    int64_t runId = 0;
    EvalResult valid;
    EvalResult test;
    double fitSeconds = 0.0;
    double evalSeconds = 0.0;
    double totalSeconds = 0.0;
};

// Fits the policy on the split's training targets and evaluates it on validation and test: the work of a run
// without its record, so `eval` can repeat exactly what `train` measured. `trueReward` may be empty.
void fitAndEvaluateClosedForm(const InteractionLog& log, const Split& split,
                              const ClosedFormRunConfig& config, const TrueRewardFunction& trueReward,
                              const ProgressCallback& progress, ClosedFormRunResult& result);

// Throws Error (recording the run as failed when it got that far) or Cancelled (run recorded as cancelled).
ClosedFormRunResult runClosedForm(Workspace& ws, const ClosedFormRunConfig& config,
                                  const ProgressCallback& progress = {});

}  // namespace tiltbench
