// Users and items are stored as chunks of ids (schema 5, core/store/id_chunks.h). Checked here: loading gives
// back every id and title at every chunk boundary; the plain-SQL views `users` and `items`, a second and
// independent decoder of the same bytes, agree with what was written (non-ASCII text, empty titles as NULL);
// schema-4 files with one row per id migrate without renumbering, and a schema-4 file whose indices have a
// gap is refused rather than silently renumbered; damaged chunks are a clear error naming the dataset.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/id_chunks.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::execSql;
using tiltbench::test::TempDir;

namespace {

struct Ids {
    std::vector<std::string> users, items, titles;
};

// Ids that stress the layout: empty-title runs, multi-byte UTF-8, a quote, long strings; `users` of them.
Ids writeDataset(Workspace& ws, const std::string& name, int users, int items, bool withTitles) {
    Ids out;
    auto w = ws.createDataset({name, "test", "{}"});
    for (int i = 0; i < items; ++i) {
        std::string id = i % 7 == 0 ? "caf\xC3\xA9-" + std::to_string(i) : "i" + std::to_string(i);
        if (i % 500 == 3)
            id += std::string(300, 'x');
        EXPECT_EQ(w->itemIndex(id), i);
        out.items.push_back(id);
        std::string title;
        if (withTitles && i % 3 != 0)
            title = i % 5 == 0 ? "K\xC3\xB6ln's \"title\" " + std::to_string(i) : "t" + std::to_string(i);
        if (!title.empty())
            w->setItemTitle(i, title);
        out.titles.push_back(title);
    }
    for (int u = 0; u < users; ++u) {
        const std::string id = "user-" + std::to_string(u * 7919 % 100003);
        EXPECT_EQ(w->userIndex(id), u);
        out.users.push_back(id);
        w->add(u, u % items, 1.0, u);
    }
    w->commit();
    return out;
}

void expectLoaded(Workspace& ws, const std::string& name, const Ids& ids) {
    const InteractionLog log = ws.loadLog(ws.datasetByName(name).id);
    EXPECT_EQ(log.userIds, ids.users);
    EXPECT_EQ(log.itemIds, ids.items);
    ASSERT_EQ(log.itemTitles.size(), ids.titles.size());
    EXPECT_EQ(log.itemTitles, ids.titles);
}

// (idx, external_id, title or "<null>") of a view, in index order.
std::vector<std::vector<std::string>> viewRows(const std::string& path, const std::string& sql,
                                               int64_t dataset) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_bind_int64(st, 1, dataset);
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
            if (sqlite3_column_type(st, c) == SQLITE_NULL) {
                row.emplace_back("<null>");
            } else {
                row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                                 static_cast<size_t>(sqlite3_column_bytes(st, c)));
            }
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

TEST(IdChunks, LoadGivesBackEveryIdAndTitleAtEveryChunkBoundary) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const int k = idchunks::kIdsPerChunk;
    std::vector<std::pair<std::string, Ids>> written;
    for (const auto& [users, items] :
         std::vector<std::pair<int, int>>{{1, 1}, {k, k - 1}, {k + 1, 2 * k}, {3 * k + 5, 17}}) {
        const std::string name = "d" + std::to_string(users) + "x" + std::to_string(items);
        written.emplace_back(name, writeDataset(ws, name, users, items, items % 2 == 0));
    }
    written.emplace_back("no-titles", writeDataset(ws, "no-titles", 50, 40, false));
    for (const auto& [name, ids] : written)
        expectLoaded(ws, name, ids);
}

TEST(IdChunks, TheSqlViewsDecodeEveryIdAndTitle) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Ids ids;
    int64_t id = 0;
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        writeDataset(ws, "other", 30, 20, true);  // a second dataset the views must keep apart
        ids = writeDataset(ws, "main", idchunks::kIdsPerChunk + 300, idchunks::kIdsPerChunk + 9, true);
        id = ws.datasetByName("main").id;
    }
    const auto users =
        viewRows(path, "SELECT idx, external_id FROM users WHERE dataset_id = ? ORDER BY idx", id);
    ASSERT_EQ(users.size(), ids.users.size());
    for (size_t u = 0; u < users.size(); ++u) {
        EXPECT_EQ(users[u][0], std::to_string(u));
        EXPECT_EQ(users[u][1], ids.users[u]);
    }
    const auto items =
        viewRows(path, "SELECT idx, external_id, title FROM items WHERE dataset_id = ? ORDER BY idx", id);
    ASSERT_EQ(items.size(), ids.items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(items[i][0], std::to_string(i));
        EXPECT_EQ(items[i][1], ids.items[i]);
        EXPECT_EQ(items[i][2], ids.titles[i].empty() ? "<null>" : ids.titles[i]) << i;
    }
    // The README's kind of query: a join of the views with the interactions.
    const auto joined =
        viewRows(path,
                 "SELECT count(*) FROM interactions x JOIN users u ON u.dataset_id = x.dataset_id "
                 "AND u.idx = x.user_idx WHERE x.dataset_id = ?",
                 id);
    ASSERT_EQ(joined.size(), 1u);
    EXPECT_EQ(joined[0][0], std::to_string(ids.users.size()));
}

