#include "store/run_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::execSql;
using tiltbench::test::TempDir;

namespace {

int64_t addDataset(Workspace& ws) {
    auto w = ws.createDataset({"d", "test", "{}"});
    w->add(w->userIndex("u"), w->itemIndex("i"), 1.0, 0);
    return w->commit().id;
}

}  // namespace

TEST(RunStore, RecordsRunsMetricsAndPerUserValues) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const int64_t d = addDataset(ws);
    RunStore store(ws);
    const int64_t id = store.createRun(d, "popularity", R"({"lambda":1})", "cpu");
    EXPECT_EQ(store.run(id).status, "running");
    store.addMetrics(id, {{-1, "test", "ndcg@10", 0.25, 0.2, 0.3}, {0, "valid", "ndcg@10", 0.5, 0.5, 0.5}},
                     {{"test", "ndcg@10", {0, 3}, {0.0, 0.5}}});
    store.finishRun(id, "done", "", R"({"seconds":1.5})");
    const RunRecord r = store.run(id);
    EXPECT_EQ(r.status, "done");
    EXPECT_EQ(r.model, "popularity");
    EXPECT_EQ(r.timings, R"({"seconds":1.5})");
    EXPECT_FALSE(r.finishedAt.empty());
    const auto m = store.metrics(id);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].epoch, -1);
    EXPECT_DOUBLE_EQ(m[0].value, 0.25);
    EXPECT_DOUBLE_EQ(m[0].lo, 0.2);
    const auto pu = store.perUserMetrics(id);
    ASSERT_EQ(pu.size(), 1u);
    EXPECT_EQ(pu[0].users, (std::vector<int32_t>{0, 3}));
    EXPECT_EQ(pu[0].values, (std::vector<double>{0.0, 0.5}));
    EXPECT_EQ(store.runs(d).size(), 1u);
    EXPECT_TRUE(store.runs(d + 1).empty());
    EXPECT_THROW(store.run(id + 7), Error);
}

TEST(RunStore, RefusesNonFiniteMetricsAndWritesNothing) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    RunStore store(ws);
    const int64_t id = store.createRun(addDataset(ws), "markov", "{}", "cpu");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(
        store.addMetrics(id, {{-1, "test", "hr@10", 0.1, 0.1, 0.1}, {-1, "test", "ndcg@10", nan, 0, 0}}),
        Error);
    EXPECT_THROW(store.addMetrics(id, {}, {{"test", "ndcg@10", {0}, {nan}}}), Error);
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_THROW(store.addMetrics(id, {{-1, "test", "hr@10", 0.1, 0.0, inf}}), Error);
    EXPECT_TRUE(store.metrics(id).empty());
    EXPECT_TRUE(store.perUserMetrics(id).empty());
}

TEST(RunStore, MissingIntervalIsStoredAsNull) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    RunStore store(ws);
    const int64_t id = store.createRun(addDataset(ws), "markov", "{}", "cpu");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    store.addMetrics(id, {{-1, "test", "coverage@10", 0.4, nan, nan}});
    const auto m = store.metrics(id);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_DOUBLE_EQ(m[0].value, 0.4);
    EXPECT_TRUE(std::isnan(m[0].lo));
    EXPECT_TRUE(std::isnan(m[0].hi));
}

TEST(RunStore, DeletingTheDatasetDeletesItsRuns) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    RunStore store(ws);
    const int64_t d = addDataset(ws);
    const int64_t id = store.createRun(d, "markov", "{}", "cpu");
    store.addMetrics(id, {{-1, "test", "hr@10", 0.1, 0.1, 0.1}}, {{"test", "hr@10", {0}, {1.0}}});
    store.finishRun(id, "done");  // a live run holds its dataset (below)
    ws.removeDataset(d);
    EXPECT_TRUE(store.runs().empty());
    EXPECT_THROW(store.run(id), Error);
}

