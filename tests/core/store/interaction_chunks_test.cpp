// Interactions are stored as columnar chunks (core/store/interaction_chunks.h). Checked here: loading gives
// back exactly what was written at every chunk and batch boundary; the plain-SQL `interactions` view, a
// second and independent decoder of the same bytes, agrees bit for bit with what was written; schema-3 files
// with one SQLite row per interaction migrate without losing or reordering a row; damaged chunks are a
// clear error.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/interaction_chunks.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::execSql;
using tiltbench::test::TempDir;

namespace {

struct Rows {
    std::vector<int32_t> user, item;
    std::vector<double> reward;
    std::vector<int64_t> ts;
    size_t size() const { return user.size(); }
};

// Rewards that stress the float64 decoding: subnormals, the extremes, values with no short binary form.
const std::vector<double> kAwkwardRewards = {0.1,
                                             -3.7,
                                             1e-300,
                                             std::numeric_limits<double>::denorm_min(),
                                             DBL_MIN,
                                             DBL_MIN / 3,
                                             1e300,
                                             DBL_MAX,
                                             -DBL_MAX,
                                             4.5,
                                             0.0,
                                             1.0,
                                             2.0,
                                             -1.0,
                                             1.0 / 3.0,
                                             123456789.123456789,
                                             0x1.fffffffffffffp-1};
const std::vector<int64_t> kAwkwardTimes = {std::numeric_limits<int64_t>::min(),
                                            std::numeric_limits<int64_t>::max(),
                                            -1,
                                            0,
                                            1,
                                            (int64_t{1} << 40) + 7,
                                            881250949,
                                            -86400,
                                            (int64_t{1} << 56) - 1,
                                            -(int64_t{1} << 56)};

// Writes `n` rows (ids "u<k % users>" / "i<k % items>", the awkward rewards and times in turn) as dataset
// `name` and returns them in file order with their dense indices.
Rows writeRows(Workspace& ws, const std::string& name, size_t n, int users = 97, int items = 301) {
    auto w = ws.createDataset({name, "test", "{}"});
    Rows r;
    for (size_t k = 0; k < n; ++k) {
        r.user.push_back(w->userIndex("u" + std::to_string(k * 7 % static_cast<size_t>(users))));
        r.item.push_back(w->itemIndex("i" + std::to_string(k * 13 % static_cast<size_t>(items))));
        r.reward.push_back(kAwkwardRewards[k % kAwkwardRewards.size()]);
        r.ts.push_back(kAwkwardTimes[k % kAwkwardTimes.size()]);
        w->add(r.user.back(), r.item.back(), r.reward.back(), r.ts.back());
    }
    w->setHasTime(true);
    w->commit();
    return r;
}

bool sameBits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// Every row of the log, as a multiset keyed by file position, compared with what was written: loadLog sorts
// by user and time, so compare through a (user, ts, item, reward) sort of both sides.
void expectLogHolds(const InteractionLog& log, const Rows& r) {
    ASSERT_EQ(log.size(), r.size());
    std::vector<size_t> order(r.size());
    for (size_t k = 0; k < order.size(); ++k)
        order[k] = k;
    // Per user by time, ties in file order: what loadLog promises.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (r.user[a] != r.user[b])
            return r.user[a] < r.user[b];
        return r.ts[a] < r.ts[b];
    });
    for (size_t k = 0; k < order.size(); ++k) {
        const size_t src = order[k];
        ASSERT_EQ(log.user[k], r.user[src]) << k;
        ASSERT_EQ(log.item[k], r.item[src]) << k;
        ASSERT_TRUE(sameBits(log.reward[k], r.reward[src]))
            << k << ": " << log.reward[k] << " vs " << r.reward[src];
        ASSERT_EQ(log.ts[k], r.ts[src]) << k;
    }
}

