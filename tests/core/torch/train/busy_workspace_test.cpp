// A long writer must not kill other commands or lose training work (issue 13, section 4). While another
// connection holds the workspace's write lock — here an open BEGIN IMMEDIATE, as a long import or the sqlite3
// shell holds it — a write waits for it without a time limit (it used to fail with "database is locked" after
// a 10 s busy timeout), and SASRec training keeps its epochs' records in memory and trains on instead of
// stalling or losing the epoch. The tests are deterministic: the lock is taken from the trainer's progress
// callback and released from the workspace's lock-wait callback, so nothing depends on timing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <optional>
#include <set>
#include <string>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "store/workspace_impl.h"
#include "support/test_support.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

// Another program's connection that takes and releases the workspace's write lock.
class LockHolder {
  public:
    explicit LockHolder(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &m_db), SQLITE_OK); }
    ~LockHolder() {
        release();
        sqlite3_close(m_db);
    }
    void take() {
        ASSERT_EQ(sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(m_db);
        m_held = true;
    }
    void release() {
        if (m_held) {
            EXPECT_EQ(sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
        }
        m_held = false;
    }
    bool held() const { return m_held; }

  private:
    sqlite3* m_db = nullptr;
    bool m_held = false;
};

void addRingDataset(Workspace& ws) {
    auto w = ws.createDataset({"ring", "test", "{}"});
    w->setHasTime(true);
    for (int i = 0; i < 20; ++i)
        w->itemIndex("i" + std::to_string(i));
    for (int u = 0; u < 16; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 10; ++t) {
            const int item = (u * 3 + t) % 20;
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + item % 5, 1000 + t);
        }
    }
    w->commit();
}

SasrecRunConfig twoEpochs() {
    SasrecRunConfig c;
    c.dataset = "ring";
    c.dim = 8;
    c.blocks = 1;
    c.heads = 1;
    c.maxLen = 12;
    c.dropout = 0.0;
    c.batchSize = 4;
    c.epochs = 2;
    c.patience = 0;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 0;
    return c;
}

std::set<int> epochsWithMetric(Workspace& ws, int64_t runId, const std::string& name) {
    std::set<int> epochs;
    for (const MetricRow& m : RunStore(ws).metrics(runId)) {
        if (m.epoch >= 1 && m.name == name)
            epochs.insert(m.epoch);
    }
    return epochs;
}

}  // namespace

TEST(BusyWorkspace, TryWriteGivesUpOnABusyLockAndAWaitEndsWhenTheCallbackSaysSo) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    addRingDataset(ws);
    LockHolder other(path);
    other.take();
    const int64_t id = ws.datasetByName("ring").id;
    EXPECT_FALSE(ws.tryWrite([&] { ws.removeDataset(id); }, 0.05));
    EXPECT_TRUE(ws.findDataset("ring").has_value());
    // No time limit, but the callback may give up (Ctrl-C): the write then fails and changes nothing.
    int calls = 0;
    ws.setLockWaitCallback([&](double waited) {
        EXPECT_GE(waited, 0.9 * lockWaitReportSeconds());
        ++calls;
        return false;
    });
    EXPECT_THROW(ws.removeDataset(id), std::exception);
    EXPECT_EQ(calls, 1);
    other.release();
    EXPECT_TRUE(ws.tryWrite([&] { ws.removeDataset(id); }, 0.05));
    EXPECT_FALSE(ws.findDataset("ring").has_value());
}

