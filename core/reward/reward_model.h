#pragma once
// Reward models (issue 16): estimates r̂(user, item) of the reward a user would give an item, learned from the
// training split's logged rewards. The paper's diagnosis is that learned reward models are often no better
// than an item's mean reward; these are the models that question is asked of, from the simplest up:
//   • item-mean      r̂ = (Σ_i r + α·μ) / (n_i + α): the item's mean reward shrunk toward the global mean μ
//   with
//                    prior strength α (an item never logged gets μ);
//   • bias           r̂ = μ + b_u + b_i, ridge-regularised (λ), fitted by exact alternating minimisation;
//   • mf             r̂ = μ + b_u + b_i + p_uᵀq_i (dimension k), ridge-regularised, fitted by alternating
//   least
//                    squares: each user's (p_u, b_u) and each item's (q_i, b_i) is the exact solution of a
//                    (k+1)-dimensional ridge problem given the other side, so every sweep lowers the
//                    objective;
//   • sasrec-head    r̂ = μ + b_i + s_uᵀq_i: a shallow linear head on a finished SASRec run's hidden state
//                    (the paper's reward head). The SASRec body is FROZEN: its states are computed once
//                    (core/torch/train/reward_states.h) and the head (q_i, b_i) of every item is the exact
//                    ridge solution over the training targets, each target seen through the state of its own
//                    context (the user's history before it, in the training window the SFT trains on). A
//                    prediction r̂(u, i) reads the state after the user's whole training history — the context
//                    of the held-out targets — which the fit stores, so predicting needs no LibTorch.
// Torch-free and Qt-free; only the head's states come from behind the torch wall.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/progress.h"

namespace tiltbench {

enum class RewardModelKind { ItemMean, Bias, Factorisation, SasrecHead };

// "item-mean" | "bias" | "mf" | "sasrec-head"; parsing throws Error naming the accepted values.
RewardModelKind parseRewardModelKind(const std::string& text);
std::string formatRewardModelKind(RewardModelKind kind);

struct RewardModelOptions {
    RewardModelKind kind = RewardModelKind::ItemMean;
    double prior = 10.0;  // item-mean: α, pseudo-observations at the global mean (≥ 0)
    double l2 = 5.0;      // bias, mf: ridge strength λ on every bias and factor (> 0)
    int dim = 16;         // mf: k, 1..256
    int iterations = 15;  // bias, mf: alternating sweeps, 1..1000
    uint64_t seed = 1;    // mf: the factors' initial values
    int64_t stateRun =
        0;  // sasrec-head: the finished SASRec run whose hidden states the head reads (required)

    // Throws Error naming the option (--prior, --l2, --dim, --iterations, --state-run) and its range.
    void validate() const;
};

// Logged (user, item, reward) triples, dense ids below numUsers / numItems.
struct RewardObservations {
    int32_t numUsers = 0;
    int32_t numItems = 0;
    std::vector<int32_t> user;
    std::vector<int32_t> item;
    std::vector<double> reward;
};

// The hidden states a sasrec-head is fitted on: one per observation (its context's state; hasContext 0 for a
// user's first interaction, which no context precedes and the head leaves out) and one per user (after the
// whole training history). Row-major, `dim` floats per row.
struct RewardStates {
    int32_t dim = 0;
    std::vector<float> context;       // observations × dim
    std::vector<uint8_t> hasContext;  // observations
    std::vector<float> user;          // numUsers × dim
};
constexpr int32_t kMaxRewardStateDim = 1024;

class RewardModel {
  public:
    virtual ~RewardModel() = default;
    // Ids must be below the fitted numUsers / numItems (checked by the caller's data, not here).
    virtual double predict(int32_t user, int32_t item) const = 0;
    // The training objective after the last sweep (mean squared error plus the ridge terms over the number of
    // observations); NaN for item-mean, which has no iterative fit.
    virtual double objective() const = 0;
    // The fitted parameters as bytes that loadRewardModel reads back (little-endian; see reward_model.cpp);
    // empty for a model that cannot be stored.
    virtual std::string serialize() const { return {}; }
};

// Fits `options.kind` on `data` (a sasrec-head on `states`, which it requires and checks: sizes, dimension
// 1..kMaxRewardStateDim, finite values). Throws Error for bad options, an empty log or ids out of range;
// Cancelled when `progress` returns false (stage "fitting", one unit per sweep).
std::unique_ptr<RewardModel> fitRewardModel(const RewardObservations& data, const RewardModelOptions& options,
                                            const ProgressCallback& progress = {},
                                            const RewardStates* states = nullptr);

// A model that serialize() wrote, for a split with `numUsers` users and `numItems` items. The bytes come from
// a workspace, so they are untrusted: a wrong magic, kind or dimension, counts other than the split's, a
// length that does not match, or a non-finite parameter is an Error naming `where` — before anything is
// allocated from a count in the file.
std::unique_ptr<RewardModel> loadRewardModel(const std::string& bytes, int32_t numUsers, int32_t numItems,
                                             const std::string& where);

}  // namespace tiltbench
