#pragma once
// Private to core/torch (.cpp files only): the candidates of a sampled-softmax batch (--loss sampled,
// torch/model/sasrec_ops.h). One set per batch, shared by its rows and slices:
// - uniform: --num-negatives items drawn uniformly with replacement; q_j = 1 / C (the correction is a
// constant);
// - popularity: drawn with replacement with probability q_j = n_j / N, n_j the item's count among the
//   training targets (items never a target are never drawn);
// - in-batch: the distinct targets of the batch itself, corrected by the same log q_j = log(n_j / N) as
//   popularity (Yi et al. 2019). A distinct set is strictly no draw in proportion to q: in a batch of N
//   targets item j is a candidate with probability 1 − (1 − q_j)^N, which saturates at 1 for common items.
//   Correcting by the log of that probability instead was measured and trained worse at ML-1M size (test
//   NDCG@10 −15 % against the full softmax, against −5 % with log q_j; the same with the target, which is
//   always in the set, left uncorrected): bench/RESULTS.md, "Sampled softmax against the full softmax".
//   When a batch has more than --num-negatives distinct targets, that many of them are kept, drawn uniformly
//   without replacement: every item's chance of being a candidate then shrinks by the same factor K / D
//   within the batch, a constant that cancels between the target's and the candidates' corrections, so
//   log q_j stays n_j / N. Without the cap a batch of 128 × 200 positions on a 10k-item catalogue makes most
//   of the catalogue a candidate.
// Draws come from LibTorch's CPU generator, so a seed reproduces them and a resumed run (which restores the
// generator) draws what an uninterrupted one would.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "torch/model/sasrec_ops.h"

namespace tiltbench {

class NegativeSampler {
  public:
    // kind: one of kNegativeSamplers (train/sasrec_run_config.h); targetItems: the item of every training
    // target (0-based, < numItems).
    NegativeSampler(const std::string& kind, int64_t negatives, const std::vector<int32_t>& targetItems,
                    int32_t numItems, c10::Device device);

    // The candidates of a batch whose targets (0-based; −1 = none) are `batchTargets`.
    SampledCandidates draw(const std::vector<int64_t>& batchTargets) const;

    const std::string& kind() const { return m_kind; }

  private:
    std::string m_kind;
    int64_t m_negatives;
    int32_t m_numItems;
    c10::Device m_device;
    at::Tensor m_probCpu;   // popularity: q over the items (CPU)
    at::Tensor m_logQCpu;   // log q of every item (CPU)
    at::Tensor m_itemLogQ;  // the same on the device
};

}  // namespace tiltbench
