// Re-evaluating recorded runs: figures come back as recorded, and runs with nothing to evaluate, or whose
// dataset no longer gives their split, are clear errors.
#include "torch/train/run_evaluation.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

void addDataset(Workspace& ws) {
    auto w = ws.createDataset({"d", "test", "{}"});
    w->setHasTime(true);
    for (int u = 0; u < 15; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 8; ++t) {
            const int item = (u * 5 + t * 3) % 11;
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + (item * t) % 5, 100 + t);
        }
    }
    w->commit();
}

}  // namespace

TEST(RunEvaluation, ClosedFormRunComesBackAsRecorded) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addDataset(ws);
    ClosedFormRunConfig c;
    c.dataset = "d";
    c.model = PolicyKind::Markov;
    c.scheme = WeightScheme::exp(0.7);
    c.params.markovSmoothing = 3.0;
    c.bootstrapResamples = 30;
    c.seed = 5;
    const ClosedFormRunResult r = runClosedForm(ws, c);
    const ClosedFormRunConfig back = ClosedFormRunConfig::fromJson(RunStore(ws).run(r.runId).config);
    EXPECT_EQ(back.toJson(), c.toJson());

    const RunEvaluation e = reevaluateRun(ws, r.runId);
    EXPECT_EQ(e.dataset, "d");
    EXPECT_EQ(e.checkpointEpoch, 0);
    EXPECT_EQ(e.test.values(), r.test.values());
    EXPECT_EQ(e.valid.ranks, r.valid.ranks);
    EXPECT_DOUBLE_EQ(e.test.find("ndcg@10")->lo, r.test.find("ndcg@10")->lo);
}

TEST(RunEvaluation, RunsWithNothingToEvaluateAreClearErrors) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addDataset(ws);
    RunStore store(ws);
    const int64_t d = ws.datasetByName("d").id;
    const int64_t cancelled = store.createRun(d, "sasrec", R"({"dataset":"d","split":"loo"})", "cpu");
    store.finishRun(cancelled, "cancelled");
    try {
        reevaluateRun(ws, cancelled);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no checkpoint"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos) << e.what();
    }
    const int64_t failed = store.createRun(d, "popularity", R"({"dataset":"d"})", "cpu");
    store.finishRun(failed, "failed", "boom");
    EXPECT_THROW(reevaluateRun(ws, failed), Error);
    const int64_t otherSplit =
        store.createRun(d, "popularity", R"({"dataset":"d","split_hash":"0000000000000000"})", "cpu");
    store.finishRun(otherSplit, "done");
    try {
        reevaluateRun(ws, otherSplit);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("split hash"), std::string::npos) << e.what();
    }
    EXPECT_THROW(reevaluateRun(ws, 99), Error);
}
