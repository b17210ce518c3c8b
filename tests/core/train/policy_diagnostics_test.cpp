// Issue 16, over-optimisation made visible: the proxy reward of a policy's top-K and its KL to a reference
// (train/policy_diagnostics.h) against a hand computation on a tiny split.
#include "train/policy_diagnostics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

#include "core/eval/eval_fixture.h"

using namespace tiltbench;
using tiltbench::test::makeEvalLog;
using tiltbench::test::TableScorer;

namespace {

// r̂(user, item) = 10 · user + item.
class LinearReward : public RewardModel {
  public:
    double predict(int32_t user, int32_t item) const override { return 10.0 * user + item; }
    double objective() const override { return 0.0; }
};

// KL(softmax(p) ‖ softmax(q)) over `items`, directly.
double kl(const std::vector<double>& p, const std::vector<double>& q, const std::vector<int>& items) {
    double sp = 0.0, sq = 0.0;
    for (int i : items) {
        sp += std::exp(p[static_cast<size_t>(i)]);
        sq += std::exp(q[static_cast<size_t>(i)]);
    }
    double out = 0.0;
    for (int i : items) {
        const double a = std::exp(p[static_cast<size_t>(i)]) / sp,
                     b = std::exp(q[static_cast<size_t>(i)]) / sq;
        out += a * std::log(a / b);
    }
    return out;
}

}  // namespace

TEST(PolicyDiagnostics, ProxyRewardAndKlMatchAHandComputation) {
    // Leave-one-out: u0 0 1 | 2 (validation) | 3 (test); u1 4 5 | 0 (validation) | 1 (test).
    const InteractionLog log = makeEvalLog(2, 6,
                                           {{0, 0, 3, 10},
                                            {0, 1, 4, 20},
                                            {0, 2, 5, 30},
                                            {0, 3, 5, 40},
                                            {1, 4, 1, 15},
                                            {1, 5, 2, 25},
                                            {1, 0, 2, 35},
                                            {1, 1, 2, 45}});
    const Split split = Split::make(log);
    const std::vector<double> p0{5, 4, 1, 3, 2, 0}, p1{1, 2, 3, 0, 9, 9};
    const std::vector<double> q0{0, 0, 1, 0, 1, 0}, q1{2, 0, 0, 1, 0, 0};
    auto table = [](const std::vector<double>& a, const std::vector<double>& b) {
        return TableScorer(6,
                           {std::vector<float>(a.begin(), a.end()), std::vector<float>(b.begin(), b.end())});
    };
    const TableScorer policy = table(p0, p1), reference = table(q0, q1);
    const LinearReward reward;
    PolicyDiagnostics d(log, split, EvalSet::Validation, &reference, &reward, 2);
    const PolicyFigures f = d.measure(policy);
    // u0: history {0, 1}; top-2 of the rest by score: 3 (3), 4 (2) → r̂ 3, 4. u1: history {4, 5}; top-2: 2, 1
    // → r̂ 12, 11.
    EXPECT_NEAR(f.proxyReward, ((3.0 + 4.0) / 2.0 + (12.0 + 11.0) / 2.0) / 2.0, 1e-9);
    const double expectedKl = (kl(p0, q0, {2, 3, 4, 5}) + kl(p1, q1, {0, 1, 2, 3})) / 2.0;
    EXPECT_NEAR(f.kl, expectedKl, 1e-6);
    // The reference against itself, and figures without a reference or a reward model.
    EXPECT_NEAR(d.measure(reference).kl, 0.0, 1e-7);
    PolicyDiagnostics bare(log, split, EvalSet::Validation, nullptr, nullptr);
    EXPECT_TRUE(std::isnan(bare.measure(policy).kl));
    EXPECT_TRUE(std::isnan(bare.measure(policy).proxyReward));

    // On a subset of the set's targets (--valid-users): each user alone gives its own figures, both give the
    // whole set's, and an index outside the set is refused.
    PolicyDiagnostics only1(log, split, EvalSet::Validation, &reference, &reward, 2, {1});
    const PolicyFigures f1 = only1.measure(policy);
    EXPECT_NEAR(f1.proxyReward, (12.0 + 11.0) / 2.0, 1e-9);
    EXPECT_NEAR(f1.kl, kl(p1, q1, {0, 1, 2, 3}), 1e-6);
    PolicyDiagnostics only0(log, split, EvalSet::Validation, &reference, &reward, 2, {0});
    EXPECT_NEAR(only0.measure(policy).kl, kl(p0, q0, {2, 3, 4, 5}), 1e-6);
    PolicyDiagnostics both(log, split, EvalSet::Validation, &reference, &reward, 2, {0, 1});
    EXPECT_NEAR(both.measure(policy).kl, expectedKl, 1e-6);
    EXPECT_THROW(PolicyDiagnostics(log, split, EvalSet::Validation, &reference, &reward, 2, {2}), Error);
}