TEST(BusyWorkspace, SasrecTrainsOnWhileTheWriteLockIsHeldAndRecordsEveryEpoch) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    addRingDataset(ws);
    LockHolder other(path);
    // The lock is released only once the run has to wait for it at its end: every epoch ends while another
    // connection holds it.
    int lockWaits = 0;
    ws.setLockWaitCallback([&](double) {
        ++lockWaits;
        other.release();
        return true;
    });
    std::vector<int> pendingReported;
    const SasrecRunResult r = runSasrec(ws, twoEpochs(), [&](const TrainProgress& p) {
        if (p.stage == "training" && p.epoch == 1 && !other.held() && pendingReported.empty())
            other.take();
        if (p.stage == "waiting_for_workspace")
            pendingReported.push_back(p.pendingEpochs);
        return true;
    });
    ASSERT_EQ(r.epochs.size(), 2u);
    // Both epochs ended while the lock was held: their records waited in memory and training went on.
    ASSERT_GE(pendingReported.size(), 2u);
    EXPECT_EQ(pendingReported[0], 1);
    EXPECT_EQ(pendingReported[1], 2);
    EXPECT_GE(lockWaits, 1) << "the final records never had to wait";
    EXPECT_FALSE(other.held());
    // Every epoch's records landed, then the run's figures.
    EXPECT_EQ(epochsWithMetric(ws, r.runId, "seconds"), (std::set<int>{1, 2}));
    EXPECT_EQ(epochsWithMetric(ws, r.runId, "ndcg@10"), (std::set<int>{1, 2}));
    const RunRecord run = RunStore(ws).run(r.runId);
    EXPECT_EQ(run.status, "done") << run.error;
    EXPECT_EQ(ws.impl()
                  .db.execAndGet("SELECT count(*) FROM checkpoints WHERE run_id = " + std::to_string(r.runId))
                  .getInt(),
              1);
}

TEST(BusyWorkspace, ACancelledRunWritesItsQueuedEpochsSoItCanBeResumed) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    addRingDataset(ws);
    LockHolder other(path);
    ws.setLockWaitCallback([&](double) {
        other.release();
        return true;
    });
    SasrecRunConfig c = twoEpochs();
    c.epochs = 3;
    int64_t runId = 0;
    EXPECT_THROW(runSasrec(ws, c,
                           [&](const TrainProgress& p) {
                               if (p.stage == "training" && p.epoch == 1 && p.step == 0)
                                   other.take();
                               // Cancelled while epoch 1's records wait in memory.
                               return p.stage != "waiting_for_workspace";
                           }),
                 Cancelled);
    runId = RunStore(ws).lastRunId();
    ASSERT_GT(runId, 0);
    EXPECT_EQ(RunStore(ws).run(runId).status, "cancelled");
    EXPECT_EQ(epochsWithMetric(ws, runId, "seconds"), (std::set<int>{1}));
    const SasrecRunResult r = resumeSasrec(ws, runId);
    EXPECT_EQ(r.epochs.size(), 3u);
    EXPECT_EQ(RunStore(ws).run(runId).status, "done");
}

TEST(BusyWorkspace, AClosedFormRunWaitsForTheWriteLockInsteadOfFailing) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    addRingDataset(ws);
    LockHolder other(path);
    other.take();
    // Released at the first report, about a second into the wait; with no callback the wait has no end.
    int lockWaits = 0;
    ws.setLockWaitCallback([&](double) {
        ++lockWaits;
        other.release();
        return true;
    });
    ClosedFormRunConfig c;
    c.dataset = "ring";
    c.model = PolicyKind::Popularity;
    c.bootstrapResamples = 0;
    const ClosedFormRunResult r = runClosedForm(ws, c);
    EXPECT_EQ(lockWaits, 1);
    EXPECT_EQ(RunStore(ws).run(r.runId).status, "done");
    EXPECT_FALSE(RunStore(ws).metrics(r.runId).empty());
}

TEST(BusyWorkspace, OpeningAnOlderWorkspaceWaitsForTheLockToUpgradeIt) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        addRingDataset(ws);
    }
    test::execSql(path,
                  "PRAGMA user_version = 3");  // schema 3: opening it migrates to 4 (reads, then writes)
    LockHolder other(path);
    other.take();
    int lockWaits = 0;
    Workspace::setDefaultLockWaitCallback([&](double) {
        ++lockWaits;
        other.release();
        return true;
    });
    std::optional<Workspace> ws;
    try {
        ws.emplace(path);
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    Workspace::setDefaultLockWaitCallback({});
    ASSERT_TRUE(ws.has_value());
    EXPECT_EQ(lockWaits, 1);
    EXPECT_EQ(ws->schemaVersion(), Workspace::kSchemaVersion);
    EXPECT_EQ(ws->loadLog(ws->datasetByName("ring").id).user.size(), 160u);
}
