// Sweeps over weightings: the grid they expand to, one recorded run per weighting, and how they stop early.
#include "torch/train/sweep.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

void addDataset(Workspace& ws) {
    auto w = ws.createDataset({"d", "test", "{}"});
    w->setHasTime(true);
    for (int u = 0; u < 15; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 8; ++t) {
            const int item = (u * 3 + t * t) % 12;
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + (item + t) % 5, 100 + t);
        }
    }
    w->commit();
}

SweepConfig popularitySweep(std::vector<WeightScheme> schemes) {
    SweepConfig c;
    c.model = "popularity";
    c.closedForm.dataset = "d";
    c.closedForm.bootstrapResamples = 0;
    c.closedForm.threads = 1;
    c.schemes = std::move(schemes);
    return c;
}

}  // namespace

TEST(Sweep, GridRunsExpPerLambdaAndOtherSchemesOnce) {
    WeightScheme base;
    base.normalization = WeightNormalization::Mean;
    const auto grid = SweepConfig::grid(base, {WeightScheme::kInfinity, 2.0, 0.5, 2.0},
                                        {WeightKind::Exp, WeightKind::Linear, WeightKind::Uniform});
    ASSERT_EQ(grid.size(), 5u);  // the repeated λ = 2 once
    EXPECT_EQ(grid[0].kind, WeightKind::Exp);
    EXPECT_TRUE(std::isinf(grid[0].lambda));
    EXPECT_DOUBLE_EQ(grid[2].lambda, 0.5);
    EXPECT_EQ(grid[3].kind, WeightKind::Linear);
    EXPECT_EQ(grid[4].kind, WeightKind::Uniform);
    for (const auto& s : grid)
        EXPECT_EQ(s.normalization, WeightNormalization::Mean);
    // Both linear variants (issue 15): one run per ε.
    const auto linear = SweepConfig::grid(base, {1.0}, {WeightKind::Linear}, {0.01, 1.0});
    ASSERT_EQ(linear.size(), 2u);
    EXPECT_DOUBLE_EQ(linear[0].epsilon, 0.01);
    EXPECT_DOUBLE_EQ(linear[1].epsilon, 1.0);
    EXPECT_EQ(linear[1].kind, WeightKind::Linear);
    EXPECT_THROW(SweepConfig::grid(base, {1.0, -1.0}, {WeightKind::Exp}), Error);
    EXPECT_THROW(SweepConfig::grid(base, {}, {WeightKind::Exp}), Error);
    EXPECT_THROW(SweepConfig::grid(base, {1.0}, {}), Error);
}

TEST(Sweep, RecordsOneRunPerWeighting) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addDataset(ws);
    int started = 0, done = 0;
    SweepCallbacks cb;
    cb.runStarting = [&](size_t index, size_t total, const WeightScheme&) {
        EXPECT_EQ(index, static_cast<size_t>(started));
        EXPECT_EQ(total, 3u);
        ++started;
    };
    cb.runDone = [&](const SweepRun&) { ++done; };
    const SweepResult r = runSweep(
        ws, popularitySweep({WeightScheme::uniform(), WeightScheme::exp(0.5), WeightScheme::linear()}), cb);
    EXPECT_EQ(started, 3);
    EXPECT_EQ(done, 3);
    ASSERT_EQ(r.runs.size(), 3u);
    EXPECT_FALSE(r.stopped);
    const auto runs = RunStore(ws).runs();
    ASSERT_EQ(runs.size(), 3u);
    for (size_t i = 0; i < runs.size(); ++i) {
        EXPECT_EQ(runs[i].id, r.runs[i].runId);
        EXPECT_EQ(runs[i].status, "done");
        EXPECT_TRUE(std::isnan(r.runs[i].meanEpochSeconds));
    }
    for (size_t i = 0; i < runs.size(); ++i) {
        const std::string weighting = r.runs[i].scheme.toJson();
        EXPECT_NE(runs[i].config.find(weighting), std::string::npos) << runs[i].config;
    }
}

TEST(Sweep, StopsAfterTheCurrentRunOrCancelsIt) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addDataset(ws);
    const auto config =
        popularitySweep({WeightScheme::exp(2.0), WeightScheme::exp(1.0), WeightScheme::exp(0.5)});

    // "Stop after this run": asked before run 2, the first run is finished and recorded.
    SweepCallbacks stop;
    stop.keepGoing = [] { return false; };
    const SweepResult a = runSweep(ws, config, stop);
    EXPECT_TRUE(a.stopped);
    EXPECT_FALSE(a.cancelledCurrent);
    ASSERT_EQ(a.runs.size(), 1u);
    EXPECT_EQ(a.planned, 3u);

    // Cancelling from inside a run ends the sweep there; that run is recorded as cancelled.
    int starts = 0;
    SweepCallbacks cancel;
    cancel.runStarting = [&](size_t, size_t, const WeightScheme&) { ++starts; };
    cancel.progress = [&](const Progress& p) { return !(starts == 2 && p.stage == "fitting"); };
    const SweepResult b = runSweep(ws, config, cancel);
    EXPECT_TRUE(b.stopped);
    EXPECT_TRUE(b.cancelledCurrent);
    EXPECT_EQ(b.runs.size(), 1u);
    const auto runs = RunStore(ws).runs();
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_EQ(runs[2].status, "cancelled");

    // An unknown model is refused before any run.
    auto bad = config;
    bad.model = "transformer";
    EXPECT_THROW(runSweep(ws, bad), Error);
    EXPECT_EQ(RunStore(ws).runs().size(), 3u);
}
