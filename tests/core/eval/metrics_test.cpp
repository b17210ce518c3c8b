#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

using namespace tiltbench;

TEST(Metrics, RankMetricsByHand) {
    EXPECT_EQ(metrics::hitRate(1, 10), 1.0);
    EXPECT_EQ(metrics::hitRate(10, 10), 1.0);
    EXPECT_EQ(metrics::hitRate(11, 10), 0.0);
    EXPECT_DOUBLE_EQ(metrics::ndcg(1, 10), 1.0);
    EXPECT_DOUBLE_EQ(metrics::ndcg(3, 10), 0.5);  // 1 / log2(4)
    EXPECT_DOUBLE_EQ(metrics::ndcg(2, 10), 1.0 / std::log2(3.0));
    EXPECT_EQ(metrics::ndcg(11, 10), 0.0);
    EXPECT_DOUBLE_EQ(metrics::reciprocalRank(4, 10), 0.25);
    EXPECT_EQ(metrics::reciprocalRank(4, 3), 0.0);
}

TEST(MetricPopularity, GiniEntropyCoverageFormulas) {
    // Equal counts: no inequality, maximal entropy.
    EXPECT_DOUBLE_EQ(metrics::gini({3, 3, 3, 3}), 0.0);
    EXPECT_DOUBLE_EQ(metrics::entropy({3, 3, 3, 3}), 2.0);
    EXPECT_DOUBLE_EQ(metrics::coverage({3, 3, 3, 3}), 1.0);
    // Everything on one of 4 items: G = (I − 1) / I, H = 0.
    EXPECT_DOUBLE_EQ(metrics::gini({0, 8, 0, 0}), 0.75);
    EXPECT_DOUBLE_EQ(metrics::entropy({0, 8, 0, 0}), 0.0);
    EXPECT_DOUBLE_EQ(metrics::coverage({0, 8, 0, 0}), 0.25);
    // c = (1, 2, 3, 0) sorted (0, 1, 2, 3): Σ (2j − 5) c_j = −1·1 + 1·2 + 3·3 = 10; / (4 · 6) = 5/12.
    EXPECT_DOUBLE_EQ(metrics::gini({1, 2, 3, 0}), 10.0 / 24.0);
    const double h =
        -(1.0 / 6 * std::log2(1.0 / 6) + 2.0 / 6 * std::log2(2.0 / 6) + 3.0 / 6 * std::log2(3.0 / 6));
    EXPECT_DOUBLE_EQ(metrics::entropy({1, 2, 3, 0}), h);
    EXPECT_DOUBLE_EQ(metrics::coverage({1, 2, 3, 0}), 0.75);
    // Nothing recommended.
    EXPECT_EQ(metrics::gini({0, 0}), 0.0);
    EXPECT_EQ(metrics::entropy({0, 0}), 0.0);
    EXPECT_EQ(metrics::coverage({}), 0.0);
}

TEST(MetricPopularity, RecommendationCounts) {
    // Two users, kMax 3; the second list is short.
    const std::vector<int32_t> lists = {2, 0, 1, 2, -1, -1};
    EXPECT_EQ(metrics::recommendationCounts(lists, 3, 3, 4), (std::vector<int64_t>{1, 1, 2, 0}));
    EXPECT_EQ(metrics::recommendationCounts(lists, 3, 1, 4), (std::vector<int64_t>{0, 0, 2, 0}));
    const std::vector<uint32_t> m = {0, 3};
    EXPECT_EQ(metrics::recommendationCounts(lists, 3, 3, 4, &m), (std::vector<int64_t>{0, 0, 3, 0}));
}