// A schema-4 file (one row per id in tables users and items), made from a schema-5 one through its views.
void rewindToSchemaFour(const std::string& path) {
    execSql(path,
            "CREATE TABLE old_users AS SELECT * FROM users; CREATE TABLE old_items AS SELECT * FROM items; "
            "DROP VIEW users; DROP VIEW items; DELETE FROM id_chunks; DROP TABLE id_chunks; "
            "CREATE TABLE users(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, idx "
            "INTEGER "
            "NOT NULL, external_id TEXT NOT NULL, PRIMARY KEY(dataset_id, idx)) WITHOUT ROWID; "
            "CREATE TABLE items(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, idx "
            "INTEGER "
            "NOT NULL, external_id TEXT NOT NULL, title TEXT, PRIMARY KEY(dataset_id, idx)) WITHOUT ROWID; "
            "INSERT INTO users SELECT * FROM old_users ORDER BY idx DESC; "
            "INSERT INTO items SELECT * FROM old_items ORDER BY idx DESC; DROP TABLE old_users; DROP TABLE "
            "old_items; "
            "PRAGMA user_version = 4");
}

TEST(IdChunks, SchemaFourRowsMigrateIntoChunksWithoutRenumbering) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    Ids a, b;
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        a = writeDataset(ws, "a", 2 * idchunks::kIdsPerChunk + 1, 300, true);
        b = writeDataset(ws, "b", 3, 2, false);
    }
    rewindToSchemaFour(path);
    ASSERT_EQ(viewRows(path, "SELECT count(*) FROM users WHERE dataset_id >= ?", 0)[0][0],
              std::to_string(a.users.size() + b.users.size()));
    Workspace ws(path);
    EXPECT_EQ(ws.schemaVersion(), Workspace::kSchemaVersion);
    expectLoaded(ws, "a", a);
    expectLoaded(ws, "b", b);
    const Ids c = writeDataset(ws, "c", 10, 10, true);
    expectLoaded(ws, "c", c);
}

TEST(IdChunks, ASchemaFourFileWithAGapInItsIndicesIsRefusedNotRenumbered) {
    TempDir tmp;
    const auto path = tmp.file("ws.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        writeDataset(ws, "a", 20, 10, false);
    }
    rewindToSchemaFour(path);
    execSql(path, "DELETE FROM items WHERE idx = 4");
    try {
        Workspace ws(path);
        FAIL() << "migrated a workspace whose item indices have a gap";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("table items"), std::string::npos) << what;
        EXPECT_NE(what.find("row idx 5: expected index 4"), std::string::npos) << what;
    }
    // Nothing was changed: the file is still schema 4 with its rows.
    EXPECT_EQ(viewRows(path, "SELECT count(*) FROM items WHERE dataset_id >= ?", 0)[0][0], "9");
    EXPECT_EQ(viewRows(path, "SELECT user_version FROM pragma_user_version WHERE ? = 0", 0)[0][0], "4");
}

TEST(IdChunks, DamagedChunksAreAClearErrorNamingTheDataset) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"DELETE FROM id_chunks WHERE kind = 'user' AND chunk = 0", "chunk 0 is missing"},
        {"UPDATE id_chunks SET first_idx = 5 WHERE kind = 'user' AND chunk = 1", "starts at index 5"},
        {"UPDATE id_chunks SET n = 2000 WHERE kind = 'user' AND chunk = 0", "holds 2000 ids"},
        {"UPDATE id_chunks SET ends = substr(ends, 1, 8) WHERE kind = 'item'", "offsets (column ends)"},
        {"UPDATE id_chunks SET ends = zeroblob(length(ends)) WHERE kind = 'user' AND chunk = 1", "offset"},
        {"UPDATE id_chunks SET text = CAST(text AS TEXT) WHERE kind = 'user'", "not a blob"},
        {"UPDATE id_chunks SET text = CAST(text || x'00' AS BLOB) WHERE kind = 'user' AND chunk = 0",
         "the last one"},
        {"UPDATE id_chunks SET n = 3, first_idx = 0 WHERE kind = 'title'", "kind 'title'"},
        {"UPDATE datasets SET users = users + 1", "says"},
    };
    for (const auto& [sql, expected] : cases) {
        TempDir tmp;
        const auto path = tmp.file("ws.sqlite");
        {
            Workspace ws(path, OpenMode::CreateIfMissing);
            writeDataset(ws, "hurt", idchunks::kIdsPerChunk + 10, 30, true);
        }
        execSql(path, sql);
        Workspace ws(path);
        try {
            ws.loadLog(ws.datasetByName("hurt").id);
            ADD_FAILURE() << "loaded a dataset after: " << sql;
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("dataset 'hurt' is damaged"), std::string::npos) << sql << ": " << what;
            EXPECT_NE(what.find(expected), std::string::npos) << sql << ": " << what;
        }
    }
}

}  // namespace
