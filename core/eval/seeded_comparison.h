#pragma once
// Seeded comparison: one configuration against its baseline over several training seeds — the figure a λ
// claim rests on ("exp at λ = 1 beats SFT on high-reward NDCG@10 by +0.012 [+0.004, +0.021] over 3 seeds").
//
// Per seed s the configuration and the baseline were trained with the same seed (for post-training: from the
// same SFT parent) and evaluated on the same users' targets, so each user u has a paired difference
// d(s, u) = config(s, u) − baseline(s, u) (NaN where either is undefined, e.g. a low-reward target of a
// *_high metric). The estimate is the mean over seeds of the per-seed mean difference over users.
//
// The interval: a two-level percentile bootstrap over the crossed design. Users are crossed with seeds (every
// seed is evaluated on the same users), so a replicate draws S seeds with replacement — the units of training
// randomness — and one multiset of n users with replacement — the units of data — that every drawn seed
// shares, which keeps each user's pairing across seeds and runs intact. Why this procedure: resampling users
// alone (eval/bootstrap.h's paired bootstrap, here on the seed-averaged differences) ignores that another
// seed would have trained another model, so with a large test set it calls seed noise an effect; resampling
// seeds alone ignores which users happened to be in the test set. With one seed the seed draw is constant and
// this is exactly the paired user bootstrap. With few seeds (3) the seed level can only contribute a coarse
// distribution (10 distinct multisets) and slightly understates its variance (by (S − 1)/S), so the per-seed
// differences are reported too: a claim whose seeds disagree in sign is not established whatever the
// interval says. Replicate b draws from SeededRandom::derive(config.seed, b): the interval does not depend on
// threads.
#include <cstdint>
#include <vector>

#include "eval/bootstrap.h"

namespace tiltbench {

// One seed's per-user values of one metric, for the configuration and its baseline, over the same users.
struct SeedPairSeries {
    std::vector<int32_t> users;  // ascending; the same list for every seed
    std::vector<double> config;  // per user; NaN = outside the metric's subset
    std::vector<double> baseline;
};

struct SeededDifference {
    double config = 0.0;    // mean over seeds of the configuration's mean over the paired users
    double baseline = 0.0;  // the same for the baseline
    double diff = 0.0;      // mean over seeds of the per-seed mean paired difference (config − baseline)
    double lo = 0.0;        // two-level bootstrap percentile interval of diff; NaN without resamples
    double hi = 0.0;
    std::vector<double> perSeed;  // each seed's mean paired difference, in the given order
    int64_t users = 0;            // users with a paired value in at least one seed
    int seeds = 0;
    // Every seed's difference has the same sign as `diff` (a seed at exactly 0 disagrees).
    bool seedsAgree() const;
};

// Throws Error for a bad bootstrap config, no seed, or seeds whose user lists or series lengths differ.
SeededDifference compareAcrossSeeds(const std::vector<SeedPairSeries>& seeds, const BootstrapConfig& config);

}  // namespace tiltbench
