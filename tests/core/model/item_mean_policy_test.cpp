#include "model/item_mean_policy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "core/weighting/weighting_test_data.h"

using namespace tiltbench;
using tiltbench::test::makeTargets;

namespace {

// Item 0: one 5; item 1: four 4s; item 2: a 1 and a 2; item 3: never logged. μ = 24/7.
TargetColumns handTargets() {
    return makeTargets(4, {{0, 5.0}, {1, 4.0}, {1, 4.0}, {1, 4.0}, {1, 4.0}, {2, 1.0}, {2, 2.0}});
}

std::vector<float> scoresOf(const Scorer& s) {
    std::vector<UserContext> ctx(1);
    std::vector<float> out(static_cast<size_t>(s.numItems()));
    s.score(ctx, 0, s.numItems(), out.data());
    return out;
}

}  // namespace

TEST(ItemMeanPolicy, ShrunkMeansHandComputed) {
    RewardLevelTable table(handTargets().view());
    const ItemMeanPolicy k1(table, WeightScheme::uniform(), 1.0);
    EXPECT_NEAR(k1.globalMean(), 24.0 / 7.0, 1e-12);
    EXPECT_NEAR(k1.shrunkMean(0), 59.0 / 14.0, 1e-12);
    EXPECT_NEAR(k1.shrunkMean(1), 136.0 / 35.0, 1e-12);
    EXPECT_NEAR(k1.shrunkMean(2), 15.0 / 7.0, 1e-12);
    EXPECT_NEAR(k1.shrunkMean(3), 24.0 / 7.0, 1e-12);
    EXPECT_EQ(k1.ranking(), (std::vector<int32_t>{0, 1, 3, 2}));
    EXPECT_EQ(scoresOf(k1), (std::vector<float>{0.0f, -1.0f, -3.0f, -2.0f}));

    // A strong prior lets the well-supported 4s beat the single 5: 25/7 < 352/98.
    const ItemMeanPolicy k10(table, WeightScheme::uniform(), 10.0);
    EXPECT_NEAR(k10.shrunkMean(0), 25.0 / 7.0, 1e-12);
    EXPECT_NEAR(k10.shrunkMean(1), 352.0 / 98.0, 1e-12);
    EXPECT_EQ(k10.ranking()[0], 1);

    const ItemMeanPolicy k0(table, WeightScheme::uniform(), 0.0);  // plain means
    EXPECT_NEAR(k0.shrunkMean(2), 1.5, 1e-12);
}

TEST(ItemMeanPolicy, TiesBrokenByPopularity) {
    // Every reward is 3: every mean is 3, so the order is by count; the two unlogged items tie.
    RewardLevelTable table(
        makeTargets(5, {{0, 3.0}, {2, 3.0}, {2, 3.0}, {2, 3.0}, {1, 3.0}, {1, 3.0}}).view());
    const ItemMeanPolicy p(table, WeightScheme::exp(0.1));
    EXPECT_EQ(p.ranking(), (std::vector<int32_t>{2, 1, 0, 3, 4}));
    const auto s = scoresOf(p);
    EXPECT_EQ(s[2], 0.0f);
    EXPECT_EQ(s[3], s[4]);
    EXPECT_LT(s[3], s[0]);
}

TEST(ItemMeanPolicy, WeightedMeanAndExtremes) {
    RewardLevelTable table(handTargets().view());
    // λ = ∞ is the plain shrunk mean.
    const ItemMeanPolicy inf(table, WeightScheme::exp(std::numeric_limits<double>::infinity()), 1.0);
    EXPECT_NEAR(inf.shrunkMean(1), 136.0 / 35.0, 1e-12);
    // Tilting pulls each mean toward the item's best rewards; nothing becomes NaN at λ = 1e-4.
    const ItemMeanPolicy tilted(table, WeightScheme::exp(1e-4), 1.0);
    EXPECT_GT(tilted.globalMean(), 4.9);
    for (int32_t i = 0; i < 4; ++i) {
        EXPECT_TRUE(std::isfinite(tilted.shrunkMean(i)));
    }
    RewardLevelTable huge(makeTargets(2, {{0, 1e308}, {1, -1e308}, {1, 1e308}}).view());
    const ItemMeanPolicy h(huge, WeightScheme::uniform(), 1.0);
    EXPECT_TRUE(std::isfinite(h.shrunkMean(1)));
    EXPECT_EQ(h.ranking()[0], 0);
    EXPECT_THROW(ItemMeanPolicy(table, WeightScheme::uniform(), -1.0), Error);
}
