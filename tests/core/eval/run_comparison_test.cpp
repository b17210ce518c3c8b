#include "eval/run_comparison.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "eval/popularity_profile.h"
#include "store/dataset_writer.h"
#include "support/test_support.h"

using namespace tiltbench;

namespace {

std::vector<MetricRow> finalRows(double ndcg, double high, double coverage) {
    const double nan = std::nan("");
    return {{-1, "test", "ndcg@10", ndcg, ndcg - 0.1, ndcg + 0.1},
            {-1, "test", "ndcg_high@10", high, nan, nan},
            {-1, "test", "coverage@10", coverage, nan, nan},
            {-1, "valid", "ndcg@10", 0.9, nan, nan},
            {3, "valid", "ndcg@10", 0.1, nan, nan}};
}

}  // namespace

TEST(RunComparison, PairsUsersAndMatchesThePairedBootstrap) {
    // Run: ndcg per user 1, 0.5, 0, 0.2; baseline 0.5, 0.5, 0, 0. High-reward subset: the run has users 0
    // and 2, the baseline 0, 1 and 2, so the pair is over users 0 and 2 only.
    const std::vector<PerUserMetric> run = {{"test", "ndcg@10", {0, 1, 2, 3}, {1.0, 0.5, 0.0, 0.2}},
                                            {"test", "ndcg_high@10", {0, 2}, {1.0, 0.0}},
                                            {"valid", "ndcg@10", {0, 1}, {1.0, 1.0}}};
    const std::vector<PerUserMetric> base = {{"test", "ndcg@10", {0, 1, 2, 3}, {0.5, 0.5, 0.0, 0.0}},
                                             {"test", "ndcg_high@10", {0, 1, 2}, {0.25, 1.0, 0.5}}};
    BootstrapConfig config;
    config.resamples = 400;
    config.seed = 3;
    const RunComparison c = compareStoredRuns(finalRows(0.425, 0.5, 0.3), run, finalRows(0.25, 0.5833, 0.1),
                                              base, "test", config);
    ASSERT_EQ(c.metrics.size(), 3u);
    EXPECT_EQ(c.metrics[0].name, "ndcg@10");  // the run's storage order

    const MetricDifference* ndcg = c.find("ndcg@10");
    ASSERT_NE(ndcg, nullptr);
    EXPECT_DOUBLE_EQ(ndcg->a, 0.425);
    EXPECT_DOUBLE_EQ(ndcg->b, 0.25);
    EXPECT_DOUBLE_EQ(ndcg->diff, (0.5 + 0.0 + 0.0 + 0.2) / 4.0);
    EXPECT_EQ(ndcg->users, 4);
    EXPECT_LE(ndcg->lo, ndcg->diff);
    EXPECT_GE(ndcg->hi, ndcg->diff);
    EXPECT_GE(ndcg->lo, 0.0);  // no user is worse off
    EXPECT_LE(ndcg->hi, 0.5);

    const MetricDifference* high = c.find("ndcg_high@10");
    ASSERT_NE(high, nullptr);
    EXPECT_EQ(high->users, 2);
    EXPECT_DOUBLE_EQ(high->diff, ((1.0 - 0.25) + (0.0 - 0.5)) / 2.0);
    EXPECT_FALSE(std::isnan(high->lo));

    const MetricDifference* coverage = c.find("coverage@10");
    ASSERT_NE(coverage, nullptr);
    EXPECT_DOUBLE_EQ(coverage->diff, 0.3 - 0.1);
    EXPECT_TRUE(std::isnan(coverage->lo));
    EXPECT_TRUE(std::isnan(coverage->hi));

    // The same figures as comparePaired on the equivalent results.
    EvalResult a, b;
    for (EvalResult* r : {&a, &b}) {
        r->protocol.targets = "test";
        r->users = {0, 1, 2, 3};
        r->perUserNames = {"ndcg@10"};
        MetricValue m;
        m.name = "ndcg@10";
        r->metrics = {m};
    }
    a.perUserValues = {{1.0, 0.5, 0.0, 0.2}};
    b.perUserValues = {{0.5, 0.5, 0.0, 0.0}};
    const PairedComparison direct = comparePaired(a, b, config);
    EXPECT_DOUBLE_EQ(direct.find("ndcg@10")->lo, ndcg->lo);
    EXPECT_DOUBLE_EQ(direct.find("ndcg@10")->hi, ndcg->hi);

    // A run against itself: every difference 0 with a zero-width interval.
    const RunComparison self =
        compareStoredRuns(finalRows(0.425, 0.5, 0.3), run, finalRows(0.425, 0.5, 0.3), run, "test", config);
    for (const auto& d : self.metrics) {
        EXPECT_DOUBLE_EQ(d.diff, 0.0) << d.name;
        if (!std::isnan(d.lo)) {
            EXPECT_DOUBLE_EQ(d.lo, 0.0) << d.name;
            EXPECT_DOUBLE_EQ(d.hi, 0.0) << d.name;
        }
    }
}

