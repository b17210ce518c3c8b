// Data-parallel training through the real CLI, as torchrun starts it: several tiltbench-cli processes with
// RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, rendezvousing on loopback through c10d's TCPStore and
// summing gradients with ProcessGroupGloo (docs/DISTRIBUTED.md).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_json.h"
#include "support/test_support.h"

namespace tiltbench {
namespace {

using nlohmann::json;
using test::runCli;
using test::TempDir;
using Clock = std::chrono::steady_clock;

// A TCP port that was free a moment ago (the kernel's choice for port 0).
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ADD_FAILURE() << "no free port";
        return 0;
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct Rank {
    pid_t pid = -1;
    std::string out, err;  // files
    int exitCode = -1;
};

// Starts `world` ranks of `tiltbench-cli args…` with torchrun's variables, stdout and stderr to files in
// `dir`.
std::vector<Rank> launch(const TempDir& dir, int world, const std::vector<std::string>& args, int port) {
    std::vector<Rank> ranks(static_cast<size_t>(world));
    for (int r = 0; r < world; ++r) {
        Rank& rank = ranks[static_cast<size_t>(r)];
        rank.out = dir.file("rank" + std::to_string(r) + ".out");
        rank.err = dir.file("rank" + std::to_string(r) + ".err");
        std::vector<std::string> argv{test::cliPath()};
        argv.insert(argv.end(), args.begin(), args.end());
        rank.pid = ::fork();
        if (rank.pid == 0) {
            ::setenv("RANK", std::to_string(r).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
            ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
            ::setenv("LOCAL_WORLD_SIZE", std::to_string(world).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            if (!std::freopen(rank.out.c_str(), "w", stdout) || !std::freopen(rank.err.c_str(), "w", stderr))
                _exit(127);
            std::vector<char*> cargv;
            for (auto& a : argv)
                cargv.push_back(a.data());
            cargv.push_back(nullptr);
            ::execv(cargv[0], cargv.data());
            _exit(127);
        }
    }
    return ranks;
}

// Waits for one rank up to `seconds`; kills it (and fails) when it takes longer.
void wait(Rank& rank, double seconds) {
    const auto t0 = Clock::now();
    int status = 0;
    while (::waitpid(rank.pid, &status, WNOHANG) == 0) {
        if (std::chrono::duration<double>(Clock::now() - t0).count() > seconds) {
            ::kill(rank.pid, SIGKILL);
            ::waitpid(rank.pid, &status, 0);
            ADD_FAILURE() << "rank (pid " << rank.pid << ") still running after " << seconds << " s";
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    rank.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> trainArgs(const std::string& ws, int epochs, int batch) {
    return {"train",
            "-w",
            ws,
            "-d",
            "toy",
            "-m",
            "sasrec",
            "--dim",
            "16",
            "--max-len",
            "20",
            "--epochs",
            std::to_string(epochs),
            "--dropout",
            "0",
            "--batch-size",
            std::to_string(batch),
            "--patience",
            "0",
            "--threads",
            "1",
            "--bootstrap",
            "0",
            "--seed",
            "7",
            "--json"};
}

void makeToy(const std::string& ws) {
    ASSERT_EQ(runCli({"generate", "-w", ws, "-n", "toy", "--users", "120", "--items", "90", "--interactions",
                      "3000", "--seed", "3"})
                  .exitCode,
              0);
}

// Two ranks of a 40-epoch run on the toy data (--dist-timeout 30), returned once rank 0 has reported its
// first epoch (rank 0 alone writes the progress file); empty, with a failure, when that took over 90 s.
std::vector<Rank> twoRanksPastTheirFirstEpoch(const TempDir& dir, const std::string& ws,
                                              const std::string& progress) {
    makeToy(ws);
    std::vector<std::string> args = trainArgs(ws, 40, 4);
    args.insert(args.end(), {"--dist-timeout", "30", "--progress-jsonl", progress});
    auto ranks = launch(dir, 2, args, freePort());
    const auto t0 = Clock::now();
    bool epochDone = false;
    while (!epochDone && std::chrono::duration<double>(Clock::now() - t0).count() < 90) {
        std::ifstream in(progress);
        for (std::string line; std::getline(in, line);)
            epochDone = epochDone || line.find("\"event\":\"epoch\"") != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!epochDone) {
        ADD_FAILURE() << "no epoch within 90 s: " << test::readFile(ranks[0].err);
        for (auto& r : ranks)
            ::kill(r.pid, SIGKILL);
        for (auto& r : ranks)
            ::waitpid(r.pid, nullptr, 0);
        return {};
    }
    return ranks;
}

// With dropout 0 and the full softmax, nothing in a step is random: two ranks, each with half of every batch,
// summing their gradients, take the steps one process takes on the whole batch — the same losses and
// validation figures epoch by epoch, to float rounding (the sums run in another order). Only rank 0 writes.
TEST(DataParallel, TwoRanksOnLoopbackTakeTheStepsOneProcessTakes) {
    TempDir dir;
    const std::string one = dir.file("one.sqlite"), two = dir.file("two.sqlite");
    makeToy(one);
    makeToy(two);
    const json single = test::parseJson(runCli(trainArgs(one, 4, 16)));

    auto ranks = launch(dir, 2, trainArgs(two, 4, 16), freePort());
    for (auto& r : ranks)
        wait(r, 120);
    for (const auto& r : ranks)
        ASSERT_EQ(r.exitCode, 0) << test::readFile(r.err);
    const json multi = json::parse(test::readFile(ranks[0].out));
    const json worker = json::parse(test::readFile(ranks[1].out));

    ASSERT_EQ(single["epochs"].size(), 4u);
    ASSERT_EQ(multi["epochs"].size(), 4u);
    for (size_t e = 0; e < 4; ++e) {
        const double a = single["epochs"][e]["train_loss"], b = multi["epochs"][e]["train_loss"];
        EXPECT_NEAR(b, a, 1e-5 * std::abs(a)) << "epoch " << e + 1;
        const double va = single["epochs"][e]["valid_ndcg@10"], vb = multi["epochs"][e]["valid_ndcg@10"];
        EXPECT_NEAR(vb, va, 1e-4) << "epoch " << e + 1;
    }
    EXPECT_NEAR(multi["metrics"]["test"]["ndcg@10"].get<double>(),
                single["metrics"]["test"]["ndcg@10"].get<double>(), 1e-4);
    // The loss moved: the comparison above is not between two untrained models.
    EXPECT_LT(single["epochs"][3]["train_loss"].get<double>(),
              single["epochs"][0]["train_loss"].get<double>());

    EXPECT_EQ(worker["rank"], 1);
    EXPECT_EQ(worker["world_size"], 2);
    EXPECT_EQ(worker["epochs_trained"], 4);
    const json runs = test::parseJson(runCli({"runs", "-w", two, "--json"}))["runs"];
    ASSERT_EQ(runs.size(), 1u);  // rank 1 recorded nothing
    EXPECT_EQ(runs[0]["status"], "done");
    EXPECT_EQ(runs[0]["config"]["world_size"], 2);
}

// Post-training (--init-from an SFT parent, exp weighting) on two ranks takes the steps one process takes:
// the ranks start from the parent's weights (rank 0 alone keeps the frozen parent for validation's KL).
TEST(DataParallel, TwoRanksPostTrainTheWayOneProcessDoes) {
    TempDir dir;
    const std::string one = dir.file("one.sqlite"), two = dir.file("two.sqlite");
    for (const std::string& ws : {one, two}) {
        makeToy(ws);
        std::vector<std::string> sft = trainArgs(ws, 2, 16);
        sft.insert(sft.end(), {"--scheme", "uniform"});
        ASSERT_EQ(test::parseJson(runCli(sft))["run_id"], 1);
    }
    auto post = [](const std::string& ws) {
        std::vector<std::string> args = trainArgs(ws, 3, 16);
        args.insert(args.end(), {"--init-from", "1", "--scheme", "exp", "--lambda", "0.5"});
        return args;
    };
    const json single = test::parseJson(runCli(post(one)));
    auto ranks = launch(dir, 2, post(two), freePort());
    for (auto& r : ranks)
        wait(r, 120);
    for (const auto& r : ranks)
        ASSERT_EQ(r.exitCode, 0) << test::readFile(r.err);
    const json multi = json::parse(test::readFile(ranks[0].out));
    ASSERT_EQ(single["epochs"].size(), 3u);
    ASSERT_EQ(multi["epochs"].size(), 3u);
    for (size_t e = 0; e < 3; ++e) {
        const double a = single["epochs"][e]["train_loss"], b = multi["epochs"][e]["train_loss"];
        EXPECT_NEAR(b, a, 1e-5 * std::abs(a)) << "epoch " << e + 1;
        const double va = single["epochs"][e]["valid_ndcg@10"], vb = multi["epochs"][e]["valid_ndcg@10"];
        EXPECT_NEAR(vb, va, 1e-4) << "epoch " << e + 1;
    }
    const json runs = test::parseJson(runCli({"runs", "-w", two, "--json"}))["runs"];
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[1]["status"], "done");
    EXPECT_EQ(runs[1]["config"]["init_from"], 1);
}

// A rank killed mid-run ends the other at once with an error that names the rank and the way back; the
// epochs rank 0 finished are in the workspace, and one process continues the run to the end.
TEST(DataParallel, AKilledRankEndsTheOtherWithAClearErrorAndTheRunResumes) {
    TempDir dir;
    const std::string ws = dir.file("w.sqlite"), progress = dir.file("progress.jsonl");
    auto ranks = twoRanksPastTheirFirstEpoch(dir, ws, progress);
    ASSERT_EQ(ranks.size(), 2u);
    // Kill rank 1 after the first epoch.
    ::kill(ranks[1].pid, SIGKILL);
    const auto tKill = Clock::now();
    wait(ranks[1], 30);
    wait(ranks[0], 60);
    const double seconds = std::chrono::duration<double>(Clock::now() - tKill).count();
    EXPECT_LT(seconds, 30.0) << "rank 0 should end at once, well within --dist-timeout";
    EXPECT_NE(ranks[0].exitCode, 0);
    const std::string err = test::readFile(ranks[0].err);
    EXPECT_NE(err.find("rank 0 of 2"), std::string::npos) << err;
    EXPECT_NE(err.find("--resume 1"), std::string::npos) << err;

    json runs = test::parseJson(runCli({"runs", "-w", ws, "--json"}))["runs"];
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["status"], "failed");
    const json resumed = test::parseJson(runCli({"train", "-w", ws, "--resume", "1", "--json"}));
    EXPECT_EQ(resumed["resumed"], true);
    EXPECT_EQ(resumed["epochs"].size(), 40u);
    runs = test::parseJson(runCli({"runs", "-w", ws, "--json"}))["runs"];
    EXPECT_EQ(runs[0]["status"], "done");
}

// Ctrl-C reaches every rank of a launcher, each at its own point of a step. A stop asked of any rank is
// decided together at the next collective, so every rank stops after the same step and the run is
// `cancelled`, not `failed`: the hardest case is the signal reaching one rank only (before, that rank left
// alone and rank 0 failed in its next all-reduce).
TEST(DataParallel, CtrlCOnOneRankStopsEveryRankAndTheRunIsCancelled) {
    TempDir dir;
    const std::string ws = dir.file("w.sqlite"), progress = dir.file("progress.jsonl");
    auto ranks = twoRanksPastTheirFirstEpoch(dir, ws, progress);
    ASSERT_EQ(ranks.size(), 2u);
    ::kill(ranks[1].pid, SIGINT);
    wait(ranks[1], 30);
    wait(ranks[0], 30);
    const std::string err0 = test::readFile(ranks[0].err), err1 = test::readFile(ranks[1].err);
    EXPECT_EQ(ranks[0].exitCode, 130) << err0;
    EXPECT_EQ(ranks[1].exitCode, 130) << err1;
    EXPECT_NE(err0.find("run 1 is recorded as cancelled"), std::string::npos) << err0;
    EXPECT_NE(err0.find("--resume 1"), std::string::npos) << err0;
    EXPECT_NE(err1.find("rank 1 of 2"), std::string::npos) << err1;

    json runs = test::parseJson(runCli({"runs", "-w", ws, "--json"}))["runs"];
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["status"], "cancelled");
    std::string last;
    {
        std::ifstream in(progress);
        for (std::string line; std::getline(in, line);)
            last = line;
    }
    const json finished = json::parse(last);
    EXPECT_EQ(finished.value("event", ""), "finished") << last;
    EXPECT_EQ(finished.value("status", ""), "cancelled") << last;
}

// The real launcher: Debian's torchrun (python3-torch) starts two ranks with --no_python; its agent serves
// the TCPStore, which the ranks join as clients (TORCHELASTIC_USE_AGENT_STORE). Skipped where torchrun is
// absent.
TEST(DataParallel, TorchrunStartsTheRanks) {
    if (test::runProcess({"/usr/bin/python3", "-c", "import torch.distributed.run"}).exitCode != 0)
        GTEST_SKIP() << "no torchrun here (Debian: python3-torch); the ranks' own rendezvous is tested above";
    TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    makeToy(ws);
    // Debian's torch 1.13 on Python 3.11 needs --redirects/--tee other than 0 (docs/DISTRIBUTED.md).
    std::vector<std::string> args{"/usr/bin/python3",
                                  "-m",
                                  "torch.distributed.run",
                                  "--nnodes",
                                  "1",
                                  "--nproc_per_node",
                                  "2",
                                  "--master_port",
                                  std::to_string(freePort()),
                                  "--redirects",
                                  "1",
                                  "--tee",
                                  "1",
                                  "--log_dir",
                                  dir.file("logs"),
                                  "--no_python",
                                  test::cliPath()};
    const auto train = trainArgs(ws, 2, 16);
    args.insert(args.end(), train.begin(), train.end());
    const auto r = test::runProcess(args);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("[default1]:  \"rank\": 1"), std::string::npos) << r.out;
    const json runs = test::parseJson(runCli({"runs", "-w", ws, "--json"}))["runs"];
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["status"], "done");
    EXPECT_EQ(runs[0]["config"]["world_size"], 2);
}

TEST(DataParallel, WhatRunsInOneProcessIsRefusedUnderALauncher) {
    TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    makeToy(ws);
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("RANK", "0", 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", "1", 1);  // never reached: each refusal comes first
    const auto closedForm = runCli({"train", "-w", ws, "-d", "toy", "-m", "popularity"});
    const auto sweep = runCli({"sweep", "-w", ws, "-d", "toy", "-m", "sasrec", "--lambdas", "1"});
    ::setenv("RANK", "2", 1);
    const auto badRank = runCli(trainArgs(ws, 1, 16));
    for (const char* v : {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"})
        ::unsetenv(v);
    EXPECT_NE(closedForm.exitCode, 0);
    EXPECT_NE(closedForm.err.find("data-parallel training (WORLD_SIZE > 1) is for -m sasrec"),
              std::string::npos)
        << closedForm.err;
    EXPECT_NE(sweep.exitCode, 0);
    EXPECT_NE(sweep.err.find("sweep --shard I/N"), std::string::npos) << sweep.err;
    EXPECT_NE(badRank.exitCode, 0);
    EXPECT_NE(badRank.err.find("RANK='2' is not a whole number in 0..1"), std::string::npos) << badRank.err;
    EXPECT_EQ(test::parseJson(runCli({"runs", "-w", ws, "--json"}))["runs"].size(), 0u);
}

}  // namespace
}  // namespace tiltbench
