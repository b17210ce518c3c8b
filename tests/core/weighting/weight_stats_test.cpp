#include "weighting/weight_stats.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "common/error.h"
#include "core/weighting/weighting_test_data.h"
#include "weighting/reward_level_table.h"

using namespace tiltbench;
using tiltbench::test::makeTargets;
using tiltbench::test::randomTargets;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace weight_stats_test_file {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Items 0..2; rewards 1 and 5. λ = 4/ln 3 makes w(1) = 1/3, w(5) = 1.
TargetColumns handTargets() {
    return makeTargets(3, {{0, 1.0}, {0, 1.0}, {1, 5.0}, {2, 1.0}, {2, 5.0}});
}
const double kThirdLambda = 4.0 / std::log(3.0);

// Per-target reference: the definitions in weight_stats.h computed the slow way.
struct Naive {
    double essRatio;
    std::vector<double> share;
};
Naive naive(const TargetColumns& t, const WeightScheme& scheme) {
    RewardLevelTable table(t.view());
    const auto lw = table.levelWeights(scheme);
    double s1 = 0.0, s2 = 0.0;
    std::vector<double> mass(static_cast<size_t>(t.numItems), 0.0);
    for (size_t k = 0; k < t.size(); ++k) {
        const double w = lw.weightOf(t.reward[k]);
        s1 += w;
        s2 += w * w;
        mass[static_cast<size_t>(t.item[k])] += w;
    }
    for (auto& m : mass) {
        m /= s1;
    }
    return {s1 * s1 / (static_cast<double>(t.size()) * s2), mass};
}

void expectAllFinite(const WeightStats& s) {
    EXPECT_TRUE(std::isfinite(s.ess) && s.essRatio > 0.0 && s.essRatio <= 1.0) << s.essRatio;
    EXPECT_TRUE(std::isfinite(s.maxWeight) && s.maxWeight > 0.0);
    EXPECT_TRUE(std::isfinite(s.minWeight) && s.minWeight > 0.0) << s.minWeight;
    EXPECT_TRUE(std::isfinite(s.meanWeight) && s.meanWeight > 0.0);
    EXPECT_TRUE(std::isfinite(s.maxOverMean));
    EXPECT_TRUE(std::isfinite(s.gini));
    for (const auto& l : s.levels) {
        EXPECT_TRUE(std::isfinite(l.mass) && std::isfinite(l.weight) && l.weight > 0.0);
    }
    for (const double v : s.itemShare) {
        EXPECT_TRUE(std::isfinite(v) && v >= 0.0);
    }
}

}  // namespace

