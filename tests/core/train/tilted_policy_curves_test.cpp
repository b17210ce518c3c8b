// One λ grid (weighting/lambda_grid.h) and one loop over it (train/tilted_policy_curves.h), shared by the λ
// Explorer and the Compare page's reference curves.
#include "train/tilted_policy_curves.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "eval/split.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "weighting/lambda_grid.h"
#include "weighting/target_view.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Prepared {
    InteractionLog log;
    Split split;
    PolicyData policy;
    std::unique_ptr<Evaluator> evaluator;
};

std::unique_ptr<Prepared> prepare() {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    SimulatorConfig config;
    config.users = 120;
    config.items = 60;
    config.interactions = 2400;
    config.seed = 11;
    const DatasetInfo d = generateDataset(ws, "sim", config);
    auto p = std::make_unique<Prepared>();
    p->log = ws.loadLog(d.id);
    p->split = Split::make(p->log);
    p->policy = PolicyData::build(viewOf(p->split.training(), p->split.numItems()));
    EvalConfig ec;
    ec.ks = {10};
    ec.bootstrap.resamples = 0;
    p->evaluator = std::make_unique<Evaluator>(p->log, p->split, ec);
    return p;
}

double evaluateOnce(const Prepared& p, PolicyKind kind, const WeightScheme& scheme,
                    const std::string& metric) {
    const auto scorer = fitClosedFormPolicy(kind, p.policy, scheme);
    return p.evaluator->evaluate(*scorer, EvalSet::Validation).value(metric);
}

}  // namespace

TEST(LambdaGrid, TheExplorersRangeWithInfinityLast) {
    const auto metric = lambda_grid::metricGrid();
    ASSERT_EQ(metric.size(), 17u);
    EXPECT_NEAR(metric.front(), 0.05, 1e-12);
    EXPECT_NEAR(metric[15], 50.0, 1e-9);
    EXPECT_EQ(metric.back(), kInf);
    for (size_t i = 1; i < metric.size(); ++i)
        EXPECT_LT(metric[i - 1], metric[i]);
    const auto ess = lambda_grid::essGrid();
    ASSERT_EQ(ess.size(), 62u);
    EXPECT_NEAR(ess.front(), lambda_grid::kMin, 1e-12);
    EXPECT_NEAR(ess[60], lambda_grid::kMax, 1e-9);
    EXPECT_EQ(ess.back(), kInf);
}

// Each point is the policy fitted at exp(λ) and evaluated; at λ = ∞ exp weights are uniform, so that point is
// plain (unweighted) fitting.
TEST(TiltedPolicyCurves, EachPointIsOneFitAndInfinityIsUniform) {
    const auto p = prepare();
    const std::vector<double> lambdas{0.1, 1.0, kInf};
    const std::vector<std::string> metrics{"ndcg@10", "ndcg_high@10"};
    const TiltedPolicyCurves c = tiltedPolicyCurves(p->policy, *p->evaluator, EvalSet::Validation,
                                                    WeightScheme::exp(1.0), lambdas, metrics);
    EXPECT_EQ(c.lambdas, lambdas);
    for (const auto& metric : metrics) {
        ASSERT_EQ(c.popularity.at(metric).size(), 3u);
        ASSERT_EQ(c.markov.at(metric).size(), 3u);
        for (size_t k = 0; k < lambdas.size(); ++k) {
            EXPECT_DOUBLE_EQ(c.popularity.at(metric)[k],
                             evaluateOnce(*p, PolicyKind::Popularity, WeightScheme::exp(lambdas[k]), metric));
            EXPECT_DOUBLE_EQ(c.markov.at(metric)[k],
                             evaluateOnce(*p, PolicyKind::Markov, WeightScheme::exp(lambdas[k]), metric));
        }
        EXPECT_DOUBLE_EQ(c.popularity.at(metric).back(),
                         evaluateOnce(*p, PolicyKind::Popularity, WeightScheme::uniform(), metric));
        EXPECT_DOUBLE_EQ(c.markov.at(metric).back(),
                         evaluateOnce(*p, PolicyKind::Markov, WeightScheme::uniform(), metric));
    }
    // The tilt matters on this log: the strongest tilt differs from SFT somewhere.
    EXPECT_NE(c.popularity.at("ndcg_high@10").front(), c.popularity.at("ndcg_high@10").back());
}

TEST(TiltedPolicyCurves, ASchemeWithoutLambdaIsEvaluatedOnceAndDrawnFlat) {
    const auto p = prepare();
    const auto grid = lambda_grid::metricGrid();
    int calls = 0, lastTotal = -1;
    const TiltedPolicyCurves c =
        tiltedPolicyCurves(p->policy, *p->evaluator, EvalSet::Validation, WeightScheme::linear(), grid,
                           {"ndcg@10"}, [&](int, int total) {
                               ++calls;
                               lastTotal = total;
                               return true;
                           });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(lastTotal, 1);
    const double once = evaluateOnce(*p, PolicyKind::Markov, WeightScheme::linear(), "ndcg@10");
    ASSERT_EQ(c.markov.at("ndcg@10").size(), grid.size());
    for (double v : c.markov.at("ndcg@10"))
        EXPECT_DOUBLE_EQ(v, once);
}

TEST(TiltedPolicyCurves, ProgressReturningFalseCancels) {
    const auto p = prepare();
    int calls = 0;
    EXPECT_THROW(
        tiltedPolicyCurves(p->policy, *p->evaluator, EvalSet::Validation, WeightScheme::exp(1.0),
                           {0.5, 1.0, kInf}, {"ndcg@10"}, [&](int done, int) { return ++calls, done < 1; }),
        Cancelled);
    EXPECT_EQ(calls, 2);
}
