#include "data/summary.h"

#include <gtest/gtest.h>

#include <cmath>

#include "store/simulated_dataset.h"
#include "support/test_support.h"
#include "support/toy_log.h"

using namespace tiltbench;
using tiltbench::test::LogRow;
using tiltbench::test::makeEvalLog;

TEST(Summary, HandComputedTinyLog) {
    // Items: 0 = w, 1 = x, 2 = y, 3 = z (never logged).
    const auto log = makeEvalLog(3, 4,
                                 {{0, 1, 5, 10},
                                  {0, 2, 3, 20},  //
                                  {1, 1, 4, 5},   //
                                  {2, 1, 1, 30},
                                  {2, 0, 5, 40},
                                  {2, 2, 3, 50}});
    log.validate();
    const auto s = summarize(log);
    EXPECT_EQ(s.rows, 6);
    EXPECT_EQ(s.users, 3);
    EXPECT_EQ(s.items, 4);
    EXPECT_DOUBLE_EQ(s.density, 0.5);
    EXPECT_EQ(s.rewardMin, 1);
    EXPECT_EQ(s.rewardMax, 5);
    EXPECT_DOUBLE_EQ(s.rewardMean, 3.5);
    EXPECT_NEAR(s.rewardStd, std::sqrt(11.5 / 6), 1e-12);  // population std

    EXPECT_TRUE(s.discreteRewards);
    ASSERT_EQ(s.rewardLevels.size(), 4u);
    const double levels[] = {1, 3, 4, 5};
    const int64_t counts[] = {1, 2, 1, 2};
    for (size_t k = 0; k < 4; ++k) {
        EXPECT_EQ(s.rewardLevels[k].reward, levels[k]);
        EXPECT_EQ(s.rewardLevels[k].count, counts[k]);
    }

    ASSERT_EQ(s.itemsByPopularity.size(), 4u);
    EXPECT_EQ(s.itemsByPopularity[0].item, 1);
    EXPECT_EQ(s.itemsByPopularity[0].count, 3);
    EXPECT_DOUBLE_EQ(s.itemsByPopularity[0].meanReward, 10.0 / 3);
    EXPECT_EQ(s.itemsByPopularity[1].item, 2);
    EXPECT_EQ(s.itemsByPopularity[1].count, 2);
    EXPECT_DOUBLE_EQ(s.itemsByPopularity[1].meanReward, 3.0);
    EXPECT_EQ(s.itemsByPopularity[2].item, 0);
    EXPECT_DOUBLE_EQ(s.itemsByPopularity[2].meanReward, 5.0);
    EXPECT_EQ(s.itemsByPopularity[3].item, 3);
    EXPECT_EQ(s.itemsByPopularity[3].count, 0);

    EXPECT_EQ(s.minSequence, 1);
    EXPECT_EQ(s.maxSequence, 3);
    EXPECT_DOUBLE_EQ(s.meanSequence, 2.0);
    EXPECT_DOUBLE_EQ(s.medianSequence, 2.0);
    EXPECT_EQ(s.tsMin, 5);
    EXPECT_EQ(s.tsMax, 50);
    // Top 20 % of 4 items rounds up to one item (x): 3 of 6 rows.
    EXPECT_DOUBLE_EQ(s.topFifthShare, 0.5);
}

TEST(Summary, PopularityTiesAndEvenMedian) {
    const auto log = makeEvalLog(4, 10,
                                 {{0, 3, 2, 1},
                                  {0, 1, 4, 2},  //
                                  {1, 1, 4, 3},
                                  {1, 3, 2, 4},
                                  {1, 5, 1, 5},
                                  {1, 6, 1, 6},
                                  {1, 7, 1, 7},
                                  {2, 8, 3, 8},  //
                                  {3, 9, 3, 9},
                                  {3, 0, 3, 10}});
    const auto s = summarize(log);
    // Items 1 and 3 both have two rows: the lower id comes first.
    EXPECT_EQ(s.itemsByPopularity[0].item, 1);
    EXPECT_EQ(s.itemsByPopularity[1].item, 3);
    EXPECT_EQ(s.itemsByPopularity[2].item, 0);
    EXPECT_DOUBLE_EQ(s.medianSequence, 2.0);  // lengths 2, 5, 1, 2
    EXPECT_DOUBLE_EQ(s.topFifthShare, 0.4);   // items 1 and 3: 4 of 10 rows
}

TEST(Summary, ContinuousRewardsGoInTwentyBins) {
    std::vector<LogRow> rows;
    for (int k = 0; k <= 100; ++k) {
        rows.push_back({0, k % 3, k * 0.1, k});  // 101 distinct values from 0 to 10
    }
    const auto s = summarize(makeEvalLog(1, 3, rows));
    EXPECT_FALSE(s.discreteRewards);
    ASSERT_EQ(s.rewardLevels.size(), 20u);
    EXPECT_DOUBLE_EQ(s.rewardLevels.front().reward, 0.25);
    EXPECT_DOUBLE_EQ(s.rewardLevels.back().reward, 9.75);
    int64_t total = 0;
    for (const auto& level : s.rewardLevels) {
        total += level.count;
    }
    EXPECT_EQ(total, 101);
    EXPECT_GE(s.rewardLevels.back().count, 5);  // the maximum lands in the last bin
    EXPECT_DOUBLE_EQ(s.rewardMean, 5.0);
}

TEST(Summary, EmptyLogIsAllZeros) {
    const auto s = summarize(makeEvalLog(0, 0, {}));
    EXPECT_EQ(s.rows, 0);
    EXPECT_EQ(s.density, 0.0);
    EXPECT_TRUE(s.rewardLevels.empty());
    EXPECT_TRUE(s.itemsByPopularity.empty());
    EXPECT_EQ(s.topFifthShare, 0.0);
}

TEST(Summary, AgreesWithTheStoreOnASimulatedLog) {
    tiltbench::test::TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    SimulatorConfig c;
    c.users = 100;
    c.items = 200;
    c.interactions = 3000;
    const auto info = generateDataset(ws, "sim", c);
    const auto s = summarize(ws.loadLog(info.id));
    EXPECT_EQ(s.rows, info.rows);
    EXPECT_EQ(s.users, info.users);
    EXPECT_EQ(s.items, info.items);
    EXPECT_EQ(s.rewardMin, info.rewardMin);
    EXPECT_EQ(s.rewardMax, info.rewardMax);
    EXPECT_NEAR(s.rewardMean, info.rewardMean, 1e-9);
    EXPECT_TRUE(s.discreteRewards);
    EXPECT_LE(s.rewardLevels.size(), 5u);
    EXPECT_GE(s.minSequence, c.minPerUser);
    EXPECT_GT(s.topFifthShare, 0.5);  // Zipf exposure: a long tail
}