TEST(RunComparison, ReadsRunsFromTheStoreAndRefusesDifferentSplits) {
    test::TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto writer = ws.createDataset({"d", "test", "{}"});
    writer->add(writer->userIndex("u"), writer->itemIndex("i"), 1.0, 0);
    const int64_t dataset = writer->commit().id;
    RunStore store(ws);
    const int64_t a = store.createRun(dataset, "markov", R"({"split_hash":"abc"})", "cpu");
    const int64_t b = store.createRun(dataset, "popularity", R"({"split_hash":"abc"})", "cpu");
    const int64_t other = store.createRun(dataset, "popularity", R"({"split_hash":"def"})", "cpu");
    store.addMetrics(a, {{-1, "test", "hr@10", 0.5, 0.4, 0.6}}, {{"test", "hr@10", {0, 1}, {1.0, 0.0}}});
    store.addMetrics(b, {{-1, "test", "hr@10", 0.0, 0.0, 0.0}}, {{"test", "hr@10", {0, 1}, {0.0, 0.0}}});
    const RunComparison c = compareRuns(store, a, b, "test");
    EXPECT_EQ(c.runId, a);
    EXPECT_EQ(c.baselineId, b);
    ASSERT_NE(c.find("hr@10"), nullptr);
    EXPECT_DOUBLE_EQ(c.find("hr@10")->diff, 0.5);
    EXPECT_THROW(compareRuns(store, a, other, "test"), Error);
    EXPECT_THROW(compareRuns(store, a, other + 1, "test"), Error);
}

TEST(PopularityProfile, GroupsItemsByTrainingCount) {
    // Items 0..4 with training counts 1, 50, 5, 20, 0 → ranks: 1 (50), 3 (20), 2 (5), 0 (1), 4 (0).
    const std::vector<int64_t> training = {1, 50, 5, 20, 0};
    const std::vector<int64_t> recommended = {10, 0, 0, 30, 60};
    const PopularityProfile p = popularityProfile(training, recommended, 2);
    ASSERT_EQ(p.groups.size(), 2u);
    EXPECT_EQ(p.trainingTotal, 76);
    EXPECT_EQ(p.recommendedTotal, 100);
    // Group 0: ranks 1–2 (items 1 and 3); group 1: ranks 3–5 (items 2, 0, 4).
    EXPECT_EQ(p.groups[0].firstRank, 1);
    EXPECT_EQ(p.groups[0].lastRank, 2);
    EXPECT_EQ(p.groups[0].maxCount, 50);
    EXPECT_EQ(p.groups[0].minCount, 20);
    EXPECT_DOUBLE_EQ(p.groups[0].trainingShare, 70.0 / 76.0);
    EXPECT_DOUBLE_EQ(p.groups[0].recommendedShare, 0.3);
    EXPECT_EQ(p.groups[1].lastRank, 5);
    EXPECT_DOUBLE_EQ(p.groups[1].recommendedShare, 0.7);
    EXPECT_EQ(popularityProfile(training, recommended, 10).groups.size(), 5u);
    EXPECT_THROW(popularityProfile(training, {1, 2}, 2), Error);
    EXPECT_THROW(popularityProfile(training, recommended, 0), Error);
}
