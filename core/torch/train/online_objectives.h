#pragma once
// Private to core (.cpp files and torch tests): the RLHF baselines of issue 16 — online DPO and PPO — as one
// training step per batch for the SASRec trainer (sasrec_trainer.cpp, `--objective dpo|ppo`).
//
// A context is a (sequence, step) of a training sequence, exactly the positions the weighted SFT trains on;
// every context is used, none is subsampled. The policy at a context is the softmax of the model's scores
// over the catalogue with the user's history up to that step removed (targets.item[userBegin, begin + step]):
// those items are never sampled and carry probability 0 in every log-probability and KL below. A context
// whose user has seen all but one item of the catalogue is skipped (no pair, no choice). Dropout is off in
// both methods (as in RLHF practice), so the log-probabilities that a PPO ratio compares are deterministic.
//
// DPO (online, as in the paper): per context, `dpoPairs` pairs of two distinct items sampled from the current
// policy (without replacement within a pair), ordered by the reward model's r̂(user, item); loss of a pair
// −log σ(β·[(log π − log π_ref)(winner) − (log π − log π_ref)(loser)]), a pair of equal rewards counts 0; the
// batch's loss is the sum over pairs / (contexts × pairs); one optimizer step per batch.
// PPO: per context, K = `ppoSamples` items sampled from the policy with replacement and rewarded by r̂; the
// advantage of a sample is its reward minus the mean of the context's K rewards (a group baseline, no value
// network: the action is one item, so the episode is one step); per batch `ppoEpochs` optimizer steps on
// loss = −Σ min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A) / (contexts × K) + β_KL · Σ_contexts KL(π ‖ π_ref) / contexts,
// ρ = π(item) / π_old(item) against the policy that sampled, the KL exact over the catalogue.
// The reference policy is the parent SFT run's best checkpoint, frozen.
#include <ATen/core/Tensor.h>
#include <torch/optim/adam.h>

#include <cstdint>
#include <vector>

#include "reward/reward_model.h"
#include "torch/model/sasrec_module.h"
#include "train/sasrec_run_config.h"
#include "train/sasrec_sequences.h"

namespace tiltbench {

// log π over the catalogue with `excluded` entries (bool [N, C], true = history) at probability 0: their
// log-probability is a large negative constant rather than −inf, so KL terms and gradients stay finite.
at::Tensor maskedLogProbs(const at::Tensor& logits, const at::Tensor& excluded);

// Per pair: −log σ(β·[(pw − rw) − (pl − rl)]), the log-probabilities of the winner and loser under the
// policy (p) and the reference (r).
at::Tensor dpoPairLoss(const at::Tensor& policyWinner, const at::Tensor& policyLoser,
                       const at::Tensor& referenceWinner, const at::Tensor& referenceLoser, double beta);

// Per sample: min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A) with ρ = exp(logpNew − logpOld).
at::Tensor ppoClippedObjective(const at::Tensor& logpNew, const at::Tensor& logpOld,
                               const at::Tensor& advantage, double clip);

// Per row: Σ_items π(i)·(log π(i) − log π_ref(i)), both from maskedLogProbs.
at::Tensor exactKl(const at::Tensor& logp, const at::Tensor& referenceLogp);

// `count` items per row drawn from exp(logp) with torch's generator (reproducible for a seed): with
// replacement, or `count` distinct items. [N, count] int64. Items outside the history keep a floor of 1e-30,
// so a policy peaked to one item in float still yields `count` distinct items.
at::Tensor sampleItems(const at::Tensor& logp, int64_t count, bool replacement);

// The contexts of some training sequences, ready for the model: padded inputs, lengths, the flat index of
// each context's step, its user and its history mask.
struct OnlineContexts {
    at::Tensor inputs;    // [rows, length] item + 1, 0 = padding
    at::Tensor lengths;   // [rows]
    at::Tensor times;     // [rows, length] the inputs' timestamps (HSTU), undefined when unknown
    at::Tensor index;     // [N] row · length + step
    at::Tensor excluded;  // [N, numItems] bool
    std::vector<int32_t> users;
    int64_t size() const { return static_cast<int64_t>(users.size()); }
};
OnlineContexts onlineContexts(const std::vector<const TrainSequence*>& rows,
                              const std::vector<int32_t>& trainingItems, int32_t numItems,
                              const torch::Device& device);

// One batch of DPO or PPO (the config's objective) on `policy`, with its own optimizer steps. Returns the
// batch's loss (PPO: before its first step). `reference` is not changed.
class OnlineObjective {
  public:
    OnlineObjective(const SasrecRunConfig& config, Sasrec& policy, Sasrec& reference,
                    const RewardModel& reward, const std::vector<int32_t>& trainingItems, int32_t numItems,
                    torch::Device device);
    double step(const std::vector<const TrainSequence*>& batch, torch::optim::Adam& optimizer);

  private:
    at::Tensor logProbs(Sasrec& module, const OnlineContexts& c);
    at::Tensor rewards(const OnlineContexts& c, const at::Tensor& items) const;  // [N, k] float
    double dpoStep(const std::vector<std::vector<const TrainSequence*>>& slices,
                   torch::optim::Adam& optimizer);
    double ppoStep(const std::vector<std::vector<const TrainSequence*>>& slices,
                   torch::optim::Adam& optimizer);

    const SasrecRunConfig& m_config;
    Sasrec& m_policy;
    Sasrec& m_reference;
    const RewardModel& m_reward;
    const std::vector<int32_t>& m_trainingItems;
    int32_t m_numItems;
    torch::Device m_device;
};

}  // namespace tiltbench