TEST(Workspace, MigratesSchemaOneToCurrent) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    { Workspace ws(path, OpenMode::CreateIfMissing); }
    // Turn the file back into a schema-1 workspace: schema 2 only added run_user_metrics.
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    ASSERT_EQ(
        sqlite3_exec(db, "DROP TABLE run_user_metrics; PRAGMA user_version = 1", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
    Workspace ws(path);
    EXPECT_EQ(ws.schemaVersion(), Workspace::kSchemaVersion);
    RunStore store(ws);
    const int64_t id = store.createRun(addDataset(ws), "markov", "{}", "cpu");
    EXPECT_NO_THROW(store.addMetrics(id, {}, {{"test", "hr@10", {0}, {1.0}}}));
}

namespace {

// The pid of a child that has exited and been reaped: no process has it (until the kernel reuses it).
pid_t deadPid() {
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

}  // namespace

TEST(RunStore, RunOfADeadWriterIsInterrupted) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    RunStore store(ws);
    const int64_t d = addDataset(ws);
    const int64_t live = store.createRun(d, "sasrec", "{}", "cpu");
    const int64_t dead = store.createRun(d, "sasrec", "{}", "cpu");
    const int64_t elsewhere = store.createRun(d, "sasrec", "{}", "cpu");
    const int64_t finished = store.createRun(d, "markov", "{}", "cpu");
    store.finishRun(finished, "done");
    EXPECT_EQ(store.run(live).writerPid, static_cast<int64_t>(::getpid()));
    EXPECT_EQ(store.run(live).writerHost, writerHostId());
    EXPECT_NE(writerHostId().find('/'), std::string::npos);

    const pid_t gone = deadPid();
    ASSERT_GT(gone, 0);
    for (const int64_t id : {dead, elsewhere, finished})
        execSql(path,
                "UPDATE runs SET writer_pid = " + std::to_string(gone) + " WHERE id = " + std::to_string(id));
    // A run written on another machine (or before a reboot) cannot be judged here.
    execSql(path, "UPDATE runs SET writer_host = 'elsewhere/0' WHERE id = " + std::to_string(elsewhere));

    EXPECT_EQ(store.run(live).status, "running");
    EXPECT_EQ(store.run(dead).status, "interrupted");
    EXPECT_EQ(store.run(elsewhere).status, "running");
    EXPECT_EQ(store.run(finished).status, "done");
    const auto all = store.runs(d);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[1].status, "interrupted");
    EXPECT_EQ(all[0].status, "running");
}

TEST(Workspace, MigratesSchemaTwoToCurrent) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        RunStore(ws).createRun(addDataset(ws), "markov", "{}", "cpu");
    }
    // Schema 3 only added the writer columns of runs.
    execSql(path,
            "ALTER TABLE runs DROP COLUMN writer_pid; ALTER TABLE runs DROP COLUMN writer_host; "
            "PRAGMA user_version = 2");
    Workspace ws(path);
    EXPECT_EQ(ws.schemaVersion(), Workspace::kSchemaVersion);
    RunStore store(ws);
    const auto old = store.runs();
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old[0].writerPid, 0);  // unknown writer: left as it was
    EXPECT_EQ(old[0].status, "running");
    const int64_t id = store.createRun(old[0].datasetId, "markov", "{}", "cpu");
    EXPECT_EQ(store.run(id).writerPid, static_cast<int64_t>(::getpid()));
}

TEST(RunStore, FindsTheNewestRunOfAWriter) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const int64_t d = addDataset(ws);
    RunStore store(ws);
    EXPECT_EQ(store.lastRunId(), 0);
    EXPECT_FALSE(store.newestRunOfWriter(::getpid(), writerHostId()).has_value());
    const int64_t first = store.createRun(d, "popularity", "{}", "cpu");
    const int64_t second = store.createRun(d, "markov", "{}", "cpu");
    EXPECT_EQ(store.lastRunId(), second);
    EXPECT_EQ(store.newestRunOfWriter(::getpid(), writerHostId()), second);
    EXPECT_EQ(store.newestRunOfWriter(::getpid(), writerHostId(), first - 1), second);
    EXPECT_FALSE(store.newestRunOfWriter(::getpid(), writerHostId(), second).has_value());
    EXPECT_FALSE(store.newestRunOfWriter(::getpid() + 1, writerHostId()).has_value());
    EXPECT_FALSE(store.newestRunOfWriter(::getpid(), "elsewhere/boot").has_value());
    EXPECT_EQ(store.userExternalIds(d), (std::vector<std::string>{"u"}));
    EXPECT_TRUE(store.userExternalIds(d + 1).empty());
}

TEST(RunStore, ADatasetWithALiveRunCannotBeDeletedUntilTheRunEnds) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    const int64_t d = addDataset(ws);
    RunStore store(ws);
    const int64_t live = store.createRun(d, "sasrec", "{}", "cpu");  // written by this process: alive
    try {
        ws.removeDataset(d);
        FAIL() << "deleted a dataset under a live run";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("run " + std::to_string(live)), std::string::npos) << m;
        EXPECT_NE(m.find("cancel it first"), std::string::npos) << m;
    }
    ASSERT_EQ(ws.datasets().size(), 1u);
    EXPECT_EQ(store.runs().size(), 1u);

    // A run whose process died does not hold the dataset.
    const pid_t gone = deadPid();
    ASSERT_GT(gone, 0);
    execSql(path,
            "UPDATE runs SET writer_pid = " + std::to_string(gone) + " WHERE id = " + std::to_string(live));
    EXPECT_EQ(store.run(live).status, "interrupted");
    ws.removeDataset(d);
    EXPECT_TRUE(ws.datasets().empty());
    EXPECT_TRUE(store.runs().empty());
}
