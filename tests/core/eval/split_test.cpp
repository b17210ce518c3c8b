#include "eval/split.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "core/eval/eval_fixture.h"

using namespace tiltbench;
using tiltbench::test::makeEvalLog;

namespace {

// u0: 4 rows, u1: 3 rows, u2: 2 rows (train only), u3: 1 row (train only), u4: none.
InteractionLog toyLog() {
    return makeEvalLog(5, 6,
                       {{0, 0, 3, 10},
                        {0, 1, 4, 20},
                        {0, 2, 5, 30},
                        {0, 3, 5, 40},
                        {1, 5, 1, 15},
                        {1, 3, 2, 25},
                        {1, 3, 2, 35},
                        {2, 1, 2, 12},
                        {2, 4, 5, 22},
                        {3, 2, 4, 50}});
}

}  // namespace

TEST(Split, LeaveOneOutCounts) {
    const auto log = toyLog();
    log.validate();
    const auto s = Split::make(log);
    // Training: u0 rows 0,1; u1 row 4; u2 rows 7,8; u3 row 9.
    EXPECT_EQ(s.training().size(), 6u);
    EXPECT_EQ(s.validation().size(), 2u);
    EXPECT_EQ(s.test().size(), 2u);
    EXPECT_EQ(s.training().logIndex, (std::vector<int64_t>{0, 1, 4, 7, 8, 9}));
    EXPECT_EQ(s.training().user, (std::vector<int32_t>{0, 0, 1, 2, 2, 3}));
    EXPECT_EQ(s.training().item, (std::vector<int32_t>{0, 1, 5, 1, 4, 2}));
    EXPECT_EQ(s.training().reward, (std::vector<double>{3, 4, 1, 2, 5, 4}));
    EXPECT_EQ(s.training().prevItem, (std::vector<int32_t>{-1, 0, -1, -1, 1, -1}));
}

TEST(Split, LeaveOneOutTargetsAndHistories) {
    const auto log = toyLog();
    const auto s = Split::make(log);
    const auto& v0 = s.validation()[0];
    EXPECT_EQ(v0.user, 0);
    EXPECT_EQ(v0.item, 2);
    EXPECT_EQ(v0.reward, 5);
    EXPECT_EQ(v0.logIndex, 2);
    EXPECT_EQ(v0.historyBegin, 0);
    EXPECT_EQ(v0.historyEnd, 2);
    const auto& t0 = s.test()[0];
    EXPECT_EQ(t0.item, 3);
    EXPECT_EQ(t0.historyLength(), 3);  // the validation item is part of the test history
    const auto& t1 = s.test()[1];
    EXPECT_EQ(t1.user, 1);
    EXPECT_EQ(t1.item, 3);
    EXPECT_EQ(t1.historyBegin, 4);
    EXPECT_EQ(t1.historyEnd, 6);
    EXPECT_EQ(&s.targets(EvalSet::Test), &s.test());
    EXPECT_EQ(s.cutTime(), 0);
}

TEST(Split, HashIsStableAndSensitive) {
    const auto log = toyLog();
    const auto a = Split::make(log);
    const auto b = Split::make(log);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.hashHex().size(), 16u);
    // Pinned: the hash feeds run records, so it must not change between builds or platforms.
    EXPECT_EQ(a.hashHex(), "bd0cc11b4342ba0b");
    auto changed = log;
    changed.reward[9] = 3;
    EXPECT_NE(Split::make(changed).hash(), a.hash());
    SplitConfig time;
    time.kind = SplitKind::Time;
    EXPECT_NE(Split::make(log, time).hash(), a.hash());
}

TEST(Split, TimeSplitAtQuantile) {
    const auto log = toyLog();
    SplitConfig c;
    c.kind = SplitKind::Time;
    c.timeQuantile = 0.5;     // sorted ts: 10 12 15 20 22 | 25 30 35 40 50 → cut = ts[5] = 25
    c.validationShare = 0.0;  // every evaluated user goes to test
    const auto s = Split::make(log, c);
    EXPECT_EQ(s.cutTime(), 25);
    // Training: ts < 25 → u0 rows 0,1; u1 row 4; u2 rows 7,8.
    EXPECT_EQ(s.training().logIndex, (std::vector<int64_t>{0, 1, 4, 7, 8}));
    EXPECT_EQ(s.training().prevItem, (std::vector<int32_t>{-1, 0, -1, -1, 1}));
    // Targets: u0's first row ≥ 25 is row 2 (ts 30); u1's is row 5 (ts 25, at the cut); u2 has nothing
    // after; u3 has nothing before (cold start, skipped).
    ASSERT_EQ(s.test().size(), 2u);
    EXPECT_TRUE(s.validation().empty());
    EXPECT_EQ(s.test()[0].logIndex, 2);
    EXPECT_EQ(s.test()[0].historyEnd, 2);
    EXPECT_EQ(s.test()[1].logIndex, 5);
    EXPECT_EQ(s.test()[1].historyBegin, 4);
    EXPECT_EQ(s.test()[1].historyEnd, 5);

    c.validationShare = 1.0;
    const auto v = Split::make(log, c);
    EXPECT_EQ(v.validation().size(), 2u);
    EXPECT_TRUE(v.test().empty());
    EXPECT_NE(v.hash(), s.hash());
}

TEST(Split, TimeSplitDealIsSeededAndBalanced) {
    const auto log = tiltbench::test::makeRandomLog(400, 50, 4000, 7);
    SplitConfig c;
    c.kind = SplitKind::Time;
    const auto a = Split::make(log, c);
    const auto b = Split::make(log, c);
    EXPECT_EQ(a.hash(), b.hash());
    const auto total = a.validation().size() + a.test().size();
    ASSERT_GT(total, 200u);
    EXPECT_NEAR(static_cast<double>(a.validation().size()) / static_cast<double>(total), 0.5, 0.1);
    c.seed = 99;
    EXPECT_NE(Split::make(log, c).hash(), a.hash());
}

TEST(Split, RejectsBadConfigs) {
    const auto log = toyLog();
    SplitConfig c;
    c.kind = SplitKind::Time;
    c.timeQuantile = 1.0;
    EXPECT_THROW(Split::make(log, c), Error);
    c.timeQuantile = 0.5;
    c.validationShare = -0.1;
    EXPECT_THROW(Split::make(log, c), Error);
    EXPECT_THROW(SplitConfig::kindFromString("random"), Error);
    EXPECT_EQ(SplitConfig::kindFromString("leave-one-out"), SplitKind::LeaveOneOut);
    EXPECT_EQ(SplitConfig::kindFromString("time"), SplitKind::Time);
}

TEST(Split, EmptyLog) {
    const auto log = makeEvalLog(0, 3, {});
    const auto s = Split::make(log);
    EXPECT_EQ(s.training().size(), 0u);
    EXPECT_TRUE(s.test().empty());
    SplitConfig c;
    c.kind = SplitKind::Time;
    EXPECT_TRUE(Split::make(log, c).test().empty());
}