TEST(WeightStats, HandComputedCase) {
    RewardLevelTable table(handTargets().view());
    const auto s = computeWeightStats(table, WeightScheme::exp(kThirdLambda));
    // Σw = 3·(1/3) + 2 = 3, Σw² = 3/9 + 2 = 7/3, ESS = 9 / (7/3) = 27/7.
    EXPECT_NEAR(s.ess, 27.0 / 7.0, 1e-12);
    EXPECT_NEAR(s.essRatio, 27.0 / 35.0, 1e-12);
    EXPECT_EQ(s.numTargets, 5);
    ASSERT_EQ(s.levels.size(), 2u);
    EXPECT_FALSE(s.levelsBinned);
    EXPECT_EQ(s.levels[0].reward, 1.0);
    EXPECT_EQ(s.levels[0].count, 3);
    EXPECT_NEAR(s.levels[0].weight, 1.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.levels[0].mass, 1.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.levels[0].uniformMass, 0.6, 1e-15);
    EXPECT_NEAR(s.levels[1].mass, 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.levels[1].uniformMass, 0.4, 1e-15);
    EXPECT_NEAR(s.topLevelMass, 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.maxWeight, 1.0, 1e-15);
    EXPECT_NEAR(s.minWeight, 1.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.meanWeight, 0.6, 1e-12);
    EXPECT_NEAR(s.maxOverMean, 5.0 / 3.0, 1e-12);

    // Item masses 2/3, 1, 4/3 of 3 → shares 2/9, 3/9, 4/9 against uniform 2/5, 1/5, 2/5.
    ASSERT_EQ(s.itemShare.size(), 3u);
    EXPECT_NEAR(s.itemShare[0], 2.0 / 9.0, 1e-12);
    EXPECT_NEAR(s.itemShare[1], 3.0 / 9.0, 1e-12);
    EXPECT_NEAR(s.itemShare[2], 4.0 / 9.0, 1e-12);
    EXPECT_NEAR(table.uniformShare()[1], 0.2, 1e-15);
    // Gini of (2, 3, 4)/9: (−2·2 + 0·3 + 2·4)/9 / 3 = 4/27; uniform (1, 2, 2)/5: (−2 + 0 + 4)/5 / 3 = 2/15.
    EXPECT_NEAR(s.gini, 4.0 / 27.0, 1e-12);
    EXPECT_NEAR(s.uniformGini, 2.0 / 15.0, 1e-12);

    // Changes: item 0 −8/45, item 1 +6/45, item 2 +2/45.
    ASSERT_EQ(s.gainers.size(), 2u);
    EXPECT_EQ(s.gainers[0].item, 1);
    EXPECT_NEAR(s.gainers[0].change, 6.0 / 45.0, 1e-12);
    EXPECT_NEAR(s.gainers[0].lift, (1.0 / 3.0) / 0.2, 1e-12);
    EXPECT_EQ(s.gainers[0].count, 1);
    EXPECT_EQ(s.gainers[1].item, 2);
    EXPECT_NEAR(s.gainers[1].change, 2.0 / 45.0, 1e-12);
    ASSERT_EQ(s.losers.size(), 1u);
    EXPECT_EQ(s.losers[0].item, 0);
    EXPECT_NEAR(s.losers[0].change, -8.0 / 45.0, 1e-12);

    // Lorenz with 3 points: y(0.5) = (2/9 + ½·3/9) = 7/18.
    WeightStatsOptions o;
    o.lorenzPoints = 3;
    const auto l3 = computeWeightStats(table, WeightScheme::exp(kThirdLambda), o);
    ASSERT_EQ(l3.lorenz.size(), 3u);
    EXPECT_EQ(l3.lorenz[0], 0.0);
    EXPECT_NEAR(l3.lorenz[1], 7.0 / 18.0, 1e-12);
    EXPECT_EQ(l3.lorenz[2], 1.0);
    ASSERT_EQ(l3.uniformLorenz.size(), 3u);
    EXPECT_NEAR(l3.uniformLorenz[1], (0.2 + 0.5 * 0.4), 1e-12);

    // Mean normalisation scales the per-target weights (5/9, 5/3) and nothing else.
    auto mean = WeightScheme::exp(kThirdLambda);
    mean.normalization = WeightNormalization::Mean;
    const auto m = computeWeightStats(table, mean);
    EXPECT_NEAR(m.meanWeight, 1.0, 1e-12);
    EXPECT_NEAR(m.levels[0].weight, 5.0 / 9.0, 1e-12);
    EXPECT_NEAR(m.maxWeight, 5.0 / 3.0, 1e-12);
    EXPECT_NEAR(m.essRatio, s.essRatio, 1e-12);
    EXPECT_NEAR(m.itemShare[2], s.itemShare[2], 1e-12);
}

TEST(WeightStats, UnloggedItemsCountAsZerosInGini) {
    RewardLevelTable table(makeTargets(3, {{1, 2.0}, {2, 2.0}}).view());
    const auto s = computeWeightStats(table, WeightScheme::uniform());
    // Shares (0, ½, ½): (−2·0 + 0 + 2·½) / 3 = 1/3.
    EXPECT_NEAR(s.gini, 1.0 / 3.0, 1e-12);
    EXPECT_EQ(s.itemShare[0], 0.0);
    EXPECT_TRUE(s.gainers.empty());
    EXPECT_TRUE(s.losers.empty());
}

TEST(WeightStats, MatchesPerTargetComputation) {
    const auto t = randomTargets(3000, 40);
    RewardLevelTable table(t.view());
    for (auto scheme : {WeightScheme::exp(0.7), WeightScheme::exp(3.0), WeightScheme::linear(),
                        WeightScheme::filter(4.0)}) {
        for (const auto norm : {WeightNormalization::None, WeightNormalization::Mean}) {
            scheme.normalization = norm;
            const auto s = computeWeightStats(table, scheme);
            const auto ref = naive(t, scheme);
            EXPECT_NEAR(s.essRatio, ref.essRatio, 1e-12) << scheme.describe();
            for (size_t i = 0; i < ref.share.size(); ++i) {
                EXPECT_NEAR(s.itemShare[i], ref.share[i], 1e-12) << scheme.describe() << " item " << i;
            }
        }
    }
}

