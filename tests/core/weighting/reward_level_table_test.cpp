#include "weighting/reward_level_table.h"

#include <gtest/gtest.h>

#include <cfloat>

#include "common/error.h"
#include "core/weighting/weighting_test_data.h"
#include "weighting/target_columns.h"

using namespace tiltbench;
using tiltbench::test::makeTargets;

TEST(WeightLevelTable, AggregatesByExactRewardValue) {
    const auto t =
        makeTargets(4, {{2, 5.0}, {0, 1.0}, {2, 1.0}, {0, 1.0}, {1, 5.0}, {2, 5.0}, {2, -0.0}, {1, 0.0}});
    RewardLevelTable table(t.view());
    EXPECT_EQ(table.numTargets(), 8);
    EXPECT_EQ(table.levelReward(), (std::vector<double>{0.0, 1.0, 5.0}));  // −0 and +0 are one level
    EXPECT_EQ(table.levelCount(), (std::vector<int64_t>{2, 3, 3}));
    EXPECT_EQ(table.itemCount(), (std::vector<int64_t>{2, 2, 4, 0}));
    EXPECT_EQ(table.itemOffsets(), (std::vector<int64_t>{0, 1, 3, 6, 6}));
    const auto& c = table.cells();
    ASSERT_EQ(c.size(), 6u);
    EXPECT_EQ(c[0].level, 1);  // item 0: two 1s
    EXPECT_EQ(c[0].count, 2);
    EXPECT_EQ(c[1].level, 0);  // item 1: one 0, one 5
    EXPECT_EQ(c[2].level, 2);
    EXPECT_EQ(c[3].level, 0);  // item 2: 0, 1, 5 ×2
    EXPECT_EQ(c[5].count, 2);
    EXPECT_EQ(table.targetLevel(), (std::vector<int32_t>{2, 1, 1, 1, 2, 2, 0, 0}));
    EXPECT_DOUBLE_EQ(table.itemMeanReward()[2], 11.0 / 4.0);
    EXPECT_EQ(table.itemMeanReward()[3], 0.0);
    EXPECT_DOUBLE_EQ(table.meanReward(), 18.0 / 8.0);
    EXPECT_EQ(table.popularityOrder(), (std::vector<int32_t>{2, 0, 1, 3}));
    EXPECT_EQ(table.minReward(), 0.0);
    EXPECT_EQ(table.maxReward(), 5.0);
}

TEST(WeightLevelTable, TargetWeightsFollowTheLevels) {
    const auto t = makeTargets(2, {{0, 1.0}, {1, 5.0}, {0, 3.0}, {1, 5.0}});
    RewardLevelTable table(t.view());
    std::vector<float> w(4);
    table.fillTargetWeights(WeightScheme::exp(2.0), w.data());
    EXPECT_FLOAT_EQ(w[0], static_cast<float>(std::exp(-2.0)));
    EXPECT_FLOAT_EQ(w[1], 1.0f);
    EXPECT_FLOAT_EQ(w[2], static_cast<float>(std::exp(-1.0)));
    table.fillTargetWeights(WeightScheme::exp(1e-4), w.data());
    EXPECT_EQ(w[0], FLT_MIN);  // positive even where the weight underflows a float
    table.fillTargetWeights(WeightScheme::filter(3.0), w.data());
    EXPECT_EQ(w, (std::vector<float>{0.0f, 1.0f, 1.0f, 1.0f}));
}

TEST(WeightLevelTable, RejectsEmptyOrInvalidTargets) {
    TargetColumns empty;
    empty.numItems = 3;
    try {
        RewardLevelTable table(empty.view());
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no training targets"), std::string::npos);
    }
    EXPECT_THROW(RewardLevelTable(makeTargets(2, {{2, 1.0}}).view()), Error);
    EXPECT_THROW(RewardLevelTable(makeTargets(2, {{0, std::nan("")}}).view()), Error);
    EXPECT_THROW(RewardLevelTable(makeTargets(2, {{0, 1.0, 5}}).view()), Error);
}

TEST(WeightLevelTable, LeaveOneOutTargets) {
    InteractionLog log;
    log.userIds = {"a", "b"};
    log.itemIds = {"x", "y", "z"};
    log.itemTitles = {"", "", ""};
    // User a: x y z x (two train), user b: y z (fewer than 3: trains on both).
    log.user = {0, 0, 0, 0, 1, 1};
    log.item = {0, 1, 2, 0, 1, 2};
    log.reward = {1, 2, 3, 4, 5, 1};
    log.ts = {1, 2, 3, 4, 1, 2};
    log.userOffsets = {0, 4, 6};
    log.validate();
    const auto t = TargetColumns::leaveOneOut(log);
    EXPECT_EQ(t.item, (std::vector<int32_t>{0, 1, 1, 2}));
    EXPECT_EQ(t.reward, (std::vector<double>{1, 2, 5, 1}));
    EXPECT_EQ(t.prevItem, (std::vector<int32_t>{-1, 0, -1, 1}));
    EXPECT_EQ(t.view().numItems, 3);
}

TEST(WeightLevelTable, GiniAndLorenzHelpers) {
    EXPECT_EQ(giniOfSorted({}), 0.0);
    EXPECT_EQ(giniOfSorted({3.0}), 0.0);
    EXPECT_EQ(giniOfSorted({1.0, 1.0, 1.0}), 0.0);
    EXPECT_NEAR(giniOfSorted({0.0, 0.0, 0.0, 1.0}), 0.75, 1e-15);
    const auto l = lorenzOfSorted({0.0, 0.0, 0.0, 1.0}, 5);
    EXPECT_EQ(l, (std::vector<double>{0.0, 0.0, 0.0, 0.0, 1.0}));
    EXPECT_EQ(lorenzOfSorted({}, 2), (std::vector<double>{0.0, 1.0}));
    EXPECT_THROW(lorenzOfSorted({1.0}, 1), Error);
}
