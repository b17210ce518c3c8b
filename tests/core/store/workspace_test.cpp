#include "store/workspace.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

// Writes a small dataset: user "a" has items x,y (ts 20,10), user "b" has x (ts 5), ties keep file order.
DatasetInfo writeSmall(Workspace& ws, const std::string& name = "small") {
    auto w = ws.createDataset({name, "test", "{}"});
    const int32_t a = w->userIndex("a"), b = w->userIndex("b");
    const int32_t x = w->itemIndex("x"), y = w->itemIndex("y");
    w->setItemTitle(x, "Item X");
    w->add(a, x, 5.0, 20);
    w->add(a, y, 1.0, 10);
    w->add(b, x, 3.0, 5);
    w->add(a, x, 4.0, 20);  // same time as the first row: must stay after it
    w->setHasTime(true);
    w->addRandomTest(b, y, 2.0);
    return w->commit();
}

int64_t countRows(const std::string& path, const std::string& table) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &st, nullptr);
    sqlite3_step(st);
    const int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

}  // namespace

TEST(Workspace, CreatesSchemaAndReopens) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        EXPECT_EQ(ws.schemaVersion(), Workspace::kSchemaVersion);
        EXPECT_TRUE(ws.datasets().empty());
    }
    Workspace again(path);
    EXPECT_EQ(again.schemaVersion(), Workspace::kSchemaVersion);
    for (const char* t :
         {"datasets", "users", "items", "interactions", "runs", "run_metrics", "checkpoints"}) {
        EXPECT_EQ(countRows(path, t), 0) << t;
    }
}

TEST(Workspace, MissingFileIsAnErrorUnlessCreating) {
    TempDir tmp;
    try {
        Workspace ws(tmp.file("nope.sqlite"));
        FAIL() << "opened a missing workspace";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("nope.sqlite"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
    }
    EXPECT_FALSE(tiltbench::test::pathExists(tmp.file("nope.sqlite")));
}

TEST(Workspace, RejectsNonWorkspaceFiles) {
    TempDir tmp;
    tiltbench::test::writeFile(tmp.file("text.sqlite"), "hello, this is not a database at all\n");
    EXPECT_THROW(Workspace(tmp.file("text.sqlite")), Error);
    EXPECT_THROW(Workspace(tmp.path()), Error);  // a directory

    // An SQLite database of another application.
    sqlite3* db = nullptr;
    sqlite3_open(tmp.file("other.db").c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        Workspace ws(tmp.file("other.db"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("not a Tiltbench workspace"), std::string::npos) << e.what();
    }
}

TEST(Workspace, RejectsNewerSchema) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    { Workspace ws(path, OpenMode::CreateIfMissing); }
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        Workspace ws(path);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("newer Tiltbench"), std::string::npos) << e.what();
    }
}

TEST(Workspace, WritesAndLoadsSortedLog) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const DatasetInfo d = writeSmall(ws);
    EXPECT_EQ(d.rows, 4);
    EXPECT_EQ(d.users, 2);
    EXPECT_EQ(d.items, 2);
    EXPECT_DOUBLE_EQ(d.rewardMin, 1.0);
    EXPECT_DOUBLE_EQ(d.rewardMax, 5.0);
    EXPECT_DOUBLE_EQ(d.rewardMean, 13.0 / 4.0);
    EXPECT_EQ(d.randomTestRows, 1);
    EXPECT_TRUE(d.hasTime);

    const InteractionLog log = ws.loadLog(d.id);
    log.validate();
    ASSERT_EQ(log.size(), 4u);
    EXPECT_EQ(log.userIds, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(log.itemIds, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(log.itemTitles, (std::vector<std::string>{"Item X", ""}));
    EXPECT_EQ(log.userOffsets, (std::vector<int64_t>{0, 3, 4}));
    // user a sorted by time: y@10, x@20 (reward 5, file first), x@20 (reward 4)
    EXPECT_EQ(log.item, (std::vector<int32_t>{1, 0, 0, 0}));
    EXPECT_EQ(log.reward, (std::vector<double>{1.0, 5.0, 4.0, 3.0}));
    EXPECT_EQ(log.ts, (std::vector<int64_t>{10, 20, 20, 5}));
    ASSERT_EQ(log.randomTest.size(), 1u);
    EXPECT_EQ(log.randomTest[0].user, 1);
    EXPECT_EQ(log.randomTest[0].item, 1);
}

TEST(Workspace, UncommittedWriterRollsBack) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    writeSmall(ws, "kept");
    {
        auto w = ws.createDataset({"dropped", "test", "{}"});
        const int32_t u = w->userIndex("u");
        const int32_t i = w->itemIndex("i");
        for (int k = 0; k < 100000; ++k)
            w->add(u, i, 1.0, k);  // several batches reach the writer thread
    }
    ASSERT_EQ(ws.datasets().size(), 1u);
    EXPECT_EQ(ws.datasets()[0].name, "kept");
    EXPECT_EQ(countRows(path, "interactions"), 4);
    EXPECT_EQ(countRows(path, "users"), 2);
    // The workspace is usable afterwards.
    writeSmall(ws, "again");
    EXPECT_EQ(ws.datasets().size(), 2u);
}