TEST(MetricPopularity, ItemStatisticsArpApltItemMean) {
    TrainingTargets t;
    // item 0: rewards 5, 5 (n 2); item 1: reward 1 (n 1); item 2: 3, 3, 3 (n 3); items 3, 4: unseen.
    const std::vector<std::pair<int32_t, double>> rows = {{0, 5}, {0, 5}, {1, 1}, {2, 3}, {2, 3}, {2, 3}};
    for (const auto& [item, r] : rows) {
        t.user.push_back(0);
        t.item.push_back(item);
        t.reward.push_back(r);
        t.prevItem.push_back(-1);
        t.logIndex.push_back(static_cast<int64_t>(t.item.size()) - 1);
    }
    const auto s = ItemStatistics::fromTraining(t, 5, 2.0, 0.2);
    EXPECT_DOUBLE_EQ(s.globalMean, 20.0 / 6.0);
    EXPECT_EQ(s.count, (std::vector<int64_t>{2, 1, 3, 0, 0}));
    // m̃ = (Σ r + α μ) / (n + α), α = 2, μ = 10/3.
    const double mu = 20.0 / 6.0;
    EXPECT_DOUBLE_EQ(s.shrunkMean[0], (10 + 2 * mu) / 4);
    EXPECT_DOUBLE_EQ(s.shrunkMean[1], (1 + 2 * mu) / 3);
    EXPECT_DOUBLE_EQ(s.shrunkMean[3], mu);
    // Head = ⌈0.2 · 5⌉ = 1 item: item 2 (count 3).
    EXPECT_EQ(s.longTail, (std::vector<uint8_t>{1, 1, 0, 1, 1}));
    const int32_t list[] = {2, 0, 3};
    EXPECT_DOUBLE_EQ(s.averagePopularity(list, 3), 5.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.averagePopularity(list, 1), 3.0);
    EXPECT_DOUBLE_EQ(s.longTailShare(list, 3), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.meanItemReward(list, 2), (s.shrunkMean[2] + s.shrunkMean[0]) / 2);
    EXPECT_TRUE(std::isnan(s.meanItemReward(list, 0)));
    // Prior strength 0: plain item means; unseen items fall back to the global mean.
    const auto raw = ItemStatistics::fromTraining(t, 5, 0.0);
    EXPECT_DOUBLE_EQ(raw.shrunkMean[0], 5.0);
    EXPECT_DOUBLE_EQ(raw.shrunkMean[4], mu);
    EXPECT_THROW(ItemStatistics::fromTraining(t, 5, -1.0), Error);
    EXPECT_THROW(ItemStatistics::fromTraining(t, 5, 1.0, 1.5), Error);
}

TEST(Metrics, RandomExposureNdcgByHand) {
    // Ratings 1, 5, 3 with r_min = 1 → gains 0, 15, 3; model order by score: (0.9: 0), (0.5: 15), (0.1: 3).
    const double dcg = 0.0 + 15.0 / std::log2(3.0) + 3.0 / 2.0;
    const double idcg = 15.0 + 3.0 / std::log2(3.0);
    EXPECT_DOUBLE_EQ(metrics::randomExposureNdcg({{0.9f, 1.0}, {0.5f, 5.0}, {0.1f, 3.0}}, 1.0), dcg / idcg);
    // The ideal order scores 1.
    EXPECT_DOUBLE_EQ(metrics::randomExposureNdcg({{0.1f, 1.0}, {0.9f, 5.0}, {0.5f, 3.0}}, 1.0), 1.0);
    // Ties are pessimistic: a constant scorer puts the lower gain first.
    const double tied = (0.0 + 3.0 / std::log2(3.0) + 15.0 / 2.0) / idcg;
    EXPECT_DOUBLE_EQ(metrics::randomExposureNdcg({{1.f, 5.0}, {1.f, 3.0}, {1.f, 1.0}}, 1.0), tied);
    // All ratings at the minimum: nothing to rank.
    EXPECT_TRUE(std::isnan(metrics::randomExposureNdcg({{0.3f, 1.0}, {0.2f, 1.0}}, 1.0)));
}

TEST(Metrics, PercentileInterval) {
    std::vector<double> v = {5, 1, 4, 2, 3};
    const auto [lo, hi] = metrics::percentileInterval(v, 0.5);  // type 7: quantiles 0.25 and 0.75 of 1..5
    EXPECT_DOUBLE_EQ(lo, 2.0);
    EXPECT_DOUBLE_EQ(hi, 4.0);
    std::vector<double> w = {0, 10};
    const auto [lo2, hi2] = metrics::percentileInterval(w, 0.9);
    EXPECT_DOUBLE_EQ(lo2, 0.5);
    EXPECT_DOUBLE_EQ(hi2, 9.5);
    std::vector<double> none;
    EXPECT_TRUE(std::isnan(metrics::percentileInterval(none).first));
}