// Reads dataset `id` through the `interactions` view with a second connection, as any SQLite tool would.
Rows readView(const std::string& path, int64_t id) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT pos, user_idx, item_idx, reward, ts FROM interactions WHERE "
                                 "dataset_id = ? ORDER BY pos",
                                 -1, &st, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_bind_int64(st, 1, id);
    Rows r;
    while (sqlite3_step(st) == SQLITE_ROW) {
        EXPECT_EQ(sqlite3_column_int64(st, 0), static_cast<int64_t>(r.size()));
        r.user.push_back(sqlite3_column_int(st, 1));
        r.item.push_back(sqlite3_column_int(st, 2));
        EXPECT_EQ(sqlite3_column_type(st, 3), SQLITE_FLOAT);
        r.reward.push_back(sqlite3_column_double(st, 3));
        EXPECT_EQ(sqlite3_column_type(st, 4), SQLITE_INTEGER);
        r.ts.push_back(sqlite3_column_int64(st, 4));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return r;
}

}  // namespace

TEST(InteractionChunks, LoadGivesBackEveryRowAtEveryChunkAndBatchBoundary) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    // chunks::kChunkRows rows per chunk, 200 chunks per writer batch.
    const size_t c = chunks::kChunkRows, batch = 200 * c;
    for (const size_t n : {size_t{1}, c - 1, c, c + 1, 3 * c + 1, batch, batch + c + 1}) {
        const std::string name = "n" + std::to_string(n);
        const Rows r = writeRows(ws, name, n);
        const DatasetInfo info = ws.datasetByName(name);
        EXPECT_EQ(info.rows, static_cast<int64_t>(n));
        expectLogHolds(ws.loadLog(info.id), r);
    }
}

TEST(InteractionChunks, TheSqlViewDecodesEveryValueExactly) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Rows written;
    int64_t id = 0;
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        writeRows(ws, "other", 300);  // a second dataset the view must keep apart
        written = writeRows(ws, "awkward", 2 * chunks::kChunkRows + 41, 1000, 3000);
        id = ws.datasetByName("awkward").id;
    }
    const Rows viewed = readView(path, id);
    ASSERT_EQ(viewed.size(), written.size());
    for (size_t k = 0; k < written.size(); ++k) {
        EXPECT_EQ(viewed.user[k], written.user[k]) << k;
        EXPECT_EQ(viewed.item[k], written.item[k]) << k;
        // Exact to the bit, except that SQLite stores -0.0 as 0 (none is written here).
        EXPECT_TRUE(sameBits(viewed.reward[k], written.reward[k]))
            << k << ": " << viewed.reward[k] << " vs " << written.reward[k];
        EXPECT_EQ(viewed.ts[k], written.ts[k]) << k;
    }
    // The view answers ordinary SQL, such as the README's example.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db,
                           "SELECT count(*), count(DISTINCT x.item_idx), min(x.ts) FROM interactions x JOIN "
                           "items i ON i.dataset_id = x.dataset_id AND i.idx = x.item_idx WHERE "
                           "x.dataset_id = ?",
                           -1, &st, nullptr),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(st, 0), static_cast<int64_t>(written.size()));
    EXPECT_EQ(sqlite3_column_int64(st, 1), static_cast<int64_t>(written.size()));  // k * 13 % 3000: distinct
    EXPECT_EQ(sqlite3_column_int64(st, 2), std::numeric_limits<int64_t>::min());
    sqlite3_finalize(st);
    sqlite3_close(db);
}

// The view rebuilds a float64 with the powers of two in tiltbench_pow2, which one INSERT … WITH RECURSIVE
// fills by doubling and halving from 1: every entry must be exactly 2^k, subnormals included.
TEST(InteractionChunks, ThePowersOfTwoTableHoldsEveryPowerExactly) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    { Workspace ws(path, OpenMode::CreateIfMissing); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT k, v FROM tiltbench_pow2 ORDER BY k", -1, &st, nullptr),
              SQLITE_OK);
    int expected = -1074;
    while (sqlite3_step(st) == SQLITE_ROW) {
        ASSERT_EQ(sqlite3_column_int(st, 0), expected);
        EXPECT_TRUE(sameBits(sqlite3_column_double(st, 1), std::ldexp(1.0, expected))) << expected;
        ++expected;
    }
    EXPECT_EQ(expected, 972);  // 2^-1074 (the smallest subnormal) .. 2^971
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST(InteractionChunks, DeletingADatasetDeletesItsChunks) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    writeRows(ws, "a", 700);
    const Rows b = writeRows(ws, "b", 300);
    ws.removeDataset(ws.datasetByName("a").id);
    EXPECT_EQ(readView(path, ws.datasetByName("b").id).size(), 300u);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*), sum(n) FROM interaction_chunks", -1, &st, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(st, 0), (300 + chunks::kChunkRows - 1) / chunks::kChunkRows);
    EXPECT_EQ(sqlite3_column_int64(st, 1), 300);
    sqlite3_finalize(st);
    sqlite3_close(db);
    expectLogHolds(ws.loadLog(ws.datasetByName("b").id), b);
}

