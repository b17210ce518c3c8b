#pragma once
// Simulator: the built-in demo dataset, with ground truth. Items have a latent quality and an exposure
// popularity (Zipf-like) that are deliberately not the same thing (their rank correlation is a parameter);
// users have latent tastes; a logging policy shows popular items more and lets users pick what they expect to
// like; rewards 1–5 come from quality + taste + noise; timestamps make per-user sequences that interleave in
// time. The latent parameters are stored with the dataset, so the expected reward of any (user, item) —
// evaluation's `true_reward` — can be computed later with `GroundTruth::expectedReward`.
//
// The model (dense ids u, i; d = tasteDim; z, z' ~ N(0, 1) per item):
//   quality_i = qualityScale · z_i
//   exposure_i ∝ rank_i^(−popularityExponent), rank_i = rank of ρ·z_i + √(1−ρ²)·z'_i (a Gaussian copula);
//     ρ = 2·sin(π·qualityPopularityCorrelation / 6) makes the Spearman correlation of quality and exposure
//     equal to qualityPopularityCorrelation
//   bias_u ~ N(0, userBiasScale²); taste_u ~ N(0, I_d); taste_i = tasteScale · (uniform unit vector)
//   affinity(u, i) = quality_i + taste_u · taste_i (what the user expects, before their own bias)
//   logging policy: user u's n_u items are drawn without replacement with
//     P(i) ∝ exposure_i · exp(selfSelection · affinity(u, i)), then put in random time order
//   reward = clamp(round(globalMean + bias_u + affinity(u, i) + ε), 1, 5), ε ~ N(0, noise²)
//   n_u = minPerUser + a share of the rest ∝ exp(activitySpread · N(0, 1)) (log-normal), capped at the
//     catalogue size; Σ n_u = interactions exactly
//
// The generator only draws: it hands users, items and interactions to a SimulationSink; the store writes them
// into a workspace with the ground truth (store/simulated_dataset.h).
#include <cstdint>
#include <string>

#include "common/progress.h"
#include "data/ground_truth.h"

namespace tiltbench {

// Where a simulated dataset goes, in this order: every user (dense index 0, 1, … in call order), every item
// with its title (likewise), then the interactions user by user, each user's in time order.
class SimulationSink {
  public:
    virtual ~SimulationSink() = default;
    virtual void addUser(const std::string& externalId) = 0;
    virtual void addItem(const std::string& externalId, const std::string& title) = 0;
    virtual void addInteraction(int32_t user, int32_t item, double reward, int64_t ts) = 0;
};

// Draws the dataset of `config` (validated) from `truth` (GroundTruth::sample(config)) into `sink`, reporting
// progress as stage "generating" in rows. The same config gives the same dataset on every platform.
void simulate(const SimulatorConfig& config, const GroundTruth& truth, SimulationSink& sink,
              const ProgressCallback& progress = {});

}  // namespace tiltbench
