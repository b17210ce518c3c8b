#include "model/popularity_policy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "core/weighting/weighting_test_data.h"

using namespace tiltbench;
using tiltbench::test::makeTargets;
using tiltbench::test::randomTargets;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace popularity_policy_test_file {

namespace {

// Item 0: three 1s; item 1: two 5s; item 2: one 5 and one 1; item 3: never logged.
TargetColumns handTargets() {
    return makeTargets(4, {{0, 1.0}, {0, 1.0}, {0, 1.0}, {1, 5.0}, {1, 5.0}, {2, 5.0}, {2, 1.0}});
}

std::vector<float> scoresOf(const Scorer& s, int32_t begin, int32_t end, size_t users = 1) {
    std::vector<UserContext> ctx(users);
    std::vector<float> out(users * static_cast<size_t>(end - begin));
    s.score(ctx, begin, end, out.data());
    return out;
}

}  // namespace

TEST(PopularityPolicy, UniformRanksByCountWithTies) {
    RewardLevelTable table(handTargets().view());
    const PopularityPolicy p(table, WeightScheme::uniform());
    EXPECT_EQ(p.numItems(), 4);
    EXPECT_NEAR(p.logProbability(0), std::log(3.0 / 7.0), 1e-12);
    EXPECT_NEAR(p.logProbability(1), std::log(2.0 / 7.0), 1e-12);
    EXPECT_EQ(p.logProbability(3), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(p.ranking(), (std::vector<int32_t>{0, 1, 2, 3}));
    // Dense ranks: item 0 first, items 1 and 2 tie, item 3 last.
    EXPECT_EQ(scoresOf(p, 0, 4), (std::vector<float>{0.0f, -1.0f, -1.0f, -2.0f}));
    // A slice, two users: the same row twice.
    EXPECT_EQ(scoresOf(p, 1, 3, 2), (std::vector<float>{-1.0f, -1.0f, -1.0f, -1.0f}));
    EXPECT_THROW(scoresOf(p, 2, 5), Error);
}

TEST(PopularityPolicy, TiltedHandComputed) {
    RewardLevelTable table(handTargets().view());
    // w(1) = 1/3, w(5) = 1: item masses 1, 2, 4/3 of 13/3.
    const PopularityPolicy p(table, WeightScheme::exp(4.0 / std::log(3.0)));
    EXPECT_NEAR(p.logProbability(0), std::log(3.0 / 13.0), 1e-12);
    EXPECT_NEAR(p.logProbability(1), std::log(6.0 / 13.0), 1e-12);
    EXPECT_NEAR(p.logProbability(2), std::log(4.0 / 13.0), 1e-12);
    EXPECT_EQ(p.ranking(), (std::vector<int32_t>{1, 2, 0, 3}));
    EXPECT_EQ(scoresOf(p, 0, 4), (std::vector<float>{-2.0f, 0.0f, -1.0f, -3.0f}));
}

TEST(PopularityPolicy, SmallLambdaRanksHighRewardItemsFirst) {
    RewardLevelTable table(handTargets().view());
    for (const double lambda : {0.1, 1e-2, 1e-4}) {
        const PopularityPolicy p(table, WeightScheme::exp(lambda));
        // Lexicographic in the limit: most top-level targets first, then the rest by count.
        EXPECT_EQ(p.ranking(), (std::vector<int32_t>{1, 2, 0, 3})) << lambda;
        EXPECT_NEAR(p.logProbability(1), std::log(2.0 / 3.0), 1e-9);
        EXPECT_TRUE(std::isfinite(p.logProbability(0)));  // log space: no underflow to −∞ at λ = 1e-4
    }
    // At λ = ∞ the popular low-reward item wins.
    EXPECT_EQ(
        PopularityPolicy(table, WeightScheme::exp(std::numeric_limits<double>::infinity())).ranking()[0], 0);
}

TEST(PopularityPolicy, UniformRankingIsTheCountOrderOnRandomData) {
    RewardLevelTable table(randomTargets(4000, 80).view());
    const PopularityPolicy p(table, WeightScheme::uniform());
    EXPECT_EQ(p.ranking(), table.popularityOrder());
    const PopularityPolicy tilted(table, WeightScheme::exp(0.2));
    EXPECT_NE(tilted.ranking(), table.popularityOrder());
    for (const double lp : tilted.logProbabilities()) {
        EXPECT_FALSE(std::isnan(lp));
    }
}

TEST(PopularityPolicy, OneItemAndFilter) {
    RewardLevelTable one(makeTargets(1, {{0, 2.0}, {0, 2.0}}).view());
    const PopularityPolicy p(one, WeightScheme::exp(1e-4));
    EXPECT_NEAR(p.logProbability(0), 0.0, 1e-15);
    RewardLevelTable table(handTargets().view());
    const PopularityPolicy f(table, WeightScheme::filter());  // only the 5s count
    EXPECT_EQ(f.logProbability(0), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(f.ranking()[0], 1);
    EXPECT_THROW(PopularityPolicy(table, WeightScheme::exp(-1.0)), Error);
}

}  // namespace popularity_policy_test_file
