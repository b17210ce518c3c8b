// Concurrency (issue 7): the GUI reads the workspace while a training run in a child tiltbench-cli writes to
// it (a checkpoint, the resumable state and metrics after every epoch). With WAL and the busy timeout, no
// read ever fails with "database is locked" — neither on a long-lived connection (the GUI's) nor on fresh
// ones (its workers') — and a second writer (an import in this process) waits for its turn instead of
// failing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>

#include "io/import.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

TEST(Concurrency, ReadsAndAnImportWhileATrainingRunWritesNeverSeeALockedDatabase) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    ASSERT_EQ(tiltbench::test::runCli({"generate", "-w", ws, "-n", "sim", "--users", "80", "--items", "60",
                                       "--interactions", "2400"})
                  .exitCode,
              0);
    const pid_t pid = tiltbench::test::spawnCli(
        {"train", "-w",         ws,   "-d",          "sim", "-m",        "sasrec", "--epochs",
         "40",    "--dim",      "16", "--blocks",    "1",   "--max-len", "30",     "--batch-size",
         "8",     "--patience", "0",  "--bootstrap", "20",  "--threads", "1",      "--device",
         "cpu"},
        false);
    ASSERT_GT(pid, 0);

    Workspace gui(ws);  // the GUI's long-lived connection
    RunStore guiRuns(gui);
    int64_t reads = 0, epochsSeen = 0;
    std::string failure;
    bool imported = false;
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0 &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
        try {
            for (const RunRecord& run : guiRuns.runs()) {
                int64_t epochs = 0;
                for (const MetricRow& m : guiRuns.metrics(run.id)) {
                    epochs += (m.epoch >= 1 && m.name == "loss");
                }
                epochsSeen = std::max(epochsSeen, epochs);
            }
            gui.loadLog(gui.datasetByName("sim").id);
            Workspace fresh(ws);  // a worker's own connection
            RunStore(fresh).runs();
            fresh.datasets();
            reads += 3;
            if (!imported && epochsSeen >= 2) {
                // A second writer while the run writes: waits on the busy timeout, then commits.
                const std::string file = tmp.file("more.csv");
                test::writeFile(file, "user,item,rating\nu1,a,5\nu2,b,3\n");
                ImportRequest r;
                r.name = "more";
                r.format = ImportFormat::Csv;
                r.files = {file};
                importDataset(fresh, r);
                imported = true;
            }
        } catch (const std::exception& e) {
            failure = e.what();
            break;
        }
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        FAIL() << "training did not finish in time";
    }
    EXPECT_TRUE(failure.empty()) << "after " << reads << " reads: " << failure;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "training failed";
    EXPECT_GE(epochsSeen, 2) << "the reads did not overlap the run's writes";
    EXPECT_GT(reads, 30);
    EXPECT_TRUE(imported);
    EXPECT_EQ(guiRuns.runs().back().status, "done");
}
