// Issue 13, section 4: no command fails because another program holds the workspace's write lock. A `train`
// started while another connection holds it (an open BEGIN IMMEDIATE, as a long import or the sqlite3 shell
// holds it) waits, says so — a "waiting_for_workspace" event on its --progress-jsonl stream and a line on
// stderr — and finishes with every epoch recorded once the lock is free. Before, it failed with "database is
// locked" after a 10 s busy timeout. The lock is released when the waiting event arrives, so the test takes
// as long as the command itself.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include <signal.h>
#include <sys/wait.h>

#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

// Spawns `tiltbench-cli args…` while another connection holds the write lock, releases the lock once the
// command's progress stream says it waits, and returns the command's exit status (-1: it hung).
int runWhileLocked(const std::string& ws, const std::string& stream, std::vector<std::string> args,
                   bool& sawWaiting) {
    sqlite3* other = nullptr;
    EXPECT_EQ(sqlite3_open(ws.c_str(), &other), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    ::setenv("TILTBENCH_LOCK_REPORT_MS", "100", 1);
    const pid_t pid = test::spawnCli(args, true);
    ::unsetenv("TILTBENCH_LOCK_REPORT_MS");
    EXPECT_GT(pid, 0);
    bool held = true;
    int status = 0;
    const auto start = std::chrono::steady_clock::now();
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(120)) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            sqlite3_close(other);
            return -1;
        }
        if (held && test::pathExists(stream) &&
            test::readFile(stream).find("\"event\":\"waiting_for_workspace\"") != std::string::npos) {
            sawWaiting = true;
            EXPECT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
            held = false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (held)
        sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class LockContention : public ::testing::Test {
  protected:
    void SetUp() override {
        ws = tmp.file("ws.sqlite");
        ASSERT_EQ(test::runCli({"generate", "-w", ws, "-n", "sim", "--users", "40", "--items", "30",
                                "--interactions", "600"})
                      .exitCode,
                  0);
    }
    TempDir tmp;
    std::string ws;
};

}  // namespace

TEST_F(LockContention, AClosedFormTrainWaitsForABusyWorkspaceAndSaysSo) {
    const std::string stream = tmp.file("progress.jsonl");
    bool sawWaiting = false;
    const int rc = runWhileLocked(
        ws, stream,
        {"train", "-w", ws, "-d", "sim", "-m", "popularity", "--bootstrap", "0", "--progress-jsonl", stream},
        sawWaiting);
    EXPECT_EQ(rc, 0) << test::readFile(stream);
    EXPECT_TRUE(sawWaiting) << test::readFile(stream);
    EXPECT_NE(test::readFile(stream).find("\"status\":\"done\""), std::string::npos);
    Workspace w(ws);
    const auto runs = RunStore(w).runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "done");
}

TEST_F(LockContention, ASasrecTrainWaitsForABusyWorkspaceAndRecordsEveryEpoch) {
    const std::string stream = tmp.file("progress.jsonl");
    bool sawWaiting = false;
    const int rc = runWhileLocked(ws, stream, {"train",  "-w",
                                               ws,       "-d",
                                               "sim",    "-m",
                                               "sasrec", "--epochs",
                                               "2",      "--dim",
                                               "8",      "--blocks",
                                               "1",      "--heads",
                                               "1",      "--max-len",
                                               "10",     "--batch-size",
                                               "8",      "--bootstrap",
                                               "0",      "--threads",
                                               "1",      "--device",
                                               "cpu",    "--progress-jsonl",
                                               stream},
                                  sawWaiting);
    EXPECT_EQ(rc, 0) << test::readFile(stream);
    EXPECT_TRUE(sawWaiting) << test::readFile(stream);
    Workspace w(ws);
    const auto runs = RunStore(w).runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "done");
    std::set<int> epochs;
    for (const MetricRow& m : RunStore(w).metrics(runs[0].id)) {
        if (m.epoch >= 1 && m.name == "seconds")
            epochs.insert(m.epoch);
    }
    EXPECT_EQ(epochs, (std::set<int>{1, 2}));
}