TEST(InteractionChunks, SchemaThreeRowsMigrateIntoChunksInFileOrder) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Rows a, b;
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        a = writeRows(ws, "a", 600);
        b = writeRows(ws, "b", 9);
    }
    // Turn the file back into schema 3: one row per interaction in an `interactions` table, written out of
    // key order so the migration must follow pos, not rowid or insertion order.
    execSql(
        path,
        "CREATE TABLE old_rows AS SELECT * FROM interactions; "
        "DROP VIEW interactions; DROP TABLE interaction_chunks; DROP TABLE tiltbench_pow2; "
        "CREATE TABLE interactions(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, "
        "pos INTEGER NOT NULL, user_idx INTEGER NOT NULL, item_idx INTEGER NOT NULL, reward REAL NOT NULL, "
        "ts INTEGER NOT NULL, PRIMARY KEY(dataset_id, pos)) WITHOUT ROWID; "
        "INSERT INTO interactions SELECT * FROM old_rows ORDER BY pos DESC; DROP TABLE old_rows; "
        "PRAGMA user_version = 3");
    {
        Workspace ws(path);
        EXPECT_EQ(ws.schemaVersion(), Workspace::kSchemaVersion);
        expectLogHolds(ws.loadLog(ws.datasetByName("a").id), a);
        expectLogHolds(ws.loadLog(ws.datasetByName("b").id), b);
        // New imports go on as usual beside the migrated datasets.
        const Rows c = writeRows(ws, "c", 257);
        expectLogHolds(ws.loadLog(ws.datasetByName("c").id), c);
    }
    const Rows viewed = readView(path, 1);
    ASSERT_EQ(viewed.size(), a.size());
    for (size_t k = 0; k < a.size(); ++k)
        ASSERT_TRUE(viewed.user[k] == a.user[k] && sameBits(viewed.reward[k], a.reward[k])) << k;
}

TEST(InteractionChunks, DamagedChunksAreAClearErrorNamingTheDataset) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        writeRows(ws, "shortblob", 600);
        writeRows(ws, "gap", 600);
        writeRows(ws, "extra", 600);
    }
    execSql(path,
            "UPDATE interaction_chunks SET reward = zeroblob(12) WHERE dataset_id = 1 AND chunk = 1; "
            "DELETE FROM interaction_chunks WHERE dataset_id = 2 AND chunk = 1; "
            "UPDATE datasets SET rows = 500 WHERE id = 3");
    Workspace ws(path);
    auto messageOf = [&](const std::string& name) {
        try {
            ws.loadLog(ws.datasetByName(name).id);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string shortBlob = messageOf("shortblob");
    EXPECT_NE(shortBlob.find("'shortblob'"), std::string::npos) << shortBlob;
    EXPECT_NE(shortBlob.find("chunk 1"), std::string::npos) << shortBlob;
    EXPECT_NE(shortBlob.find("reward"), std::string::npos) << shortBlob;
    const std::string gap = messageOf("gap");
    EXPECT_NE(gap.find("chunk 1 is missing"), std::string::npos) << gap;
    const std::string extra = messageOf("extra");
    EXPECT_NE(extra.find("'extra'"), std::string::npos) << extra;
    EXPECT_NE(extra.find("500"), std::string::npos) << extra;
}
