// compareAcrossSeeds (core/eval/seeded_comparison.h): the estimate by hand, and the two-level bootstrap's
// interval against the exact bootstrap distribution enumerated on a toy (2 seeds × 3 users: 4 seed draws ×
// 27 user draws, 108 equally likely replicates).
#include "eval/seeded_comparison.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/error.h"

namespace tiltbench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<SeedPairSeries> toy() {
    // Seed 0: differences +0.3, −0.1, (undefined); seed 1: +0.5, +0.1, +0.2.
    SeedPairSeries s0{{1, 2, 3}, {0.5, 0.2, kNaN}, {0.2, 0.3, 0.4}};
    SeedPairSeries s1{{1, 2, 3}, {0.9, 0.4, 0.6}, {0.4, 0.3, 0.4}};
    return {s0, s1};
}

TEST(SeededComparison, TheEstimateIsTheMeanOverSeedsOfThePairedMeans) {
    BootstrapConfig none;
    none.resamples = 0;
    const SeededDifference d = compareAcrossSeeds(toy(), none);
    ASSERT_EQ(d.perSeed.size(), 2u);
    EXPECT_NEAR(d.perSeed[0], (0.3 - 0.1) / 2.0, 1e-12);        // user 3 has no pair in seed 0
    EXPECT_NEAR(d.perSeed[1], (0.5 + 0.1 + 0.2) / 3.0, 1e-12);  // 0.2667
    EXPECT_NEAR(d.diff, (0.1 + 0.8 / 3.0) / 2.0, 1e-12);
    EXPECT_NEAR(d.config, ((0.5 + 0.2) / 2.0 + (0.9 + 0.4 + 0.6) / 3.0) / 2.0, 1e-12);
    EXPECT_NEAR(d.baseline, ((0.2 + 0.3) / 2.0 + (0.4 + 0.3 + 0.4) / 3.0) / 2.0, 1e-12);
    EXPECT_EQ(d.users, 3);
    EXPECT_EQ(d.seeds, 2);
    EXPECT_TRUE(d.seedsAgree());
    EXPECT_TRUE(std::isnan(d.lo) && std::isnan(d.hi));
}

TEST(SeededComparison, TheIntervalMatchesTheExactTwoLevelBootstrapDistribution) {
    const auto seeds = toy();
    // Every replicate the procedure can draw, each with probability 1/108.
    const double diff[2][3] = {{0.3, -0.1, kNaN}, {0.5, 0.1, 0.2}};
    std::vector<double> exact;
    for (int s1 = 0; s1 < 2; ++s1)
        for (int s2 = 0; s2 < 2; ++s2)
            for (int u1 = 0; u1 < 3; ++u1)
                for (int u2 = 0; u2 < 3; ++u2)
                    for (int u3 = 0; u3 < 3; ++u3) {
                        double sum = 0.0;
                        int used = 0;
                        for (const int s : {s1, s2}) {
                            double num = 0.0, den = 0.0;
                            for (const int u : {u1, u2, u3}) {
                                if (!std::isnan(diff[s][u])) {
                                    num += diff[s][u];
                                    den += 1.0;
                                }
                            }
                            if (den > 0.0) {
                                sum += num / den;
                                ++used;
                            }
                        }
                        if (used > 0)
                            exact.push_back(sum / used);
                    }
    const auto below = [&](double x) {  // exact P(X < x) and P(X ≤ x)
        double lt = 0.0, le = 0.0;
        for (const double v : exact) {
            lt += v < x - 1e-12 ? 1.0 : 0.0;
            le += v <= x + 1e-12 ? 1.0 : 0.0;
        }
        return std::pair<double, double>{lt / static_cast<double>(exact.size()),
                                         le / static_cast<double>(exact.size())};
    };
    BootstrapConfig config;
    config.resamples = 40000;
    config.seed = 5;
    const SeededDifference d = compareAcrossSeeds(seeds, config);
    // lo is a 2.5 % quantile of the exact distribution (up to the sampling error of 40,000 draws, ~0.2 %).
    const auto [loLt, loLe] = below(d.lo);
    EXPECT_LE(loLt, 0.025 + 0.005) << d.lo;
    EXPECT_GE(loLe, 0.025 - 0.005) << d.lo;
    const auto [hiLt, hiLe] = below(d.hi);
    EXPECT_LE(hiLt, 0.975 + 0.005) << d.hi;
    EXPECT_GE(hiLe, 0.975 - 0.005) << d.hi;
    EXPECT_LT(d.lo, d.diff);
    EXPECT_GT(d.hi, d.diff);
    // The same seed gives the same interval.
    const SeededDifference again = compareAcrossSeeds(seeds, config);
    EXPECT_EQ(again.lo, d.lo);
    EXPECT_EQ(again.hi, d.hi);
}

TEST(SeededComparison, SeedsThatDisagreeWidenTheIntervalBeyondTheUsersAlone) {
    // 400 users; seed 0 gains +0.05 on every user, seed 1 loses 0.05: the users alone are certain of each
    // seed's difference, the seeds are not of the sign.
    const size_t n = 400;
    SeedPairSeries a, b;
    for (size_t u = 0; u < n; ++u) {
        const double noise = 0.01 * static_cast<double>(u % 7);
        a.users.push_back(static_cast<int32_t>(u));
        a.config.push_back(0.55 + noise);
        a.baseline.push_back(0.5 + noise);
        b.users.push_back(static_cast<int32_t>(u));
        b.config.push_back(0.45 + noise);
        b.baseline.push_back(0.5 + noise);
    }
    BootstrapConfig config;
    config.resamples = 2000;
    const SeededDifference both = compareAcrossSeeds({a, b}, config);
    EXPECT_NEAR(both.diff, 0.0, 1e-12);
    EXPECT_LE(both.lo, -0.04);  // a seed draw of (0, 0) or (1, 1) is a quarter of the replicates
    EXPECT_GE(both.hi, 0.04);
    EXPECT_FALSE(both.seedsAgree());
    const SeededDifference one = compareAcrossSeeds({a}, config);
    EXPECT_NEAR(one.lo, 0.05, 1e-9);  // every user gains exactly 0.05: no spread from the users
    EXPECT_NEAR(one.hi, 0.05, 1e-9);
}

TEST(SeededComparison, SeedsOnDifferentUsersAreRefused) {
    auto seeds = toy();
    seeds[1].users = {1, 2, 4};
    EXPECT_THROW(compareAcrossSeeds(seeds, {}), Error);
    EXPECT_THROW(compareAcrossSeeds({}, {}), Error);
    seeds = toy();
    seeds[0].config.pop_back();
    EXPECT_THROW(compareAcrossSeeds(seeds, {}), Error);
}

}  // namespace
}  // namespace tiltbench
