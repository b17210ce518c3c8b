// Issue 16: what a run trains on besides its scheme — a learned reward, DPO or PPO — is part of its
// configuration, not of its experiment, so those runs are compared with the experiment's SFT baseline; only
// the unlabelled uniform run is that baseline.
#include "report/run_groups.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/dataset_writer.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/sweep_summary.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

int64_t addRun(Workspace& ws, int64_t dataset, const std::string& model, nlohmann::json config, double ndcg) {
    RunStore store(ws);
    config["epochs"] = 30;
    if (!config.contains("lr"))
        config["lr"] = 0.001;
    config["split_hash"] = "00000000000000aa";
    const int64_t id = store.createRun(dataset, model, config.dump(), "cpu");
    const double nan = std::nan("");
    store.addMetrics(id, {{-1, "test", "ndcg@10", ndcg, nan, nan}},
                     {{"test", "ndcg@10", {0, 1}, {ndcg - 0.01, ndcg + 0.01}}});
    store.finishRun(id, "done");
    return id;
}

nlohmann::json sasrec(const WeightScheme& scheme, uint64_t seed) {
    return {{"weighting", nlohmann::json::parse(scheme.toJson())}, {"seed", seed}, {"init_from", 1}};
}

}  // namespace

TEST(RunGroups, LearnedRewardsDpoAndPpoAreConfigurationsOfTheSftExperiment) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    int64_t dataset = 0;
    {
        auto w = ws.createDataset({"d", "test", "{}"});
        w->add(w->userIndex("u"), w->itemIndex("i"), 1.0, 1);
        dataset = w->commit().id;
    }
    const int64_t rewardRun = RunStore(ws).createRun(dataset, "reward:mf", "{}", "cpu");
    RunStore(ws).finishRun(rewardRun, "done");
    const std::string source = "model:" + std::to_string(rewardRun);
    for (uint64_t seed : {1u, 2u}) {
        addRun(ws, dataset, "sasrec", sasrec(WeightScheme::uniform(), seed), 0.10);
        auto learned = sasrec(WeightScheme::exp(2.0), seed);
        learned["reward_source"] = source;
        learned["objective"] = "weighted";
        addRun(ws, dataset, "sasrec", learned, 0.12);
        auto dpo = sasrec(WeightScheme::uniform(), seed);
        dpo["reward_source"] = source;
        dpo["objective"] = "dpo";
        dpo["dpo_beta"] = 0.1;
        auto ppo = dpo;
        dpo["lr"] = 0.0001;  // a baseline's own learning rate: same experiment, named in its configuration
        addRun(ws, dataset, "sasrec", dpo, 0.05);
        ppo["objective"] = "ppo";
        ppo["kl_beta"] = 0.05;
        ppo["ppo_samples"] = 4;
        addRun(ws, dataset, "sasrec", ppo, 0.08);
    }
    const auto runs = loadFinishedRuns(ws, dataset);
    ASSERT_EQ(runs.size(), 8u);
    const auto groups = groupRuns(runs);
    ASSERT_EQ(groups.size(), 4u);
    for (const auto& g : groups) {
        EXPECT_EQ(g.experiment, groups[0].experiment) << configurationName(g);  // one experiment
        EXPECT_EQ(g.bySeed.size(), 2u);
    }
    const std::string r = " · r̂ run " + std::to_string(rewardRun) + " (reward:mf)";
    EXPECT_EQ(configurationName(groups[0]), "uniform (SFT)");
    EXPECT_EQ(configurationName(groups[1]), "exp λ = 2" + r);
    EXPECT_EQ(configurationName(groups[2]), "DPO β = 0.1, lr 0.0001" + r);
    EXPECT_EQ(configurationName(groups[3]), "PPO β_KL = 0.05, K = 4, lr 0.001" + r);

    // The sweep summary: only the unlabelled uniform run is the baseline; DPO is compared with it.
    std::vector<SeededRunFigures> figures;
    for (const auto& run : runs)
        figures.push_back({run.record.id, run.seed, run.scheme, &run.test, run.method});
    const SweepSummary s = summariseSweep(figures, {"ndcg@10"}, {});
    ASSERT_EQ(s.rows.size(), 4u);
    EXPECT_TRUE(s.rows[0].isBaseline);
    EXPECT_FALSE(s.rows[2].isBaseline);
    EXPECT_EQ(s.rows[2].label, "DPO β = 0.1, lr 0.0001" + r);
    ASSERT_TRUE(s.rows[2].cells.at(0).paired);
    EXPECT_NEAR(s.rows[2].cells.at(0).vsBaseline.diff, -0.05, 1e-12);
}
