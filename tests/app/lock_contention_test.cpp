// Issue 13, section 4: no command fails because another program holds the workspace's write lock. A `train`
// started while another connection holds it (an open BEGIN IMMEDIATE, as a long import or the sqlite3 shell
// holds it) waits, says so — a "waiting_for_workspace" event on its --progress-jsonl stream and a line on
// stderr — and finishes with every epoch recorded once the lock is free. Before, it failed with "database is
// locked" after a 10 s busy timeout. The lock is released when the waiting event arrives, so the test takes
// as long as the command itself. A SASRec run's epoch events come from memory while its records wait, so a
// progress reader's learning curve moves on while another program holds the lock.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

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

// Another connection takes the write lock once the run exists and its first epoch trains; it is held until
// the stream has an epoch event for the last epoch. Those events must arrive while the lock is held for
// epochs whose records cannot have been written yet (before, epoch events were read back from the workspace,
// so none came until the lock was free, and the Train page's curve stood still). Then every epoch is
// recorded, and the final event counts the recorded epochs.
TEST_F(LockContention, ASasrecTrainReportsEveryEpochWhileItsRecordsWait) {
    const std::string stream = tmp.file("progress.jsonl");
    // Epochs of about 0.1 s (600 interactions train in 20 ms, before a 10 ms poll can take the lock).
    ASSERT_EQ(test::runCli({"generate", "-w", ws, "-n", "slow", "--users", "300", "--items", "100",
                            "--interactions", "6000"})
                  .exitCode,
              0);
    const int epochs = 6;
    const pid_t pid = test::spawnCli({"train",
                                      "-w",
                                      ws,
                                      "-d",
                                      "slow",
                                      "-m",
                                      "sasrec",
                                      "--epochs",
                                      std::to_string(epochs),
                                      "--dim",
                                      "8",
                                      "--blocks",
                                      "1",
                                      "--heads",
                                      "1",
                                      "--max-len",
                                      "10",
                                      "--batch-size",
                                      "8",
                                      "--bootstrap",
                                      "0",
                                      "--threads",
                                      "1",
                                      "--device",
                                      "cpu",
                                      "--progress-jsonl",
                                      stream},
                                     true);
    ASSERT_GT(pid, 0);
    auto events = [&](const std::string& kind) {
        std::vector<nlohmann::json> out;
        if (!test::pathExists(stream))
            return out;
        std::istringstream in(test::readFile(stream));
        std::string line;
        while (std::getline(in, line)) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.value("event", "") == kind)
                out.push_back(j);
        }
        return out;
    };
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(ws.c_str(), &other), SQLITE_OK);
    sqlite3_busy_timeout(other, 10000);  // the run may be writing an epoch's records at that moment
    bool held = false;
    int recordedWhenLocked = -1, reportedWhileHeld = 0;
    int status = 0;
    const auto start = std::chrono::steady_clock::now();
    while (waitpid(pid, &status, WNOHANG) == 0) {
        const bool timeUp = std::chrono::steady_clock::now() - start > std::chrono::seconds(60);
        if (recordedWhenLocked < 0 && !timeUp && !events("progress").empty()) {
            ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
            held = true;
            // What the run has recorded so far; nothing more can be written while the lock is held.
            sqlite3_stmt* q = nullptr;
            ASSERT_EQ(
                sqlite3_prepare_v2(
                    other, "SELECT count(*) FROM run_metrics WHERE split = 'train' AND name = 'seconds'", -1,
                    &q, nullptr),
                SQLITE_OK);
            ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
            recordedWhenLocked = sqlite3_column_int(q, 0);
            sqlite3_finalize(q);
        }
        if (held) {
            int last = 0;
            for (const auto& e : events("epoch"))
                last = std::max(last, e.value("epoch", 0));
            reportedWhileHeld = last;
            if (last >= epochs || timeUp) {
                EXPECT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
                held = false;
            }
        }
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(120)) {
            kill(pid, SIGKILL);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    waitpid(pid, &status, 0);
    if (held)
        sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::readFile(stream);
    ASSERT_GE(recordedWhenLocked, 0);
    ASSERT_LT(recordedWhenLocked, epochs) << "the run ended before the lock was taken";
    EXPECT_EQ(reportedWhileHeld, epochs) << "epoch events stopped while the records waited\n"
                                         << test::readFile(stream);
    const auto epochEvents = events("epoch");
    ASSERT_EQ(epochEvents.size(), static_cast<size_t>(epochs)) << test::readFile(stream);
    for (size_t k = 0; k < epochEvents.size(); ++k) {
        EXPECT_EQ(epochEvents[k].value("epoch", 0), static_cast<int>(k) + 1);
        EXPECT_TRUE(epochEvents[k]["train_loss"].is_number()) << epochEvents[k].dump();
        EXPECT_TRUE(epochEvents[k]["valid_ndcg@10"].is_number()) << epochEvents[k].dump();
    }
    EXPECT_FALSE(events("waiting_for_workspace").empty()) << test::readFile(stream);
    const auto finished = events("finished");
    ASSERT_EQ(finished.size(), 1u);
    EXPECT_EQ(finished[0].value("status", ""), "done");
    EXPECT_EQ(finished[0].value("epochs_done", 0), epochs);
    Workspace w(ws);
    const auto runs = RunStore(w).runs();
    ASSERT_EQ(runs.size(), 1u);
    std::set<int> recorded;
    for (const MetricRow& m : RunStore(w).metrics(runs[0].id)) {
        if (m.epoch >= 1 && m.name == "seconds")
            recorded.insert(m.epoch);
    }
    EXPECT_EQ(recorded, (std::set<int>{1, 2, 3, 4, 5, 6}));
}
