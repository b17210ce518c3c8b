// Issue 16, the reward head on a SASRec state: the states it reads are checked against two other paths
// through the same model — the trainer's loss (every training target's cross-entropy through its context
// state equals SasrecModel::loss over the training windows) and the scorer (a user's final state times the
// item embeddings equals the scores the evaluator ranks) — and a recorded sasrec-head run's held-out figures
// against a computation from its stored fit. A --state-run that is not a finished SASRec run of the same data
// is refused before anything is recorded.
#include <gtest/gtest.h>
#include <torch/types.h>

#include <cmath>
#include <string>

#include "common/error.h"
#include "reward/reward_model.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "torch/model/sasrec.h"
#include "torch/model/sasrec_module.h"
#include "torch/train/reward_states.h"
#include "torch/train/sasrec_trainer.h"
#include "train/reward_run.h"
#include "train/sasrec_sequences.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace reward_states_test_file {

namespace {

// 20 users, 30 items; histories of 12 (longer than the model's 8 steps, so a user has several windows).
void addRing(Workspace& ws) {
    auto w = ws.createDataset({"ring", "test", "{}"});
    w->setHasTime(true);
    for (int i = 0; i < 30; ++i)
        w->itemIndex("i" + std::to_string(i));
    for (int u = 0; u < 20; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 12; ++t) {
            const int item = (u * 7 + t * (1 + u % 3)) % 30;
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + (item + u) % 5, 1000 + t);
        }
    }
    w->commit();
}

SasrecRunConfig tiny() {
    SasrecRunConfig c;
    c.dataset = "ring";
    c.dim = 8;
    c.blocks = 1;
    c.maxLen = 8;
    c.batchSize = 8;
    c.lr = 0.01;
    c.epochs = 2;
    c.patience = 0;
    c.seed = 3;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 0;
    return c;
}

struct Trained {
    TempDir tmp;
    Workspace ws{tmp.file("ws.sqlite"), OpenMode::CreateIfMissing};
    int64_t sasrec = 0;
    Trained() {
        addRing(ws);
        sasrec = runSasrec(ws, tiny()).runId;
    }
};

}  // namespace

TEST(RewardHead, StatesAreTheModelsOwnContextsForTheLossAndTheScorer) {
    Trained t;
    const DatasetInfo info = t.ws.datasetByName("ring");
    const InteractionLog log = t.ws.loadLog(info.id);
    const Split split = Split::make(log, SplitConfig{});
    const RewardStates s = sasrecRewardStates(t.ws, t.sasrec, info, log, split);
    const TrainingTargets& targets = split.training();
    ASSERT_EQ(s.dim, 8);
    ASSERT_EQ(s.hasContext.size(), targets.size());

    SasrecModel model = loadSasrecCheckpoint(t.ws, t.sasrec);
    model.setTraining(false);
    const at::Tensor items = model.impl().module->itemEmbeddings().slice(0, 1).detach();
    const auto states =
        at::from_blob(const_cast<float*>(s.context.data()), {static_cast<int64_t>(targets.size()), s.dim});
    // Mean cross-entropy of every target that has a context, through its own state.
    double ce = 0.0;
    int64_t counted = 0;
    const at::Tensor logp = at::log_softmax(at::matmul(states, items.t()), 1);
    for (size_t k = 0; k < targets.size(); ++k) {
        const bool first = k == 0 || targets.user[k - 1] != targets.user[k];
        ASSERT_EQ(s.hasContext[k], first ? 0 : 1) << k;  // every target but a user's first
        if (!first) {
            ce -= logp[static_cast<int64_t>(k)][targets.item[k]].item<float>();
            ++counted;
        }
    }
    const auto windows = buildSequences(targets, std::vector<float>(targets.size(), 1.0f), 8);
    std::vector<size_t> all(windows.size());
    for (size_t k = 0; k < all.size(); ++k)
        all[k] = k;
    EXPECT_NEAR(ce / static_cast<double>(counted),
                model.loss(makeBatch(windows, all, WeightScheme::uniform()), false), 1e-5);

    // A user's final state scores every item as the evaluator's scorer does after the whole training history.
    for (int32_t u : {0, 7, 19}) {
        std::vector<int32_t> history;
        for (size_t k = 0; k < targets.size(); ++k)
            if (targets.user[k] == u)
                history.push_back(targets.item[k]);
        std::vector<float> scores(30);
        model.score({UserContext{u, history.data(), static_cast<int64_t>(history.size())}}, 0, 30,
                    scores.data());
        const auto user = at::from_blob(const_cast<float*>(&s.user[static_cast<size_t>(u * 8)]), {1, 8});
        const at::Tensor direct = at::matmul(user, items.t()).squeeze(0);
        for (int32_t i = 0; i < 30; ++i)
            ASSERT_NEAR(direct[i].item<float>(), scores[static_cast<size_t>(i)], 1e-4) << u << " " << i;
    }
}

TEST(RewardHead, ARecordedHeadsFiguresMatchItsStoredFitAndBadStateRunsRecordNothing) {
    Trained t;
    RewardRunConfig c;
    c.dataset = "ring";
    c.model.kind = RewardModelKind::SasrecHead;
    c.model.stateRun = t.sasrec;
    c.bootstrapResamples = 0;
    const RewardRunResult r = runRewardModel(t.ws, c, {}, sasrecRewardStates);

    RunStore runs(t.ws);
    const DatasetInfo info = t.ws.datasetByName("ring");
    const Split split = Split::make(t.ws.loadLog(info.id), SplitConfig{});
    const auto model = loadRewardModel(runs.modelBlob(r.runId), split.numUsers(), split.numItems(), "test");
    double sq = 0.0;
    for (const EvalTarget& e : split.test()) {
        const double d = model->predict(e.user, e.item) - e.reward;
        sq += d * d;
    }
    const double rmse = std::sqrt(sq / static_cast<double>(split.test().size()));
    bool found = false;
    for (const MetricRow& m : runs.metrics(r.runId))
        if (m.split == "test" && m.name == "rmse") {
            EXPECT_NEAR(m.value, rmse, 1e-12);
            found = true;
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(runs.run(r.runId).model, "reward:sasrec-head");
    EXPECT_EQ(RewardRunConfig::fromJson(runs.run(r.runId).config).model.stateRun, t.sasrec);

    const int64_t before = runs.lastRunId();
    for (const auto& [stateRun, expected] : std::vector<std::pair<int64_t, std::string>>{
             {r.runId, "reward:sasrec-head"}, {999, "no such run"}}) {
        c.model.stateRun = stateRun;
        try {
            (void)runRewardModel(t.ws, c, {}, sasrecRewardStates);
            ADD_FAILURE() << "--state-run " << stateRun << " was accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("--state-run"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
    }
    c.model.stateRun = t.sasrec;
    EXPECT_THROW((void)runRewardModel(t.ws, c), Error);  // no states function: the torch-free build
    EXPECT_EQ(runs.lastRunId(), before);
}

}  // namespace reward_states_test_file