TEST(WeightStats, InfiniteLambdaEqualsUniform) {
    RewardLevelTable table(randomTargets(5000, 60).view());
    const auto inf = computeWeightStats(table, WeightScheme::exp(kInf));
    EXPECT_EQ(inf.essRatio, 1.0);
    EXPECT_EQ(inf.itemShare, table.uniformShare());
    EXPECT_EQ(inf.gini, table.uniformGini());
    EXPECT_TRUE(inf.gainers.empty());
    EXPECT_TRUE(inf.losers.empty());
    for (const auto& l : inf.levels) {
        EXPECT_NEAR(l.mass, l.uniformMass, 1e-15);
    }
    const auto big = computeWeightStats(table, WeightScheme::exp(1e6));
    EXPECT_NEAR(big.essRatio, 1.0, 1e-6);
    EXPECT_NEAR(big.gini, inf.gini, 1e-6);
    for (size_t i = 0; i < big.itemShare.size(); ++i) {
        EXPECT_NEAR(big.itemShare[i], table.uniformShare()[i], 1e-6);
    }
    for (const auto& l : big.levels) {
        EXPECT_NEAR(l.mass, l.uniformMass, 1e-6);
    }
}

TEST(WeightStats, EssNeverRisesAsLambdaFalls) {
    RewardLevelTable table(randomTargets(5000, 60).view());
    auto grid = logLambdaGrid(1e-4, 1e6, 400);  // ascending, then ∞
    const auto curve = essCurve(table, WeightScheme::exp(1.0), grid);
    ASSERT_EQ(curve.size(), 401u);
    EXPECT_EQ(curve.back().essRatio, 1.0);
    for (size_t k = 1; k < curve.size(); ++k) {
        EXPECT_LE(curve[k - 1].essRatio, curve[k].essRatio + 1e-12)
            << "λ " << curve[k - 1].lambda << " → " << curve[k].lambda;
        EXPECT_LE(curve[k].topLevelMass, curve[k - 1].topLevelMass + 1e-12);
    }
    // The curve and the full statistics agree.
    for (const double lambda : {0.05, 0.5, 5.0}) {
        const auto one = essCurve(table, WeightScheme::exp(1.0), {lambda});
        const auto s = computeWeightStats(table, WeightScheme::exp(lambda));
        EXPECT_NEAR(one[0].essRatio, s.essRatio, 1e-15);
        EXPECT_NEAR(one[0].maxOverMean, s.maxOverMean, 1e-12);
    }
}

TEST(WeightStats, SmallLambdaPutsAllMassOnTheTopLevel) {
    const auto t = randomTargets(5000, 60);
    RewardLevelTable table(t.view());
    const double topShare =
        static_cast<double>(table.levelCount().back()) / static_cast<double>(table.numTargets());
    for (const double lambda : {1e-2, 1e-3, 1e-4}) {
        const auto s = computeWeightStats(table, WeightScheme::exp(lambda));
        EXPECT_NEAR(s.topLevelMass, 1.0, 1e-12) << lambda;
        EXPECT_NEAR(s.levels.back().mass, 1.0, 1e-12);
        EXPECT_NEAR(s.essRatio, topShare, 1e-12);
        // Only items with a top-level target keep any share.
        for (size_t i = 0; i < s.itemShare.size(); ++i) {
            bool hasTop = false;
            for (auto c = table.itemOffsets()[i]; c < table.itemOffsets()[i + 1]; ++c) {
                hasTop = hasTop || table.cells()[static_cast<size_t>(c)].level + 1 ==
                                       static_cast<int32_t>(table.numLevels());
            }
            if (!hasTop) {
                EXPECT_LT(s.itemShare[i], 1e-12);
            }
        }
        expectAllFinite(s);
    }
}

TEST(WeightStats, ExtremeRewardsAndLambdasStayFinite) {
    const auto t = makeTargets(3, {{0, -1e6}, {1, 0.0}, {2, 1e6}, {2, 1e6}, {0, -1e6}});
    RewardLevelTable table(t.view());
    for (const double lambda : {1e-4, 1e-2, 1.0, 1e6, kInf}) {
        for (const auto norm : {WeightNormalization::None, WeightNormalization::Mean}) {
            auto s = WeightScheme::exp(lambda);
            s.normalization = norm;
            const auto st = computeWeightStats(table, s);
            expectAllFinite(st);
            EXPECT_NEAR(st.itemShare[0] + st.itemShare[1] + st.itemShare[2], 1.0, 1e-12);
        }
    }
    const auto huge = makeTargets(2, {{0, -DBL_MAX}, {1, DBL_MAX}, {1, 0.0}});
    RewardLevelTable hugeTable(huge.view());
    for (const auto& s : {WeightScheme::exp(1e-4), WeightScheme::exp(1e6), WeightScheme::linear()}) {
        expectAllFinite(computeWeightStats(hugeTable, s));
    }
    EXPECT_TRUE(std::isfinite(hugeTable.meanReward()));
}

