// Numerical extremes (issue 7): λ ∈ {1e-4, 1e-2, 1, 1e6, ∞}, constant rewards, rewards of ±1e6, a one-item
// catalogue, and a filter that keeps no target. Each closed-form and SASRec run either finishes with a finite
// loss and finite metrics or stops with a clear Error before its first step — and nothing non-finite ever
// reaches the workspace.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kLambdas[] = {1e-4, 1e-2, 1.0, 1e6, kInf};

struct Shape {
    const char* name;
    int items;
    std::function<double(int user, int t, int item)> reward;
};

const Shape kShapes[] = {
    {"ordinary", 30, [](int, int, int item) { return 1.0 + item % 5; }},
    {"constant", 30, [](int, int, int) { return 3.0; }},
    {"huge", 30, [](int u, int t, int) { return (u + t) % 2 ? 1e6 : -1e6; }},
    {"one-item", 1, [](int, int t, int) { return 1.0 + t % 5; }},
};

void addDataset(Workspace& ws, const Shape& shape) {
    auto w = ws.createDataset({shape.name, "test", "{}"});
    w->setHasTime(true);
    for (int i = 0; i < shape.items; ++i) {
        w->itemIndex("i" + std::to_string(i));
    }
    for (int u = 0; u < 16; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 8; ++t) {
            const int item = (u * 7 + t) % shape.items;
            w->add(user, w->itemIndex("i" + std::to_string(item)), shape.reward(u, t, item), 1000 + t);
        }
    }
    w->commit();
}

SasrecRunConfig tinySasrec(const std::string& dataset, const WeightScheme& scheme) {
    SasrecRunConfig c;
    c.dataset = dataset;
    c.scheme = scheme;
    c.dim = 8;
    c.blocks = 1;
    c.heads = 1;
    c.maxLen = 8;
    c.dropout = 0.1;
    c.batchSize = 8;
    c.epochs = 2;
    c.patience = 0;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 20;
    return c;
}

// Every stored metric, interval bound and per-user value of every run is finite (NaN intervals are stored as
// NULL and read back as NaN: "no interval", allowed).
void expectWorkspaceFinite(Workspace& ws) {
    RunStore store(ws);
    for (const RunRecord& run : store.runs()) {
        for (const MetricRow& m : store.metrics(run.id)) {
            EXPECT_TRUE(std::isfinite(m.value)) << "run " << run.id << " " << m.name;
            EXPECT_FALSE(std::isinf(m.lo) || std::isinf(m.hi)) << "run " << run.id << " " << m.name;
        }
        for (const PerUserMetric& p : store.perUserMetrics(run.id)) {
            for (double v : p.values) {
                ASSERT_TRUE(std::isfinite(v)) << "run " << run.id << " per-user " << p.name;
            }
        }
    }
}

// Finite, except a metric no user contributes to (documented as NaN in EvalResult: e.g. the *_high metrics
// when no target has a high reward, as in the one-item data here); such a value is never stored.
void expectFinite(const EvalResult& result, const std::string& what) {
    for (const MetricValue& m : result.metrics) {
        EXPECT_TRUE(std::isfinite(m.value) || m.users == 0) << what << " " << m.name;
    }
}

std::string label(const Shape& shape, const WeightScheme& scheme) {
    return std::string(shape.name) + " / " + scheme.describe();
}

}  // namespace

TEST(Numerics, ClosedFormRunsAreFiniteOrAClearErrorAtEveryExtreme) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    for (const Shape& shape : kShapes) {
        addDataset(ws, shape);
        for (const double lambda : kLambdas) {
            for (const auto normalization : {WeightNormalization::Mean, WeightNormalization::None}) {
                WeightScheme scheme = WeightScheme::exp(lambda);
                scheme.normalization = normalization;
                ClosedFormRunConfig c;
                c.dataset = shape.name;
                c.scheme = scheme;
                c.bootstrapResamples = 20;
                c.threads = 1;
                for (const PolicyKind model :
                     {PolicyKind::Markov, PolicyKind::Popularity, PolicyKind::ItemMean}) {
                    c.model = model;
                    try {
                        const ClosedFormRunResult r = runClosedForm(ws, c);
                        expectFinite(r.test, label(shape, scheme));
                    } catch (const Cancelled&) {
                        FAIL() << label(shape, scheme);
                    } catch (const Error& e) {
                        EXPECT_GT(std::string(e.what()).size(), 20u) << label(shape, scheme);
                    }
                }
            }
        }
    }
    expectWorkspaceFinite(ws);
}

TEST(Numerics, SasrecRunsHaveAFiniteLossAndMetricsOrStopBeforeTheirFirstStep) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    for (const Shape& shape : kShapes) {
        addDataset(ws, shape);
        for (const double lambda : kLambdas) {
            const WeightScheme scheme = WeightScheme::exp(lambda);
            bool stepped = false;
            try {
                const SasrecRunResult r =
                    runSasrec(ws, tinySasrec(shape.name, scheme), [&](const TrainProgress& p) {
                        stepped = stepped || p.step > 0;
                        return true;
                    });
                for (const auto& epoch : r.epochs) {
                    EXPECT_TRUE(std::isfinite(epoch.trainLoss)) << label(shape, scheme);
                }
                expectFinite(r.test, label(shape, scheme));
            } catch (const Error& e) {
                EXPECT_FALSE(stepped)
                    << label(shape, scheme) << ": failed after training began: " << e.what();
            }
        }
    }
    expectWorkspaceFinite(ws);
}

TEST(Numerics, AFilterThatKeepsNoTargetIsAClearErrorBeforeAnyStep) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addDataset(ws, kShapes[0]);
    const WeightScheme none = WeightScheme::filter(100.0);  // every reward is below 100: every weight is 0
    bool stepped = false;
    try {
        runSasrec(ws, tinySasrec("ordinary", none), [&](const TrainProgress& p) {
            stepped = stepped || p.step > 0;
            return true;
        });
        FAIL() << "trained with all-zero weights";
    } catch (const Error& e) {
        EXPECT_FALSE(stepped);
        EXPECT_NE(std::string(e.what()).find("filter"), std::string::npos) << e.what();
    }
    ClosedFormRunConfig c;
    c.dataset = "ordinary";
    c.scheme = none;
    c.bootstrapResamples = 0;
    EXPECT_THROW(runClosedForm(ws, c), Error);
    expectWorkspaceFinite(ws);
}
