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
// so a cancelled or killed run continues with resumeSasrec. Built into
// tiltbench_core_torch; its settings, progress and result types are torch-free, in
// train/sasrec_run_config.h.
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

#include "store/workspace.h"
#include "torch/model/sasrec.h"
#include "train/distributed_env.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {

// Returning false from `progress` cancels between batches (or during
// validation): the run is recorded as cancelled and Cancelled is thrown. Other
// failures are recorded as failed and rethrown as Error.
//
// Data-parallel (`dp` with more than one rank, docs/DISTRIBUTED.md): this process is one of several ranks
// started with the same arguments; each trains on its share of every batch (rows r, r + N, …), the gradients
// are summed over the ranks with c10d (ProcessGroupGloo) before each optimizer step, and rank 0 alone
// validates, records and writes the workspace — the other ranks only read it and return a result with no
// figures. With dropout 0 and the full softmax the ranks together take the steps one process takes, to float
// rounding. DPO and PPO are refused.
SasrecRunResult runSasrec(Workspace& ws, const SasrecRunConfig& config,
                          const std::function<bool(const TrainProgress&)>& progress = {},
                          const DataParallelOptions* dp = nullptr);

// Continues a cancelled, interrupted or failed SASRec run from the end of its last finished epoch, with its
// recorded settings, under the same run id, to the same result as an uninterrupted run (on CPU with the same
// thread count). Throws Error when the run is not SASRec, is done or still running, has no saved state (it
// stopped before its first epoch ended) or its dataset no longer gives its split.
SasrecRunResult resumeSasrec(Workspace& ws, int64_t runId,
                             const std::function<bool(const TrainProgress&)>& progress = {},
                             const DataParallelOptions* dp = nullptr);

// The best checkpoint of a SASRec run, restored into a model built from the
// run's recorded config. Throws Error when the run is not a SASRec run or has
// no checkpoint.
SasrecModel loadSasrecCheckpoint(Workspace& ws, int64_t runId, const std::string& device = "cpu");
// The epoch of that checkpoint; 0 when the run has none.
int sasrecCheckpointEpoch(Workspace& ws, int64_t runId);

}  // namespace tiltbench
