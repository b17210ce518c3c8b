// `train --resume` end to end: the stopped runs it resumes are made in this process (a run cancelled in epoch
// 2, one cancelled before its first epoch ended), which needs LibTorch here; the rest of the CLI's
// end-to-end tests are in tests/app/cli_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "store/run_store.h"
#include "support/cli_json.h"
#include "support/test_support.h"
#include "torch/train/sasrec_trainer.h"

using nlohmann::json;
using tiltbench::test::parseJson;
using tiltbench::test::TempDir;

namespace {

constexpr auto cli = &tiltbench::test::runCli;

}  // namespace

TEST(Cli, TrainResumeContinuesAStoppedSasrecRun) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "30", "--items", "25", "--interactions", "450"})
            .exitCode,
        0);
    tiltbench::SasrecRunConfig c;
    c.dataset = "sim";
    c.dim = 16;
    c.blocks = 1;
    c.maxLen = 20;
    c.batchSize = 8;
    c.epochs = 3;
    c.patience = 0;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 20;
    int64_t stopped = 0;
    tiltbench::SasrecRunResult whole;
    {
        tiltbench::Workspace w(ws);
        whole = tiltbench::runSasrec(w, c);
        // What a Ctrl-C in epoch 2 leaves behind.
        EXPECT_THROW(
            tiltbench::runSasrec(w, c, [](const tiltbench::TrainProgress& p) { return p.epoch < 2; }),
            tiltbench::Cancelled);
        stopped = tiltbench::RunStore(w).runs().back().id;
    }
    auto resumed = parseJson(cli({"train", "-w", ws, "--resume", std::to_string(stopped), "--json"}));
    EXPECT_EQ(resumed["run_id"], stopped);
    EXPECT_EQ(resumed["resumed"], true);
    EXPECT_EQ(resumed["dataset"], "sim");
    EXPECT_EQ(resumed["epochs"].size(), 3u);
    EXPECT_DOUBLE_EQ(resumed["metrics"]["test"]["ndcg@10"].get<double>(), whole.test.value("ndcg@10"));
    EXPECT_DOUBLE_EQ(resumed["metrics"]["valid"]["hr@10"].get<double>(), whole.valid.value("hr@10"));
    auto runs = parseJson(cli({"runs", "-w", ws, "--json"}));
    EXPECT_EQ(runs["runs"][1]["status"], "done");

    auto again = cli({"train", "-w", ws, "--resume", std::to_string(stopped)});
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.err.find("nothing to resume"), std::string::npos) << again.err;
    // A run cancelled before its first epoch ended has neither a checkpoint nor a state to resume.
    int64_t early = 0;
    {
        tiltbench::Workspace w(ws);
        EXPECT_THROW(tiltbench::runSasrec(w, c, [](const tiltbench::TrainProgress& p) { return p.step < 1; }),
                     tiltbench::Cancelled);
        early = tiltbench::RunStore(w).runs().back().id;
    }
    auto noCheckpoint = cli({"eval", "-w", ws, "--run", std::to_string(early)});
    EXPECT_EQ(noCheckpoint.exitCode, 1);
    EXPECT_NE(noCheckpoint.err.find("no checkpoint"), std::string::npos) << noCheckpoint.err;
    auto noState = cli({"train", "-w", ws, "--resume", std::to_string(early)});
    EXPECT_EQ(noState.exitCode, 1);
    EXPECT_NE(noState.err.find("first epoch"), std::string::npos) << noState.err;

    auto neither = cli({"train", "-w", ws});
    EXPECT_EQ(neither.exitCode, 1);
    EXPECT_NE(neither.err.find("--dataset"), std::string::npos) << neither.err;
}
