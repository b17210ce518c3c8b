#pragma once
// Private to core/torch (.cpp files only): the candidates of a sampled-softmax batch (--loss sampled,
// torch/model/sasrec_ops.h). One set per batch, shared by its rows and slices:
// - uniform: --num-negatives items drawn uniformly with replacement; q_j = 1 / C (the correction is a
// constant);
// - popularity: drawn with replacement with probability q_j = n_j / N, n_j the item's count among the
//   training targets (items never a target are never drawn);
// - in-batch: the distinct targets of the batch itself. A distinct set is no draw in proportion to q_j: in a
//   batch of N targets an item is a candidate with probability π_j = 1 − (1 − q_j)^N (N targets drawn from
//   q, q_j = n_j / N_train as for popularity), about N·q_j for a rare item but 1 for every item common enough
//   to be in every batch — at 128 × 200 positions, most of a few-thousand-item catalogue. The correction is
//   log π_j (TensorFlow's expected count of a unique candidate sampler), computed per batch; correcting by
//   log q_j, as in Yi et al. 2019 whose in-batch candidates keep duplicates, would count popularity twice and
//   shift a trained model's scores by log q_j. Runs recorded before this used log q_j and resume with it
//   (inclusion = false). When a batch has more than --num-negatives distinct targets, that many of them are
//   kept, drawn uniformly without replacement: every kept item's π_j shrinks by the same factor K / D, a
//   constant that cancels between the target's and the candidates' corrections. Without the cap a batch of
//   128 × 200 positions on a 10k-item catalogue makes most of the catalogue a candidate.
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
    // target (0-based, < numItems); inclusion: in-batch candidates corrected by log π_j (else log q_j; see
    // above and SasrecRunConfig::inBatchCorrection).
    NegativeSampler(const std::string& kind, int64_t negatives, const std::vector<int32_t>& targetItems,
                    int32_t numItems, c10::Device device, bool inclusion = true);

    // The candidates of a batch whose targets (0-based; −1 = none) are `batchTargets`.
    SampledCandidates draw(const std::vector<int64_t>& batchTargets) const;

    const std::string& kind() const { return m_kind; }

  private:
    std::string m_kind;
    int64_t m_negatives;
    int32_t m_numItems;
    c10::Device m_device;
    bool m_inclusion;
    at::Tensor m_probCpu;   // popularity: q over the items (CPU)
    at::Tensor m_logQCpu;   // log q of every item (CPU)
    at::Tensor m_log1mQ;    // in-batch with inclusion: log(1 − q) of every item (CPU, double)
    at::Tensor m_itemLogQ;  // the same on the device
};

}  // namespace tiltbench