TEST(WeightStats, ConstantRewardsAndOneItem) {
    RewardLevelTable table(makeTargets(1, {{0, 4.0}, {0, 4.0}, {0, 4.0}}).view());
    for (const auto& s : {WeightScheme::exp(1e-4), WeightScheme::exp(kInf), WeightScheme::linear(),
                          WeightScheme::filter(), WeightScheme::uniform()}) {
        const auto st = computeWeightStats(table, s);
        EXPECT_EQ(st.essRatio, 1.0) << s.describe();
        EXPECT_EQ(st.itemShare, std::vector<double>{1.0});
        EXPECT_EQ(st.gini, 0.0);
        EXPECT_EQ(st.topLevelMass, 1.0);
        EXPECT_EQ(st.maxOverMean, 1.0);
        expectAllFinite(st);
    }
}

TEST(WeightStats, ClipCapsTheNormalisedMaximum) {
    RewardLevelTable table(randomTargets(2000, 30).view());
    auto s = WeightScheme::exp(0.05);
    s.normalization = WeightNormalization::Mean;
    const auto loose = computeWeightStats(table, s);
    ASSERT_GT(loose.maxWeight, 3.0);
    s.clip = 3.0;
    const auto clipped = computeWeightStats(table, s);
    EXPECT_NEAR(clipped.maxWeight, 3.0, 1e-12);
    EXPECT_NEAR(clipped.meanWeight, 1.0, 1e-12);
    EXPECT_GT(clipped.essRatio, loose.essRatio);  // clipping trades tilt for effective sample size
}

TEST(WeightStats, ContinuousRewardsStayExact) {
    // 4000 distinct rewards over 5000 items: more cells than the dense counting table allows, so this also
    // runs the per-item sorting path. Levels are reported in bins, statistics stay exact.
    TargetColumns t;
    t.numItems = 5000;
    for (int k = 0; k < 4000; ++k) {
        t.item.push_back((k * 37) % 5000);
        t.reward.push_back(std::sin(k * 0.7) * 3.0 + k * 1e-6);
        t.prevItem.push_back(-1);
    }
    RewardLevelTable table(t.view());
    EXPECT_EQ(table.numLevels(), 4000u);
    const auto scheme = WeightScheme::exp(0.5);
    const auto s = computeWeightStats(table, scheme);
    EXPECT_TRUE(s.levelsBinned);
    EXPECT_LE(s.levels.size(), 64u);
    double mass = 0.0;
    int64_t count = 0;
    for (const auto& l : s.levels) {
        mass += l.mass;
        count += l.count;
    }
    EXPECT_NEAR(mass, 1.0, 1e-12);
    EXPECT_EQ(count, 4000);
    const auto ref = naive(t, scheme);
    EXPECT_NEAR(s.essRatio, ref.essRatio, 1e-12);
    for (size_t i = 0; i < ref.share.size(); ++i) {
        EXPECT_NEAR(s.itemShare[i], ref.share[i], 1e-12);
    }
}

TEST(WeightStats, LambdaGridAndSuggestion) {
    const auto grid = logLambdaGrid(0.01, 100.0, 60);
    ASSERT_EQ(grid.size(), 61u);
    EXPECT_EQ(grid.front(), 0.01);
    EXPECT_EQ(grid[59], 100.0);
    EXPECT_EQ(grid.back(), kInf);
    EXPECT_NEAR(grid[1] / grid[0], std::pow(1e4, 1.0 / 59.0), 1e-12);
    EXPECT_THROW(logLambdaGrid(0.0, 1.0, 10), Error);
    EXPECT_THROW(logLambdaGrid(2.0, 1.0, 10), Error);

    RewardLevelTable table(randomTargets(3000, 40).view());
    const double chosen = smallestLambdaWithEss(table, WeightScheme::exp(1.0), grid, 0.3);
    ASSERT_TRUE(std::isfinite(chosen));
    EXPECT_GE(computeWeightStats(table, WeightScheme::exp(chosen)).essRatio, 0.3);
    const auto below = std::find(grid.begin(), grid.end(), chosen);
    if (below != grid.begin()) {
        EXPECT_LT(computeWeightStats(table, WeightScheme::exp(*(below - 1))).essRatio, 0.3);
    }
    EXPECT_EQ(smallestLambdaWithEss(table, WeightScheme::exp(1.0), grid, 1.0), kInf);
    EXPECT_THROW(essCurve(table, WeightScheme::exp(1.0), {0.0}), Error);
}

}  // namespace weight_stats_test_file
