#pragma once
// SasrecTrainer: one recorded reward-weighted SFT run of the SASRec model —
// load the dataset, split it, weight every training target with the chosen
// scheme (the same RewardLevelTable code the λ Explorer shows), train with the
// weighted next-item cross-entropy over every position of every training
// sequence, validate (NDCG@10) after each epoch, keep the best state (early
// stopping), and evaluate it on the test targets with the full metric set.
// Config, per-epoch curves, final metrics with per-user values, timings and the
// best checkpoint go into the workspace, and after every epoch the state needed
// to resume (parameters, optimizer, generators; dropped when the run is done),
// so a cancelled or killed run continues with resumeSasrec. Torch-free header:
// the CLI and (later) the GUI's Train page call it.
//
// Training sequences hold only training interactions (for leave-one-out: each
// user's log minus the validation and test targets), cut into windows of at
// most maxLen + 1 items from the newest backwards (a history longer than the
// model reads becomes several sequences, so no interaction is left unused);
// step t predicts item t + 1, so a user's first item is input only.
// Batches are random draws of sequences (shuffled, then cut). A batch takes
// one optimizer step, but its rows go through the model in length-sorted
// slices of 32, each padded only to its own longest row (the slices' losses
// are weighted by their share of the batch's targets, so loss and gradient are
// the batch's), and padding never reaches the output layer. `lengthBuckets`
// instead sorts sequences by length within pools of 32 batches, as before:
// on a small dataset every batch is then one band of history lengths and
// nearly the same batches come back every epoch, and the model generalises
// worse (ML-100K: validation NDCG@10 plateaus near 0.098 instead of rising
// past 0.11).
// Loss of a batch = Σ_steps w · CE / (steps with a target in the batch): with
// `none`/`mean` normalisation w is the target's scheme weight, with `batch`
// the weights are first scaled to mean 1 over the batch's steps
// (WeightScheme::normalizeBatch), which makes the same formula
// self-normalised. `uniform` is exactly the mean cross-entropy. Reproducible on
// CPU for a fixed seed and thread count.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "eval/eval_result.h"
#include "eval/evaluator.h"
#include "eval/split.h"
#include "model/sasrec.h"
#include "store/workspace.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct SasrecRunConfig {
    std::string dataset;  // name in the workspace
    WeightScheme scheme = WeightScheme::uniform();
    SplitConfig split;

    int dim = 64;
    int blocks = 2;
    int heads = 1;
    int maxLen = 200;
    double dropout = 0.2;
    int epochs = 200;
    int batchSize = 128;
    bool lengthBuckets = false;  // length-bucketed instead of random batches (see above)
    double lr = 1e-3;
    double weightDecay = 0.0;  // Adam's L2 penalty on every parameter
    // Epochs without a better validation NDCG@10 before stopping; ≤ 0 = never stop early. On ML-100K the
    // random-batch curve has flat stretches of 10+ epochs (around epochs 30–45) before it climbs again.
    int patience = 30;
    uint64_t seed = 42;
    std::string device = "auto";  // auto | cpu | cuda | cuda:N
    // Output layer's matrix products: fp32, bf16, or auto = bf16 on CUDA and on CPUs with native bfloat16
    // (see SasrecConfig::bf16); the run records what it used.
    std::string precision = "auto";
    int threads = 0;  // 0 = all cores

    std::vector<int> ks{10, 20};
    int bootstrapResamples = 1000;  // final evaluation only; per-epoch validation
                                    // runs without intervals

    // Throws Error naming the field (epochs, batch size, lr, …; model fields via
    // SasrecConfig::validate).
    void validate() const;
    std::string toJson() const;
    // Reads what toJson wrote (a run's stored config); missing keys keep their defaults. Throws Error naming
    // the field that does not parse.
    static SasrecRunConfig fromJson(const std::string& json);
};

struct TrainProgress {
    // "training", "validating", "testing", "waiting_for_workspace", or "epoch": reported once per finished
    // epoch, after its validation and before its records are written (they may wait for the workspace), with
    // `loss` the epoch's mean training loss and the validation figures below.
    std::string stage;
    int epoch = 0;  // 1-based
    int epochs = 0;
    int64_t step = 0;  // batches done in this epoch
    int64_t stepsPerEpoch = 0;
    double loss = 0.0;               // running mean training loss of this epoch
    double examplesPerSecond = 0.0;  // training positions (next-item targets) per second
    double etaSeconds = 0.0;         // to the last epoch, validation excluded; 0 while unknown
    // Stage "waiting_for_workspace": another connection holds the workspace's write lock, so the records of
    // `pendingEpochs` finished epochs wait in memory; training goes on and they are written when it can.
    int pendingEpochs = 0;
    // Stage "epoch" only (NaN when not measured).
    double validNdcg10 = std::numeric_limits<double>::quiet_NaN();
    double validHr10 = std::numeric_limits<double>::quiet_NaN();
    double trainSeconds = 0.0;  // the training pass
    double epochSeconds = 0.0;  // training + validation
};

struct SasrecEpochRecord {
    int epoch = 0;
    double trainLoss = 0.0;
    double validNdcg10 = 0.0;
    double trainSeconds = 0.0;  // the training pass
    double seconds = 0.0;       // training + validation
};

struct SasrecRunResult {
    int64_t runId = 0;
    std::string device;
    std::string precision;  // fp32 | bf16
    std::vector<SasrecEpochRecord> epochs;
    int bestEpoch = 0;
    int64_t trainingPositions = 0;  // next-item targets per epoch
    EvalResult valid;               // best state, with intervals
    EvalResult test;
    double totalSeconds = 0.0;
};

// Returning false from `progress` cancels between batches (or during
// validation): the run is recorded as cancelled and Cancelled is thrown. Other
// failures are recorded as failed and rethrown as Error.
SasrecRunResult runSasrec(Workspace& ws, const SasrecRunConfig& config,
                          const std::function<bool(const TrainProgress&)>& progress = {});

// Continues a cancelled, interrupted or failed SASRec run from the end of its last finished epoch, with its
// recorded settings, under the same run id, to the same result as an uninterrupted run (on CPU with the same
// thread count). Throws Error when the run is not SASRec, is done or still running, has no saved state (it
// stopped before its first epoch ended) or its dataset no longer gives its split.
SasrecRunResult resumeSasrec(Workspace& ws, int64_t runId,
                             const std::function<bool(const TrainProgress&)>& progress = {});

// The evaluator settings of a SASRec run: K = 10 is always among the cut-offs (validation selects on
// ndcg@10) and the evaluator runs one thread (the scorer is serialised; torch parallelises inside it).
// `bootstrapResamples` = 0 for the per-epoch validation. `eval` uses the same settings, so a re-evaluation
// of the best checkpoint reproduces the recorded figures.
EvalConfig sasrecEvalConfig(const SasrecRunConfig& config, int bootstrapResamples,
                            const TrueRewardFunction& trueReward);

// The best checkpoint of a SASRec run, restored into a model built from the
// run's recorded config. Throws Error when the run is not a SASRec run or has
// no checkpoint.
SasrecModel loadSasrecCheckpoint(Workspace& ws, int64_t runId, const std::string& device = "cpu");
// The epoch of that checkpoint; 0 when the run has none.
int sasrecCheckpointEpoch(Workspace& ws, int64_t runId);

}  // namespace tiltbench
