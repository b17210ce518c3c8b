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
#include <utility>
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
    // One pass of the grid per seed, in this order (each run's seed; for SASRec its whole training). Empty:
    // one pass with the model settings' own seed.
    std::vector<uint64_t> seeds;
    // SASRec post-training. sasrec.initFrom > 0: every run starts from that finished run. sftParents: every
    // run starts from the SFT parent of its seed — a uniform-weight run with `sasrec`'s settings but
    // `sftEpochs`, `sftLr` and `sftPatience`, trained before the seed's first configuration, or reused when
    // the workspace already holds a finished run with exactly those settings (same dataset, split,
    // architecture, seed, budget, selection and threshold). The SFT baseline of a seed is then its uniform /
    // λ = ∞ post-training run (same parent, same budget as every configuration), never the parent itself.
    bool sftParents = false;
    int sftEpochs = SasrecRunConfig().epochs;
    double sftLr = SasrecRunConfig().lr;
    int sftPatience = SasrecRunConfig().patience;
    std::string sftSelect = "ndcg@10";  // the parents are plain SFT: their checkpoint is chosen on NDCG@10
    // A deterministic share of the sweep (`sweep --shard I/N`, I = shardIndex + 1): the runs of the whole
    // plan — seeds in order, each seed's schemes in order — are cut into shardCount contiguous blocks as
    // equal as can be, and only block shardIndex is run. Contiguous, so a post-training sweep's shard needs
    // the SFT parents of one or two seeds, not all (each shard finds or trains those it needs; `merge`
    // keeps one of equal parents). tiltbench-cli merge brings the shards' runs into one workspace.
    int shardIndex = 0;
    int shardCount = 1;

    // The plan's run indices [first, last) that shard shardIndex of shardCount runs, for `total` runs.
    static std::pair<size_t, size_t> shardRange(size_t total, int shardIndex, int shardCount);

    // The parent's settings for `seed` (sftParents).
    SasrecRunConfig sftParentConfig(uint64_t seed) const;

    // The runs of `kinds` × `lambdas`: `exp` once per λ (in the given order), every other kind once (λ does
    // not apply to it); normalisation, clip, ε and threshold come from `base`. Duplicates are dropped. Throws
    // Error naming the bad λ or an empty grid.
    // `linear` once per ε of `linearEpsilons` (empty: base.epsilon once) — e.g. {0.01, 1} on a 1–5 scale
    // gives both w = r − r_min + 0.01 and w = r.
    static std::vector<WeightScheme> grid(const WeightScheme& base, const std::vector<double>& lambdas,
                                          const std::vector<WeightKind>& kinds,
                                          const std::vector<double>& linearEpsilons = {});
};

struct SweepRun {
    int64_t runId = 0;
    WeightScheme scheme;
    uint64_t seed = 0;
    int64_t parentRunId = 0;  // the run it was post-trained from; 0 = from scratch
    EvalResult valid;
    EvalResult test;
    int bestEpoch = 0;              // SASRec only
    double meanEpochSeconds = 0.0;  // SASRec: training pass per epoch; NaN for closed-form runs
    double seconds = 0.0;           // the whole run
};

struct SweepParent {
    uint64_t seed = 0;
    int64_t runId = 0;
    bool reused = false;  // found finished in the workspace, not trained by this sweep
    int bestEpoch = 0;
    double seconds = 0.0;  // training it (0 when reused)
};

struct SweepResult {
    std::vector<SweepRun> runs;        // finished runs, in order
    std::vector<SweepParent> parents;  // sftParents: one per seed reached
    size_t planned = 0;                // runs of this shard (the whole sweep when not sharded)
    size_t sweepRuns = 0;              // runs of the whole sweep
    size_t firstRun = 0;               // this shard's first run, as an index into the whole sweep's plan
    bool stopped = false;              // keepGoing said no before the grid was done
    bool cancelledCurrent = false;     // …and the run under way was cancelled too (recorded as cancelled)
};

struct SweepCallbacks {
    std::function<bool()> keepGoing;  // asked before each run but the first; false stops the sweep there
    std::function<void(size_t index, size_t total, const WeightScheme&)> runStarting;
    // sftParents: before a seed's parent is trained (reused = false) or after it was found (reused = true).
    std::function<void(uint64_t seed, bool reused, int64_t runId)> parentStarting;
    std::function<void(const SweepRun&)> runDone;
    ProgressCallback progress;  // inside closed-form runs; false cancels the run
    std::function<bool(const TrainProgress&)> trainProgress;  // inside SASRec runs; false cancels the run
};

// The finished SASRec run of `config.dataset` whose recorded settings are `config`'s (threads, device and
// bootstrap resamples aside: they do not change the weights), or 0.
int64_t findFinishedSasrecRun(Workspace& ws, const SasrecRunConfig& config);

// Validates the whole grid and the model settings before the first run. A run cancelled through a progress
// callback ends the sweep (stopped and cancelledCurrent set, the finished runs returned); any other failure
// is thrown as Error after that run was recorded as failed.
SweepResult runSweep(Workspace& ws, const SweepConfig& config, const SweepCallbacks& callbacks = {});

}  // namespace tiltbench
