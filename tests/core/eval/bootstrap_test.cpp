#include "eval/bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "core/eval/eval_fixture.h"
#include "eval/evaluator.h"

using namespace tiltbench;

namespace {

// A result holding one per-user metric "x" with Bernoulli(p) values (plus NaN for every 5th user, who is
// outside the metric's subset) and one aggregate over the users' lists.
EvalResult bernoulliResult(size_t users, double p, uint64_t seed) {
    EvalResult r;
    r.protocol.numItems = 10;
    r.protocol.splitHash = 1;
    r.protocol.targets = "test";
    r.kMax = 2;
    SeededRandom rng(seed);
    std::vector<double> x(users);
    for (size_t u = 0; u < users; ++u) {
        r.users.push_back(static_cast<int32_t>(u));
        x[u] = u % 5 == 4 ? std::nan("") : (rng.uniform() < p ? 1.0 : 0.0);
        r.topItems.push_back(static_cast<int32_t>(rng.below(10)));
        r.topItems.push_back(static_cast<int32_t>(rng.below(10)));
    }
    MetricValue m;
    m.name = "x";
    double sum = 0.0;
    for (const double v : x) {
        if (!std::isnan(v)) {
            sum += v;
            ++m.users;
        }
    }
    m.value = sum / static_cast<double>(m.users);
    r.metrics.push_back(m);
    r.perUserNames.push_back("x");
    r.perUserValues.push_back(std::move(x));
    MetricValue g;
    g.name = "gini@2";
    g.k = 2;
    g.aggregate = Aggregate::Gini;
    g.value = metrics::gini(metrics::recommendationCounts(r.topItems, 2, 2, 10));
    g.users = static_cast<int64_t>(users);
    r.metrics.push_back(g);
    return r;
}

}  // namespace

TEST(Bootstrap, IntervalContainsMeanAndShrinksWithUsers) {
    BootstrapConfig c;
    c.resamples = 1000;
    auto small = bernoulliResult(100, 0.3, 1);
    auto large = bernoulliResult(10000, 0.3, 1);
    attachIntervals(small, c);
    attachIntervals(large, c);
    for (const auto* r : {&small, &large}) {
        const auto& m = r->metrics[0];
        EXPECT_LE(m.lo, m.value);
        EXPECT_GE(m.hi, m.value);
        EXPECT_LT(m.lo, m.hi);
        // Aggregates get no interval (a resample's Gini is biased; see eval/bootstrap.h).
        EXPECT_TRUE(std::isnan(r->metrics[1].lo));
        EXPECT_TRUE(std::isnan(r->metrics[1].hi));
    }
    const double wSmall = small.metrics[0].hi - small.metrics[0].lo;
    const double wLarge = large.metrics[0].hi - large.metrics[0].lo;
    // Width ∝ 1/√n: 100× the users → about a tenth of the width.
    EXPECT_LT(wLarge, wSmall / 5);
    EXPECT_GT(wLarge, wSmall / 20);
    // The binomial standard error gives the expected width: 2 · 1.96 · √(p(1−p)/n), n = 80 users defined.
    EXPECT_NEAR(wSmall, 2 * 1.96 * std::sqrt(0.3 * 0.7 / 80), 0.05);
    EXPECT_EQ(small.protocol.bootstrapResamples, 1000);
}

TEST(Bootstrap, SeededAndThreadIndependent) {
    auto a = bernoulliResult(500, 0.5, 2);
    auto b = a;
    auto c = a;
    BootstrapConfig one;
    one.resamples = 300;
    one.threads = 1;
    BootstrapConfig many = one;
    many.threads = 7;
    attachIntervals(a, one);
    attachIntervals(b, many);
    EXPECT_EQ(a.metrics[0].lo, b.metrics[0].lo);
    EXPECT_EQ(a.metrics[0].hi, b.metrics[0].hi);
    one.seed = 2;
    attachIntervals(c, one);
    EXPECT_NE(a.metrics[0].lo + a.metrics[0].hi, c.metrics[0].lo + c.metrics[0].hi);
}

TEST(Bootstrap, NoResamplesMeansNoInterval) {
    auto r = bernoulliResult(50, 0.5, 3);
    BootstrapConfig c;
    c.resamples = 0;
    attachIntervals(r, c);
    EXPECT_TRUE(std::isnan(r.metrics[0].lo));
    EXPECT_TRUE(std::isnan(r.metrics[1].hi));
    c.level = 1.0;
    EXPECT_THROW(attachIntervals(r, c), Error);
}

TEST(Bootstrap, PairedDifferenceWithItselfIsZero) {
    const auto log = tiltbench::test::makeRandomLog(200, 60, 3000, 4);
    const auto split = Split::make(log);
    std::vector<float> pop(60);
    for (const auto i : split.training().item) {
        pop[static_cast<size_t>(i)] += 1;
    }
    EvalConfig c;
    c.bootstrap.resamples = 200;
    c.trueReward = [](int32_t u, int32_t i) { return (u % 7) + 0.1 * i; };
    const Evaluator ev(log, split, c);
    const auto r = ev.evaluate(test::GlobalScorer(pop), EvalSet::Test);
    const auto cmp = comparePaired(r, r, c.bootstrap);
    ASSERT_EQ(cmp.metrics.size(), r.metrics.size());
    for (const auto& d : cmp.metrics) {
        if (std::isnan(d.a))
            continue;  // a subset no user falls in
        EXPECT_EQ(d.diff, 0.0) << d.name;
        if (r.find(d.name)->perUser()) {
            EXPECT_EQ(d.lo, 0.0) << d.name;
            EXPECT_EQ(d.hi, 0.0) << d.name;
        } else {
            EXPECT_TRUE(std::isnan(d.lo)) << d.name;
        }
    }
    EXPECT_NE(cmp.find("gini@10"), nullptr);
}

TEST(Bootstrap, PairedDifferenceOfTwoModels) {
    const auto log = tiltbench::test::makeRandomLog(400, 60, 6000, 5);
    const auto split = Split::make(log);
    std::vector<float> pop(60), reversed(60);
    for (const auto i : split.training().item) {
        pop[static_cast<size_t>(i)] += 1;
        reversed[static_cast<size_t>(i)] -= 1;
    }
    EvalConfig c;
    c.bootstrap.resamples = 500;
    const Evaluator ev(log, split, c);
    const auto a = ev.evaluate(test::GlobalScorer(pop), EvalSet::Test);
    const auto b = ev.evaluate(test::GlobalScorer(reversed), EvalSet::Test);
    const auto cmp = comparePaired(a, b, c.bootstrap);
    const auto* d = cmp.find("ndcg@10");
    ASSERT_NE(d, nullptr);
    EXPECT_NEAR(d->diff, a.value("ndcg@10") - b.value("ndcg@10"), 1e-12);
    EXPECT_LE(d->lo, d->diff);
    EXPECT_GE(d->hi, d->diff);
    // Popularity beats anti-popularity on Zipf-distributed targets, clearly.
    EXPECT_GT(d->lo, 0.0);
    const auto* arp = cmp.find("arp@10");
    ASSERT_NE(arp, nullptr);
    EXPECT_GT(arp->lo, 0.0);

    // Different users or splits cannot be paired.
    auto sampled = c;
    sampled.sampleUsers = 100;
    const auto s = Evaluator(log, split, sampled).evaluate(test::GlobalScorer(pop), EvalSet::Test);
    EXPECT_THROW(comparePaired(a, s), Error);
    const auto v = ev.evaluate(test::GlobalScorer(pop), EvalSet::Validation);
    EXPECT_THROW(comparePaired(a, v), Error);
}
