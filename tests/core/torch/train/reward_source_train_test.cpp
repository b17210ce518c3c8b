// Issue 16, `--reward-source model:RUN`: SASRec's weights read a reward model's estimates instead of the
// logged rewards. On the ring data rewards depend on the item only, so an unshrunk item-mean model predicts
// every logged reward exactly: a run weighted by it must equal the logged run to the last bit, and a run
// weighted by a shrunk item mean (other estimates) must not. Bad sources are refused before a run exists.
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"
#include "train/reward_run.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

void addRing(Workspace& ws, const std::string& name) {
    auto w = ws.createDataset({name, "test", "{}"});
    w->setHasTime(true);
    for (int i = 0; i < 30; ++i)
        w->itemIndex("i" + std::to_string(i));
    for (int u = 0; u < 20; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 12; ++t) {
            const int item = (u * 7 + t) % 30;
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + item % 5, 1000 + t);
        }
    }
    w->commit();
}

SasrecRunConfig tilted(const std::string& source) {
    SasrecRunConfig c;
    c.dataset = "ring";
    c.dim = 16;
    c.blocks = 1;
    c.maxLen = 16;
    c.dropout = 0.0;
    c.batchSize = 5;
    c.lr = 0.01;
    c.epochs = 3;
    c.patience = 0;
    c.seed = 7;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 0;
    c.scheme = WeightScheme::exp(0.5);
    c.rewardSource = source;
    return c;
}

int64_t fitItemMean(Workspace& ws, const std::string& dataset, double prior,
                    SplitKind split = SplitKind::LeaveOneOut) {
    RewardRunConfig r;
    r.dataset = dataset;
    r.model.kind = RewardModelKind::ItemMean;
    r.model.prior = prior;
    r.split.kind = split;
    r.bootstrapResamples = 0;
    return runRewardModel(ws, r).runId;
}

}  // namespace

TEST(RewardSourceTraining, AnExactRewardModelGivesTheLoggedRunAndAnotherModelChangesIt) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRing(ws, "ring");
    const int64_t exact = fitItemMean(ws, "ring", 0.0);
    const int64_t shrunk = fitItemMean(ws, "ring", 50.0);

    const SasrecRunResult logged = runSasrec(ws, tilted("logged"));
    const SasrecRunResult viaExact = runSasrec(ws, tilted("model:" + std::to_string(exact)));
    const SasrecRunResult viaShrunk = runSasrec(ws, tilted("model:" + std::to_string(shrunk)));
    ASSERT_EQ(logged.epochs.size(), 3u);
    ASSERT_EQ(viaExact.epochs.size(), 3u);
    for (size_t e = 0; e < logged.epochs.size(); ++e)
        EXPECT_EQ(viaExact.epochs[e].trainLoss, logged.epochs[e].trainLoss) << "epoch " << e + 1;
    EXPECT_EQ(viaExact.test.value("ndcg@10"), logged.test.value("ndcg@10"));
    EXPECT_NE(viaShrunk.epochs.front().trainLoss, logged.epochs.front().trainLoss);

    const RunRecord rec = RunStore(ws).run(viaShrunk.runId);
    EXPECT_NE(rec.config.find("\"reward_source\":\"model:" + std::to_string(shrunk) + "\""),
              std::string::npos)
        << rec.config;
}

TEST(RewardSourceTraining, ASourceThatDoesNotFitIsRefusedBeforeAnythingIsRecorded) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRing(ws, "ring");
    addRing(ws, "other");
    const int64_t otherDataset = fitItemMean(ws, "other", 10.0);
    const int64_t otherSplit = fitItemMean(ws, "ring", 10.0, SplitKind::Time);
    ClosedFormRunConfig closedForm;
    closedForm.dataset = "ring";
    closedForm.model = PolicyKind::Popularity;
    closedForm.bootstrapResamples = 0;
    const int64_t notReward = runClosedForm(ws, closedForm).runId;
    const int64_t before = RunStore(ws).lastRunId();
    const auto refused = [&](const std::string& source, const std::string& expected) {
        try {
            runSasrec(ws, tilted(source));
            ADD_FAILURE() << source << ": accepted; expected an error containing '" << expected << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("--reward-source"), std::string::npos) << e.what();
        }
        EXPECT_EQ(RunStore(ws).lastRunId(), before) << source;  // nothing was recorded
    };
    refused("model:" + std::to_string(otherDataset), "another dataset");
    refused("model:" + std::to_string(otherSplit), "another split");
    refused("model:" + std::to_string(notReward), "not a reward model");
    refused("model:999", "999");
    refused("model:0", "model:RUN");
    refused("model:x", "model:RUN");
    refused("estimated", "model:RUN");
}
