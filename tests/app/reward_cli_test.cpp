// Issue 16 from the command line: `tiltbench-cli reward` fits and records one run per reward model with its
// held-out figures and the paired table against the first model; `train --reward-source model:RUN` weights a
// SASRec run by that model's estimates and records the source; a closed-form model and bad sources are
// refused with a non-zero exit and nothing recorded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/run_store.h"
#include "support/cli_json.h"
#include "support/test_support.h"

using nlohmann::json;
using tiltbench::test::parseJson;
using tiltbench::test::TempDir;

namespace {
constexpr auto cli = &tiltbench::test::runCli;
}  // namespace

TEST(RewardCli, FitsRecordsAndFeedsASasrecRun) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "40", "--interactions", "1500"})
            .exitCode,
        0);
    const json r = parseJson(cli({"reward", "-w", ws, "-d", "sim", "-m", "item-mean,mf", "--dim", "4",
                                  "--bootstrap", "50", "--json"}));
    ASSERT_EQ(r["runs"].size(), 2u);
    for (const auto& run : r["runs"]) {
        for (const char* m : {"rmse", "mae", "auc", "auc_true"})
            EXPECT_TRUE(run["test"].contains(m)) << run["model"] << " " << m;
        const double v = run["test"]["rmse"]["value"];
        EXPECT_LE(run["test"]["rmse"]["lo"].get<double>(), v);
        EXPECT_GE(run["test"]["rmse"]["hi"].get<double>(), v);
    }
    ASSERT_EQ(r["against_baseline"].size(), 1u);
    EXPECT_EQ(r["against_baseline"][0]["baseline"], "item-mean");
    const std::string mf = std::to_string(r["runs"][1]["run_id"].get<int64_t>());

    auto trained = cli({"train",
                        "-w",
                        ws,
                        "-d",
                        "sim",
                        "-m",
                        "sasrec",
                        "--lambda",
                        "1",
                        "--reward-source",
                        "model:" + mf,
                        "--epochs",
                        "1",
                        "--dim",
                        "8",
                        "--max-len",
                        "20",
                        "--bootstrap",
                        "0",
                        "--threads",
                        "1",
                        "--json"});
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    const int64_t runId = parseJson(trained)["run_id"];
    tiltbench::Workspace w(ws, tiltbench::OpenMode::OpenExisting);
    const json config = json::parse(tiltbench::RunStore(w).run(runId).config);
    EXPECT_EQ(config["reward_source"], "model:" + mf);

    // The reward head on that run's frozen states: the light CLI hands the command to the torch one.
    const json head = parseJson(cli({"reward", "-w", ws, "-d", "sim", "-m", "sasrec-head", "--state-run",
                                     std::to_string(runId), "--bootstrap", "0", "--threads", "1", "--json"}));
    ASSERT_EQ(head["runs"].size(), 1u);
    EXPECT_EQ(head["runs"][0]["model"], "sasrec-head");
    EXPECT_TRUE(head["runs"][0]["test"].contains("auc_true"));

    const int64_t before = tiltbench::RunStore(w).lastRunId();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"train", "-w", ws, "-d", "sim", "-m", "markov", "--lambda", "1", "--reward-source",
              "model:" + mf},
             {"train", "-w", ws, "-d", "sim", "-m", "sasrec", "--reward-source",
              "model:" + std::to_string(runId), "--epochs", "1"},
             {"sweep", "-w", ws, "-d", "sim", "-m", "sasrec", "--lambdas", "inf,1", "--reward-source",
              "nope"},
         }) {
        const auto bad = cli(args);
        EXPECT_NE(bad.exitCode, 0) << args[4];
        EXPECT_NE(bad.err.find("--reward-source"), std::string::npos) << bad.err;
    }
    // DPO and PPO train SASRec: a closed-form model refuses them; SASRec asks for a parent and a reward
    // model.
    for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"train", "-w", ws, "-d", "sim", "-m", "markov", "--objective", "dpo"}, "--objective dpo"},
             {{"sweep", "-w", ws, "-d", "sim", "-m", "popularity", "--lambdas", "1", "--objective", "ppo"},
              "--objective ppo"},
             {{"train", "-w", ws, "-d", "sim", "-m", "sasrec", "--objective", "dpo", "--epochs", "1"},
              "--init-from"},
             {{"train", "-w", ws, "-d", "sim", "-m", "sasrec", "--objective", "ppo", "--init-from",
               std::to_string(runId), "--epochs", "1"},
              "--reward-source model:RUN"},
             {{"train", "-w", ws, "-d", "sim", "-m", "sasrec", "--objective", "rlhf"}, "--objective"},
             {{"reward", "-w", ws, "-d", "sim", "-m", "sasrec-head", "--state-run", mf}, "--state-run"},
             {{"reward", "-w", ws, "-d", "sim", "-m", "sasrec-head"}, "--state-run"},
         }) {
        const auto bad = cli(args);
        EXPECT_NE(bad.exitCode, 0) << args[4];
        EXPECT_NE(bad.err.find(expected), std::string::npos) << bad.err;
    }
    EXPECT_EQ(tiltbench::RunStore(w).lastRunId(), before);
}
