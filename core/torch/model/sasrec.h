#pragma once
// SasrecModel: the generative recommender that reward-weighted SFT trains — a
// causal self-attention next-item model (SASRec with pre-LayerNorm blocks,
// learned position embeddings, tied output embeddings and a full-catalogue
// softmax). This header is torch-free (pimpl), but what it declares is built
// into tiltbench_core_torch; the module itself lives in torch/model/sasrec_module.h.
// The configuration and the batch layout, which torch-free code uses too, are in
// model/sasrec_config.h.
//
// Layout of a sequence: items are shifted by one (0 = padding), rows are
// right-padded, and the position embedding of a step is its distance from the
// row's last real step (so the newest item always sits at position 0, as in
// SASRec's left-padded window). Right padding plus the causal mask means real
// positions never attend to padding, so no key-padding mask is needed.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eval/scorer.h"
#include "model/sasrec_config.h"

namespace tiltbench {

class SasrecModel {
  public:
    // Parameters are initialised from the torch generator (seed it with torch's
    // manual seed, see seedTorch). `device`: "cpu", "cuda", "cuda:N" or "auto".
    SasrecModel(const SasrecConfig& config, const std::string& device = "cpu");
    ~SasrecModel();
    SasrecModel(SasrecModel&&) noexcept;
    SasrecModel& operator=(SasrecModel&&) noexcept;

    const SasrecConfig& config() const;
    std::string device() const;  // "cpu", "cuda:0", …
    int64_t numParameters() const;

    void setTraining(bool training);  // dropout on/off

    // Weighted next-item loss of a batch: Σ_steps w · CE(step) / (number of steps
    // with a target). Under uniform weights this is exactly the mean
    // cross-entropy over the batch's real steps. With `backward` the gradients
    // are accumulated into the parameters' .grad.
    double loss(const SequenceBatch& batch, bool backward);
    void zeroGrad();
    // All parameter gradients, flattened in parameter order (zeros where a
    // parameter has none).
    std::vector<float> gradients() const;

    // Scores of items [itemBegin, itemEnd) after each history (oldest first; the
    // newest maxLen items are read). out[k * (itemEnd − itemBegin) + j]. An empty
    // history scores every item 0. Eval mode, no grad.
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd, float* out) const;

    // The parameters and buffers as a tensor archive (common/tensor_archive.h: safetensors layout, F32,
    // under their module names "items.weight", "blocks.0.qkv.bias", …). `loadState` reads such an archive
    // strictly: exactly the model's tensor names, each F32 with exactly the model's shape, else an Error
    // starting with `what` and naming the tensor, and the model is left unchanged. It runs no code from the
    // bytes. A blob of the old format (a torch::serialize::OutputArchive, a zip file) is accepted only when
    // it holds nothing but declarations and values (model/torch_archive.h), and converted in memory.
    std::string saveState() const;
    void loadState(const std::string& bytes, const std::string& what = "sasrec checkpoint");
    // True when `bytes` are of the old torch-archive format.
    static bool isLegacyState(const std::string& bytes);

    struct Impl;
    Impl& impl() const;

  private:
    std::unique_ptr<Impl> m_impl;
};

// Seeds torch's global generators (CPU and CUDA).
void seedTorch(uint64_t seed);

// Scorer adapter for the evaluator. Calls into the model are serialised (a
// mutex), so the evaluator may use any thread count; the parallelism is inside
// the matrix products.
class SasrecScorer : public Scorer {
  public:
    explicit SasrecScorer(const SasrecModel& model);
    ~SasrecScorer() override;
    int32_t numItems() const override;
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override;

  private:
    const SasrecModel& m_model;
    struct Lock;
    std::unique_ptr<Lock> m_lock;
};

// The weighted cross-entropy on plain arrays, the same code the trainer runs
// (for tests and diagnostics): Σ_i w_i · (−log softmax(logits_i)[target_i]) /
// normaliser. logits: rows × classes, row-major.
double weightedCrossEntropy(const float* logits, int64_t rows, int64_t classes, const int64_t* targets,
                            const float* weights, double normaliser);

}  // namespace tiltbench
