#pragma once
// Documented limits on sizes that decide how much memory Tiltbench allocates. They are checked wherever such
// a size enters: a command-line option, and every value read from a workspace (a catalogue row, a run's
// stored config, a checkpoint's model config), so that a crafted or damaged workspace is refused with an
// Error naming the table, row and field instead of attempting a huge allocation (docs/RELIABILITY.md,
// "crafted workspaces").
#include <cstdint>

namespace tiltbench::limits {

// Users and items of a dataset: dense int32 indices 0..n-1; INT32_MAX itself is kept free so that `n` and
// `index + 1` always fit an int32.
constexpr int64_t kMaxIds = 2147483646;  // 2^31 - 2

// SASRec architecture. Each bound keeps one tensor small; the parameter count bounds their product with the
// catalogue: (items + 1 + max_len) · dim + blocks · (6 · dim² + 10 · dim) + 2 · dim parameters, float32, and
// training holds three more copies of them (gradients and Adam's two moments).
constexpr int kMaxSasrecDim = 4096;
constexpr int kMaxSasrecHeads = 256;
constexpr int kMaxSasrecBlocks = 64;
constexpr int kMaxSasrecMaxLen = 8192;
constexpr int kMaxSasrecBatchSize = 1 << 20;
constexpr int kMaxSasrecEpochs = 1000000;
constexpr int64_t kMaxSasrecParameters = int64_t{1} << 30;  // 4 GiB of float32 parameters
// DPO pairs and PPO samples per context (each is a column of the sampled-item matrix), and PPO's steps per
// batch.
constexpr int kMaxOnlineSamples = 64;
constexpr int kMaxNegatives = 1 << 20;  // sampled softmax: candidates per batch
constexpr int kMaxPpoEpochs = 64;

// The parameter count of a SASRec model (as a double: its factors come from untrusted input).
inline double sasrecParameterCount(int64_t numItems, int64_t dim, int64_t blocks, int64_t maxLen) {
    const double d = static_cast<double>(dim);
    return (static_cast<double>(numItems) + 1.0 + static_cast<double>(maxLen)) * d +
           static_cast<double>(blocks) * (6.0 * d * d + 10.0 * d) + 2.0 * d;
}

// Worker threads a command or a stored run config may ask for (each one is a real thread of the pools).
constexpr int kMaxThreads = 1024;

// `sweep --shard I/N`: machines a sweep may be spread over.
constexpr int kMaxSweepShards = 100000;

// Evaluation: cut-offs K (the top lists are users × max K) and bootstrap resamples.
constexpr int kMaxK = 1000;
constexpr int kMaxBootstrapResamples = 100000;

}  // namespace tiltbench::limits
