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
#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "store/dataset_info.h"
#include "store/workspace.h"

namespace tiltbench {

struct SimulatorConfig {
    int64_t users = 943;
    int64_t items = 1682;
    int64_t interactions = 100000;
    int64_t minPerUser = 5;  // every user gets at least this many interactions
    int tasteDim = 8;
    double popularityExponent = 1.0;            // Zipf exponent of item exposure (0 = uniform)
    double qualityPopularityCorrelation = 0.0;  // Spearman correlation of quality and exposure, in [-1, 1]
    double globalMean = 3.0;      // latent reward mean over all (user, item) pairs; logged rewards run higher
    double qualityScale = 0.8;    // spread of item quality (reward units)
    double userBiasScale = 0.4;   // spread of user bias (reward units)
    double tasteScale = 0.6;      // spread of the user × item taste term (reward units)
    double noise = 0.8;           // reward noise (std dev, before rounding to 1..5)
    double selfSelection = 0.8;   // how much users pick items they expect to like (0 = pure exposure)
    double activitySpread = 1.0;  // σ of the log-normal user activity (0 = everyone equally active)
    int64_t startTime = 1577836800;  // first possible timestamp, seconds since the epoch (2020-01-01 UTC)
    double timeSpanDays = 365.0;     // length of the logging period
    uint64_t seed = 42;

    // Throws Error naming the first bad field (by its JSON key) and what was expected.
    void validate() const;
    // JSON object with snake_case keys (users, items, taste_dim, …); used for dataset meta and the truth
    // record.
    std::string toJson() const;
    // Missing keys keep their defaults; unknown keys and wrong types are errors. Does not validate.
    static SimulatorConfig fromJson(const std::string& json);
};

struct GroundTruth {
    SimulatorConfig config;
    double globalMean = 3.0;           // = config.globalMean
    std::vector<double> itemQuality;   // items
    std::vector<double> itemExposure;  // items, sums to 1
    std::vector<double> userBias;      // users
    std::vector<float> userTaste;      // users × tasteDim
    std::vector<float> itemTaste;      // items × tasteDim

    // Draws every latent parameter from `config` (validated) — what generateDataset stores.
    static GroundTruth sample(const SimulatorConfig& config);

    // quality_i + taste_u · taste_i (dense ids).
    double affinity(int32_t user, int32_t item) const;
    // E[reward | user, item] under the simulator's noise and 1..5 rounding (dense ids): exact, closed form.
    // Throws Error for ids out of range.
    double expectedReward(int32_t user, int32_t item) const;

    GroundTruthRecord toRecord() const;
    static GroundTruth fromRecord(const GroundTruthRecord& record);  // throws Error on a malformed record
};

// Generates a dataset named `name` into `ws` (one transaction) and returns its catalogue row. Users are
// "u1"…, items "i1"… (dense ids in that order), titles name each item's quality and exposure rank.
// Timestamps are strictly increasing per user and lie in [startTime, startTime + timeSpanDays] (a user with
// more rows than seconds in their activity window spills past its end by a second per extra row).
DatasetInfo generateDataset(Workspace& ws, const std::string& name, const SimulatorConfig& config,
                            const ProgressCallback& progress = {});

}  // namespace tiltbench
