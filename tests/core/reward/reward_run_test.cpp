// Issue 16, a recorded reward-model run: its figures against a direct computation, an oracle that predicts
// the simulator's true expected reward scoring a true-reward AUC of exactly 1, the learned models beating a
// constant on held-out rewards, and the run left out of every recommender view (finished-run groups,
// re-evaluation).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "common/error.h"
#include "data/ground_truth.h"
#include "report/run_groups.h"
#include "reward/reward_metrics.h"
#include "store/run_store.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "train/reward_run.h"

namespace tiltbench {
namespace {

DatasetInfo addSimulated(Workspace& ws) {
    SimulatorConfig config;
    config.users = 150;
    config.items = 60;
    config.interactions = 3000;
    config.seed = 5;
    return generateDataset(ws, "sim", config);
}

class Oracle : public RewardModel {
  public:
    explicit Oracle(const GroundTruth& truth) : m_truth(truth) {}
    double predict(int32_t u, int32_t i) const override { return m_truth.expectedReward(u, i); }
    double objective() const override { return 0.0; }

  private:
    const GroundTruth& m_truth;
};

class Constant : public RewardModel {
  public:
    double predict(int32_t, int32_t) const override { return 3.5; }
    double objective() const override { return 0.0; }
};

TEST(RewardRun, FiguresMatchADirectComputationAndTheOracleRanksPerfectly) {
    test::TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const DatasetInfo d = addSimulated(ws);
    const InteractionLog log = ws.loadLog(d.id);
    const Split split = Split::make(log);
    const GroundTruth truth = GroundTruth::fromRecord(*ws.loadGroundTruth(d.id));
    const auto expected = [&truth](int32_t u, int32_t i) { return truth.expectedReward(u, i); };
    const RewardEvalOptions eo{200, 3};

    const Oracle oracle(truth);
    const RewardEvaluation e = evaluateRewardModel(oracle, log, split, EvalSet::Test, eo, expected);
    ASSERT_NE(e.find("auc_true"), nullptr);
    EXPECT_DOUBLE_EQ(e.find("auc_true")->value, 1.0);
    EXPECT_EQ(e.find("auc_true")->users, static_cast<int64_t>(split.test().size()));
    // RMSE and MAE by hand over the test targets.
    double sq = 0.0, abs = 0.0;
    for (const EvalTarget& t : split.test()) {
        const double err = truth.expectedReward(t.user, t.item) - t.reward;
        sq += err * err;
        abs += std::abs(err);
    }
    const auto n = static_cast<double>(split.test().size());
    EXPECT_NEAR(e.find("rmse")->value, std::sqrt(sq / n), 1e-12);
    EXPECT_NEAR(e.find("mae")->value, abs / n, 1e-12);
    EXPECT_LE(e.find("rmse")->lo, e.find("rmse")->value);
    EXPECT_GE(e.find("rmse")->hi, e.find("rmse")->value);

    // A constant orders nothing: AUC one half everywhere.
    const RewardEvaluation c = evaluateRewardModel(Constant(), log, split, EvalSet::Test, eo, expected);
    EXPECT_DOUBLE_EQ(c.find("auc")->value, 0.5);
    EXPECT_DOUBLE_EQ(c.find("auc_true")->value, 0.5);
    // Oracle − constant, paired: the oracle's true-reward AUC is better beyond noise.
    const auto diffs = compareRewardModels(e, c, eo);
    bool sawTrue = false;
    for (const RewardDifference& x : diffs) {
        if (x.name == "auc_true") {
            sawTrue = true;
            EXPECT_DOUBLE_EQ(x.diff, 0.5);
            EXPECT_GT(x.lo, 0.0);
        }
    }
    EXPECT_TRUE(sawTrue);
    // Different held-out targets cannot be paired.
    const RewardEvaluation v = evaluateRewardModel(oracle, log, split, EvalSet::Validation, eo, expected);
    EXPECT_THROW((void)compareRewardModels(e, v, eo), Error);
}

TEST(RewardRun, IsRecordedAndLeftOutOfTheRecommenderViews) {
    test::TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addSimulated(ws);
    ClosedFormRunConfig policy;
    policy.dataset = "sim";
    policy.bootstrapResamples = 0;
    const ClosedFormRunResult p = runClosedForm(ws, policy);

    RewardRunConfig config;
    config.dataset = "sim";
    config.model.kind = RewardModelKind::Factorisation;
    config.model.dim = 4;
    config.model.iterations = 10;
    config.bootstrapResamples = 100;
    const RewardRunResult r = runRewardModel(ws, config);
    RunStore store(ws);
    const RunRecord record = store.run(r.runId);
    EXPECT_EQ(record.model, "reward:mf");
    EXPECT_EQ(record.status, "done");
    EXPECT_TRUE(isRewardModelRun(record.model));
    EXPECT_FALSE(isRewardModelRun("sasrec"));
    const RewardRunConfig stored = RewardRunConfig::fromJson(record.config);
    EXPECT_EQ(stored.model.kind, RewardModelKind::Factorisation);
    EXPECT_EQ(stored.model.dim, 4);

    bool sawTestRmse = false, sawTrueAuc = false;
    for (const MetricRow& m : store.metrics(r.runId)) {
        if (m.split == "test" && m.name == "rmse") {
            sawTestRmse = true;
            EXPECT_NEAR(m.value, r.test.find("rmse")->value, 1e-12);
        }
        sawTrueAuc = sawTrueAuc || (m.split == "test" && m.name == "auc_true");
    }
    EXPECT_TRUE(sawTestRmse);
    EXPECT_TRUE(sawTrueAuc);
    // The learned model knows which items a user likes better than chance.
    EXPECT_GT(r.test.find("auc_true")->value, 0.6);

    // Finished-run views (Compare's groups, the report) list the policy, not the reward model.
    const auto runs = loadFinishedRuns(ws, record.datasetId);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().record.id, p.runId);
}

TEST(RewardRun, AStoredConfigIsCheckedBeforeUse) {
    EXPECT_THROW((void)RewardRunConfig::fromJson(R"({"dataset": "d", "dim": 100000})"), Error);
    EXPECT_THROW((void)RewardRunConfig::fromJson(R"({"dataset": "d", "reward_model": "oracle"})"), Error);
    EXPECT_THROW((void)RewardRunConfig::fromJson(R"({"dataset": "d", "l2": -1})"), Error);
    EXPECT_THROW((void)RewardRunConfig::fromJson(R"({"dataset": "d", "l2": "x"})"), Error);
    EXPECT_THROW((void)RewardRunConfig::fromJson("[1]"), Error);
    const RewardRunConfig c =
        RewardRunConfig::fromJson(R"({"dataset": "d", "reward_model": "bias", "l2": 2})");
    EXPECT_EQ(c.model.kind, RewardModelKind::Bias);
    EXPECT_DOUBLE_EQ(c.model.l2, 2.0);
    RewardRunConfig bad;
    bad.bootstrapResamples = -1;
    EXPECT_THROW(bad.validate(), Error);
    // The head's state run, as a hostile workspace could store it: each refused, naming the field.
    for (const char* json : {R"({"dataset": "d", "reward_model": "sasrec-head", "state_run": "7"})",
                             R"({"dataset": "d", "reward_model": "sasrec-head", "state_run": 1.5})",
                             R"({"dataset": "d", "reward_model": "sasrec-head", "state_run": -3})",
                             R"({"dataset": "d", "reward_model": "sasrec-head", "state_run": 0})",
                             R"({"dataset": "d", "reward_model": "sasrec-head"})",
                             R"({"dataset": "d", "reward_model": "sasrec-head", "state_run": 1e300})"}) {
        try {
            (void)RewardRunConfig::fromJson(json);
            ADD_FAILURE() << "accepted " << json;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("state"), std::string::npos) << json << ": " << e.what();
        }
    }
    EXPECT_EQ(RewardRunConfig::fromJson(R"({"dataset": "d", "reward_model": "sasrec-head", "state_run": 12})")
                  .model.stateRun,
              12);
}

}  // namespace
}  // namespace tiltbench
