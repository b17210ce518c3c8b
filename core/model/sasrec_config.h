#pragma once
// The SASRec model's configuration and the layout of a training batch: torch-free, so that the torch-free
// core, the CLI's options and the GUI's Train form use them without LibTorch. The model itself is in
// torch/model/sasrec.h (built into tiltbench_core_torch).
#include <cstdint>
#include <string>
#include <vector>

namespace tiltbench {

// The body of the sequential model. Both read the same inputs (items, plus the interactions' timestamps for
// HSTU), share the item embeddings, the tied output layer, the losses, checkpoints and export; only the
// blocks differ (torch/model/sasrec_module.h).
//   sasrec: pre-LayerNorm causal softmax self-attention + feed-forward (Kang & McAuley 2018).
//   hstu:   Hierarchical Sequential Transduction Units (Zhai et al. 2024): U, V, Q, K = SiLU(f1(LN(x)));
//           pointwise aggregated attention A = SiLU(QKᵀ + rab(position gap, time gap)) / maxLen under the
//           causal mask; x + f2(LN(A V) ⊙ U).
enum class Backbone { Sasrec, Hstu };
// "sasrec" / "hstu": also the run's model name.
const char* backboneName(Backbone backbone);
// The backbone of a model name; throws Error for anything but "sasrec" and "hstu".
Backbone backboneFromName(const std::string& name);
// True for the trained sequential models ("sasrec", "hstu"): those that share the SASRec run machinery
// (config, checkpoints, post-training, export).
bool isSequentialModel(const std::string& model);

// HSTU's time-gap buckets: bucket(Δt) = min(kHstuTimeBuckets − 1, ⌊ln(max(1, |Δt|)) / 0.301⌋), Δt in the
// log's time unit (seconds for MovieLens); 0 also where the times are unknown.
constexpr int kHstuTimeBuckets = 128;

struct SasrecConfig {
    Backbone backbone = Backbone::Sasrec;
    int32_t numItems = 0;
    int dim = 64;
    int blocks = 2;
    int heads = 1;
    int maxLen = 200;  // longest history the model reads; longer ones keep their
                       // newest maxLen items
    double dropout = 0.2;
    // Run the output layer's two large matrix products in bfloat16 during
    // training (the softmax and everything else stay float). Pays on CPUs with
    // AVX-512 BF16 or AMX; evaluation always scores in float.
    bool bf16 = false;
    // Run the body's matrix products (projections, feed-forward, the attention's two products) in bfloat16
    // during training, the backward products too; layer norms, softmax, residuals and dropout stay float, the
    // weights are float. Evaluation and scoring always run in float.
    bool bf16Body = false;

    // Throws Error naming the field (numItems ≥ 1, dim ≥ 1 and divisible by
    // heads, blocks ≥ 1, maxLen ≥ 1, dropout in [0, 1)).
    void validate() const;
};

// A batch of right-padded training sequences, row-major [rows × length].
struct SequenceBatch {
    int64_t rows = 0;
    int64_t length = 0;
    std::vector<int64_t> inputs;   // item + 1; 0 = padding
    std::vector<int64_t> targets;  // next item (0-based) predicted at each step;
                                   // −1 = no target (padding)
    std::vector<float> weights;    // loss weight of each step's target (ignored where target is −1)
    // Timestamp of each input step (rows × length; padding 0), which HSTU's time-gap bias reads; empty where
    // the times are unknown (every gap then falls in bucket 0). SASRec ignores it.
    std::vector<int64_t> times;
};

// Steps of `batch` that have a target.
int64_t countTargets(const SequenceBatch& batch);

// The batch's rows in slices of at most `rowsPerSlice` consecutive rows, each cut to its longest row (rows
// hold their steps from the left, padding on the right). With rows sorted by length the slices carry little
// padding. Σ_slices (targets in slice / targets in batch) · loss(slice) is the batch's loss, and likewise its
// gradient: the trainer runs a random batch this way, one optimizer step per batch.
std::vector<SequenceBatch> sliceRows(const SequenceBatch& batch, int64_t rowsPerSlice);
// The given rows of a batch (in that order), padded to their own longest row.
SequenceBatch takeRows(const SequenceBatch& batch, const std::vector<int64_t>& rows);

}  // namespace tiltbench
