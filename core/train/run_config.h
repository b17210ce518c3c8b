#pragma once
// RunConfigBase: what every recorded training run has, whatever its model — the dataset, the weighting, the
// split, the evaluation's cut-offs and bootstrap, the seed and the threads. ClosedFormRunConfig and
// SasrecRunConfig derive from it and add their model's settings; both write and read these fields of their
// run record through writeRunBase / readRunBase (train/stored_config.h), so the keys are spelled once.
// Torch-free and Qt-free.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eval/split.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct RunConfigBase {
    std::string dataset;  // name in the workspace
    WeightScheme scheme;
    SplitConfig split;
    std::vector<int> ks{10, 20};
    int bootstrapResamples = 1000;  // final evaluation's 95 % intervals (0 = none)
    // Targets with a reward ≥ this count as high reward (ndcg_high@K, hr_high@K; checkpoint selection on
    // them). Empty: the dataset's top reward level (5 on a 1–5 scale). Recorded as high_threshold.
    std::optional<double> highThreshold;
    uint64_t seed = 1;
    int threads = 0;  // 0 = all cores

  protected:
    // Each model keeps its own defaults: SASRec trains unweighted with seed 42, closed-form runs default to
    // exp λ = 1 with bootstrap seed 1.
    RunConfigBase(WeightScheme defaultScheme, uint64_t defaultSeed)
        : scheme(defaultScheme), seed(defaultSeed) {}
};

}  // namespace tiltbench
