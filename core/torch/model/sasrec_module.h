#pragma once
// Private to core (.cpp files only): the LibTorch side of SASRec — the module
// itself and the weighted next-item loss — shared by model/sasrec.cpp and
// train/sasrec_trainer.cpp. Public code uses the torch-free SasrecModel in
// model/sasrec.h.
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <mutex>
#include <vector>

#include "torch/model/sasrec.h"
#include "torch/model/sasrec_ops.h"

namespace tiltbench {

// One pre-LayerNorm block: x + Drop(Attn(LN(x))), then x + Drop(FFN(LN(x))).
// Causal multi-head attention written out by hand (one fused QKV projection)
// rather than nn::MultiheadAttention, so the mask is a plain additive [T, T]
// tensor and nothing is built for key padding: sequences are right-padded, so
// under the causal mask a real position only ever sees real positions.
class SasrecBlockImpl : public torch::nn::Module {
  public:
    SasrecBlockImpl(int64_t dim, int64_t heads, double dropout, bool bf16Body = false);
    // x: [B, T, D]; causalMask: [T, T] additive (0 / −inf).
    at::Tensor forward(const at::Tensor& x, const at::Tensor& causalMask);

  private:
    int64_t m_dim;
    int64_t m_heads;
    double m_dropout;
    bool m_bf16Body;  // training products in bfloat16 (SasrecConfig::bf16Body)
    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::Linear m_qkv{nullptr}, m_out{nullptr}, m_ff1{nullptr}, m_ff2{nullptr};
};
TORCH_MODULE(SasrecBlock);

// One HSTU layer (Zhai et al. 2024, "Actions Speak Louder than Words", eq. 1–3):
//   U, V, Q, K = split(SiLU(uvqk(LN(x))))
//   A = SiLU(Q Kᵀ + rab) · causal / maxLen      (pointwise aggregated attention: no softmax)
//   x + out(Drop(LN(A V) ⊙ U))
// rab[i, j] = posBias[i − j] + timeBias[bucket(t_i − t_j)], learned per layer. The query's own timestamp is
// used (the published code reads the next item's, which at serving time is the request's time; in offline
// training that would leak the target's timestamp). Dividing by the configured maxLen (a constant), not by
// the batch's padded length, keeps a history's scores independent of what it is batched with.
class HstuBlockImpl : public torch::nn::Module {
  public:
    HstuBlockImpl(int64_t dim, int64_t heads, int64_t maxLen, double dropout, bool bf16Body = false);
    // x: [B, T, D]; causal: [T, T] float, 1 where key ≤ query, else 0; posBucket: [T, T] int64 (query − key,
    // clamped to [0, maxLen − 1]); timeBucket: [B, T, T] int64, or undefined (every gap in bucket 0).
    at::Tensor forward(const at::Tensor& x, const at::Tensor& causal, const at::Tensor& posBucket,
                       const at::Tensor& timeBucket);

  private:
    int64_t m_dim;
    int64_t m_heads;
    int64_t m_maxLen;
    double m_dropout;
    bool m_bf16Body;
    torch::nn::LayerNorm m_norm1{nullptr}, m_normAttn{nullptr};
    torch::nn::Linear m_uvqk{nullptr}, m_out{nullptr};
    at::Tensor m_posBias, m_timeBias;
};
TORCH_MODULE(HstuBlock);

// HSTU's time-gap buckets of timestamps [B, T] → [B, T, T] int64 (kHstuTimeBuckets in sasrec_config.h).
at::Tensor hstuTimeBuckets(const at::Tensor& times);

class SasrecImpl : public torch::nn::Module {
  public:
    explicit SasrecImpl(const SasrecConfig& config);

    // inputs: [B, T] int64 of item + 1 (0 = padding), right-padded; lengths: [B]
    // real lengths (≥ 1 for rows that matter); times: [B, T] int64 timestamps of
    // the inputs, or undefined (HSTU's time-gap bias then reads bucket 0; SASRec
    // ignores them). Returns the final-LayerNorm hidden states [B, T, D].
    at::Tensor hidden(const at::Tensor& inputs, const at::Tensor& lengths, const at::Tensor& times = {});
    // Scores of hidden states [N, D] against items [itemBegin, itemEnd) (tied
    // output embeddings) → [N, n].
    at::Tensor scores(const at::Tensor& h, int64_t itemBegin, int64_t itemEnd);

    const SasrecConfig& config() const { return m_config; }
    // The item embedding table [numItems + 1, D] (row 0 = padding), also the
    // output layer's weights.
    const at::Tensor& itemEmbeddings() const { return m_items->weight; }

  private:
    SasrecConfig m_config;
    torch::nn::Embedding m_items{nullptr};
    torch::nn::Embedding m_positions{nullptr};
    torch::nn::ModuleList m_blocks{nullptr};
    torch::nn::LayerNorm m_finalNorm{nullptr};
};
TORCH_MODULE(Sasrec);

// Σ_i w_i · CE(logits_i, target_i) / normaliser, with CE =
// −log_softmax(logits_i)[target_i]. logits [N, C] float, targets [N] int64 in
// 0..C−1, weights [N] float (same device).
at::Tensor weightedCrossEntropy(const at::Tensor& logits, const at::Tensor& targets,
                                const at::Tensor& weights, double normaliser);

// The loss of one padded batch (see SasrecModel::loss): gathers the non-pad
// positions before the output projection so padding costs no logits. Returns a
// 0-dim tensor (0 when the batch has no target). With `sampled`, the output
// layer's softmax runs over those candidates (sampledSoftmaxLoss) instead of
// the catalogue.
at::Tensor batchLoss(Sasrec& module, const SequenceBatch& batch, const torch::Device& device,
                     const SampledCandidates* sampled = nullptr);

struct SasrecModel::Impl {
    SasrecConfig config;
    torch::Device device;
    Sasrec module;
    // The users' states of the last SasrecModel::score call. The catalogue ranker scores a batch of users in
    // slices of the catalogue (8,192 items each), one call per slice: without this, a 100k-item catalogue
    // ran the whole network 13 times per user. Reused only for the very same inputs (ids, lengths, times,
    // compared by value) and parameters (each one's storage and in-place version counter, which every
    // optimizer step and checkpoint load bumps).
    struct StateCache {
        std::mutex mutex;
        std::vector<int64_t> inputs, lengths, times, parameters;
        at::Tensor states;  // [users with a history, dim]
    } stateCache;

    Impl(const SasrecConfig& c, torch::Device d) : config(c), device(d), module(c) { module->to(device); }
};

// Device of "cpu", "cuda", "cuda:1" or "auto" (CUDA when LibTorch sees a GPU).
// Throws Error otherwise.
torch::Device resolveDevice(const std::string& name);

}  // namespace tiltbench
