// ExplorerWorker on a real thread through JobHandle: it emits its result with both parts filled, reuses a
// prepared dataset and cached curves, and a cancel ends it without a result or a crash.
#include <gtest/gtest.h>
#include <QSignalSpy>
#include <cmath>

#include "jobs/job_handle.h"
#include "pages/explorer/explorer_worker.h"
#include "support/test_support.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace explorer_worker_test_file {

namespace {
constexpr int kWaitMs = 60000;

SimulatorConfig explorerConfig() {
    SimulatorConfig c = test::smallSimulatorConfig(6000);
    c.users = 200;
    c.items = 150;
    return c;
}

struct Outcome {
    bool finished = false;
    bool cancelled = false;
    QString failure;
    ExplorerResult result;
};

Outcome runWorker(JobHandle& job, ExplorerWorker* worker, bool cancelAtOnce = false) {
    Outcome out;
    QObject context;
    QObject::connect(worker, &ExplorerWorker::finished, &context, [&](const ExplorerResult& r) {
        out.finished = true;
        out.result = r;
    });
    QObject::connect(worker, &Worker::cancelled, &context, [&] { out.cancelled = true; });
    QObject::connect(worker, &Worker::failed, &context, [&](const QString& m) { out.failure = m; });
    QSignalSpy stopped(&job, &JobHandle::stopped);
    EXPECT_TRUE(job.start(worker));
    if (cancelAtOnce) {
        job.cancel();
    }
    EXPECT_TRUE(stopped.wait(kWaitMs));
    return out;
}
}  // namespace

TEST(ExplorerWorker, EmitsDatasetAndCurvesThenReusesThem) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    const auto infos = test::makeWorkspace(ws, {"sim"}, explorerConfig());
    JobHandle job;
    const WeightScheme base = WeightScheme::exp(1.0);
    const Outcome first = runWorker(job, new ExplorerWorker(QString::fromStdString(ws), infos[0].id, base));
    ASSERT_TRUE(first.finished) << first.failure.toStdString();
    const auto& d = first.result.dataset;
    const auto& c = first.result.curves;
    ASSERT_TRUE(d && c);
    EXPECT_EQ(d->table().numItems(), 150);
    EXPECT_TRUE(d->truth != nullptr);  // simulated: true reward is known
    EXPECT_EQ(d->evaluatedUsers, 200);
    EXPECT_EQ(c->metricLambdas.size(), 17u);
    EXPECT_TRUE(std::isinf(c->metricLambdas.back()));
    EXPECT_EQ(c->ess.size(), ExplorerWorker::essGrid().size());
    for (const char* metric : {"ndcg@10", "ndcg_high@10", "arp@10", "coverage@10", "true_reward@10"}) {
        const ExplorerMetricCurve* m = c->find(metric);
        ASSERT_NE(m, nullptr) << metric;
        EXPECT_EQ(m->markov.size(), 17u);
        EXPECT_EQ(m->popularity.size(), 17u);
    }
    // A sharp tilt moves the popularity policy off the most logged items: its ARP falls.
    const ExplorerMetricCurve* arp = c->find("arp@10");
    EXPECT_LT(arp->popularity.front(), arp->popularity.back());

    // The same dataset and settings again: nothing is recomputed.
    const Outcome again =
        runWorker(job, new ExplorerWorker(QString::fromStdString(ws), infos[0].id, base, d, c));
    ASSERT_TRUE(again.finished);
    EXPECT_EQ(again.result.dataset, d);
    EXPECT_EQ(again.result.curves, c);
}

TEST(ExplorerWorker, CancelEndsWithoutResult) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    const auto infos = test::makeWorkspace(ws, {"sim"}, explorerConfig());
    JobHandle job;
    const Outcome out = runWorker(
        job, new ExplorerWorker(QString::fromStdString(ws), infos[0].id, WeightScheme::exp(1.0)), true);
    EXPECT_FALSE(out.finished);
    EXPECT_TRUE(out.cancelled);
}

TEST(ExplorerWorker, MissingDatasetFails) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    test::makeWorkspace(ws, {"sim"}, explorerConfig());
    JobHandle job;
    const Outcome out =
        runWorker(job, new ExplorerWorker(QString::fromStdString(ws), 999, WeightScheme::exp(1.0)));
    EXPECT_FALSE(out.finished);
    EXPECT_FALSE(out.failure.isEmpty());
}

}  // namespace explorer_worker_test_file