TEST(Workspace, CancelInCommitRollsBack) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto w = ws.createDataset({"x", "test", "{}"});
    w->add(w->userIndex("u"), w->itemIndex("i"), 1.0, 0);
    EXPECT_THROW(w->commit([](const Progress&) { return false; }), Cancelled);
    w.reset();
    EXPECT_TRUE(ws.datasets().empty());
}

TEST(Workspace, DatasetNamesAreUniqueAndRequired) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    writeSmall(ws, "one");
    EXPECT_THROW(ws.createDataset({"one", "test", "{}"}), Error);
    EXPECT_THROW(ws.createDataset({"", "test", "{}"}), Error);
    try {
        ws.datasetByName("two");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("datasets: one"), std::string::npos) << e.what();
    }
}

TEST(Workspace, EmptyDatasetAndNonFiniteRewardsAreErrors) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    {
        auto w = ws.createDataset({"empty", "test", "{}"});
        EXPECT_THROW(w->commit(), Error);
    }
    {
        auto w = ws.createDataset({"nan", "test", "{}"});
        const int32_t u = w->userIndex("u"), i = w->itemIndex("i");
        EXPECT_THROW(w->add(u, i, std::numeric_limits<double>::quiet_NaN(), 0), Error);
        EXPECT_THROW(w->add(u, 7, 1.0, 0), Error);
    }
    EXPECT_TRUE(ws.datasets().empty());
}

TEST(Workspace, RemoveDatasetCascades) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    const auto a = writeSmall(ws, "a");
    writeSmall(ws, "b");
    ws.removeDataset(a.id);
    ASSERT_EQ(ws.datasets().size(), 1u);
    EXPECT_EQ(countRows(path, "interactions"), 4);
    EXPECT_EQ(countRows(path, "items"), 2);
    EXPECT_EQ(countRows(path, "random_test"), 1);
    EXPECT_THROW(ws.removeDataset(a.id), Error);
}

TEST(Workspace, GroundTruthRoundTrip) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto w = ws.createDataset({"sim", "simulator", "{}"});
    w->add(w->userIndex("u"), w->itemIndex("i"), 2.0, 0);
    w->setGroundTruth({"kind-x", "{\"a\":1}", {1, 2, 3, 0, 255}});
    const auto d = w->commit();
    EXPECT_TRUE(d.hasTruth);
    const auto truth = ws.loadGroundTruth(d.id);
    ASSERT_TRUE(truth);
    EXPECT_EQ(truth->kind, "kind-x");
    EXPECT_EQ(truth->config, "{\"a\":1}");
    EXPECT_EQ(truth->blob, (std::vector<uint8_t>{1, 2, 3, 0, 255}));
}

TEST(Workspace, ReaderSeesNothingBeforeCommit) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Workspace writerWs(path, OpenMode::CreateIfMissing);
    Workspace reader(path);
    auto w = writerWs.createDataset({"pending", "test", "{}"});
    w->add(w->userIndex("u"), w->itemIndex("i"), 2.0, 0);
    EXPECT_TRUE(reader.datasets().empty());  // WAL: the reader is not blocked and sees the old state
    w->commit();
    EXPECT_EQ(reader.datasets().size(), 1u);
}
