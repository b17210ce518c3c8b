#include "store/id_chunks.h"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "store/interaction_chunks.h"

namespace tiltbench::idchunks {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "id chunk offsets are little-endian int32 arrays");

using chunks::allBytesBlobSql;
using chunks::int32ElementSql;

namespace {

const char* kindName(Kind kind) {
    return kind == Kind::User ? "user" : "item";
}

// One chunk's strings in the stored layout.
struct Packed {
    std::vector<int32_t> ends;
    std::string text;
    bool empty() const { return text.empty(); }
    void clear() {
        ends.clear();
        text.clear();
    }
    void add(std::string_view s) {
        text.append(s);
        ends.push_back(static_cast<int32_t>(text.size()));
    }
};

// The SQL of string `index` (an expression) of the chunk row `alias`.
std::string stringSql(const std::string& all, const std::string& alias, const std::string& index) {
    const std::string end = int32ElementSql(all, alias + ".ends", index);
    const std::string start = fmt::format("(CASE WHEN {} = 0 THEN 0 ELSE {} END)", index,
                                          int32ElementSql(all, alias + ".ends", "(" + index + " - 1)"));
    return fmt::format("{}.text, {} + 1, {} - {}", alias, start, end, start);
}

}  // namespace

std::string tableSql(const std::string& name, bool foreignKey) {
    return fmt::format(
        "CREATE TABLE IF NOT EXISTS {}(\n"
        "  dataset_id INTEGER NOT NULL{},\n"
        "  kind TEXT NOT NULL,\n"
        "  chunk INTEGER NOT NULL,\n"
        "  first_idx INTEGER NOT NULL,\n"
        "  n INTEGER NOT NULL,\n"
        "  ends BLOB NOT NULL,\n"
        "  text BLOB NOT NULL,\n"
        "  PRIMARY KEY(dataset_id, kind, chunk)\n"
        ")",
        name, foreignKey ? " REFERENCES datasets(id) ON DELETE CASCADE" : "");
}

void createTable(SQLite::Database& db) {
    db.exec(tableSql("id_chunks", true));
}

void createViews(SQLite::Database& db) {
    const std::string all = "b.v";
    const std::string head = fmt::format(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {}),\n"
        "b(v) AS (SELECT {})\n",
        kIdsPerChunk - 1, allBytesBlobSql());
    db.exec("DROP VIEW IF EXISTS users");
    db.exec("DROP VIEW IF EXISTS items");
    db.exec(
        fmt::format("CREATE VIEW users(dataset_id, idx, external_id) AS\n{}"
                    "SELECT c.dataset_id, c.first_idx + k.i, CAST(substr({}) AS TEXT)\n"
                    "FROM id_chunks c CROSS JOIN k CROSS JOIN b WHERE c.kind = 'user' AND k.i < c.n",
                    head, stringSql(all, "c", "k.i")));
    // The titles' chunk (if any) is joined before the counter, so it is looked up once per chunk. A title
    // of no bytes, or no title chunk at all, is NULL.
    const std::string titleEnd = int32ElementSql(all, "t.ends", "k.i");
    db.exec(fmt::format(
        "CREATE VIEW items(dataset_id, idx, external_id, title) AS\n{}"
        "SELECT c.dataset_id, c.first_idx + k.i, CAST(substr({}) AS TEXT),\n"
        "  CASE WHEN {} > (CASE WHEN k.i = 0 THEN 0 ELSE {} END) THEN CAST(substr({}) AS TEXT) END\n"
        "FROM id_chunks c LEFT JOIN id_chunks t ON t.dataset_id = c.dataset_id AND t.kind = 'title' AND "
        "t.chunk = c.chunk CROSS JOIN k CROSS JOIN b WHERE c.kind = 'item' AND k.i < c.n",
        head, stringSql(all, "c", "k.i"), titleEnd, int32ElementSql(all, "t.ends", "(k.i - 1)"),
        stringSql(all, "t", "k.i")));
}

void write(sqlite3* db, const std::string& table, int64_t datasetId, Kind kind, int64_t count,
           const StringAt& id, const StringAt& title, const std::string& what) {
    // The dataset id is a literal (an integer we generated, never user text).
    const std::string sql = fmt::format(
        "INSERT INTO {}(dataset_id, kind, chunk, first_idx, n, ends, text) VALUES({}, ?, ?, ?, ?, ?, ?)",
        table, datasetId);
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
        throw Error(fmt::format("writing {} failed: {}", what, sqlite3_errmsg(db)));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    auto insert = [&](const char* k, int64_t chunk, int64_t first, const Packed& p) {
        sqlite3_stmt* st = stmt.get();
        sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, chunk);
        sqlite3_bind_int64(st, 3, first);
        sqlite3_bind_int64(st, 4, static_cast<int64_t>(p.ends.size()));
        sqlite3_bind_blob(st, 5, p.ends.data(), static_cast<int>(p.ends.size() * 4), SQLITE_STATIC);
        // A zero-length blob, not NULL, when every string is empty.
        sqlite3_bind_blob(st, 6, p.text.empty() ? "" : p.text.data(), static_cast<int>(p.text.size()),
                          SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            throw Error(fmt::format("writing {} failed: {}", what, sqlite3_errmsg(db)));
        sqlite3_reset(st);
    };
    const bool titled = kind == Kind::Item && title;
    Packed ids, titles;
    int64_t chunk = 0, first = 0;
    for (int64_t i = 0; i <= count; ++i) {
        // A chunk ends at kIdsPerChunk strings, once its ids or titles pass kChunkTextBytes, or at the end.
        const bool full = static_cast<int64_t>(ids.ends.size()) == kIdsPerChunk ||
                          static_cast<int64_t>(ids.text.size()) >= kChunkTextBytes ||
                          static_cast<int64_t>(titles.text.size()) >= kChunkTextBytes;
        if (!ids.ends.empty() && (full || i == count)) {
            insert(kindName(kind), chunk, first, ids);
            if (titled && !titles.empty())
                insert("title", chunk, first, titles);
            first += static_cast<int64_t>(ids.ends.size());
            ++chunk;
            ids.clear();
            titles.clear();
        }
        if (i == count)
            break;
        const std::string_view s = id(i);
        if (s.size() >= static_cast<size_t>(kChunkTextBytes))
            throw Error(fmt::format("writing {} failed: an id of {} bytes (at most 16 MiB)", what, s.size()));
        ids.add(s);
        if (titled) {
            const std::string_view t = title(i);
            if (t.size() >= static_cast<size_t>(kChunkTextBytes))
                throw Error(
                    fmt::format("writing {} failed: a title of {} bytes (at most 16 MiB)", what, t.size()));
            titles.add(t);
        }
    }
}

void read(SQLite::Database& db, int64_t datasetId, Kind kind, int64_t expected,
          const std::function<Error(const std::string&)>& damaged, std::vector<std::string>& ids,
          std::vector<std::string>* titles) {
    const bool titled = kind == Kind::Item && titles;
    SQLite::Statement q(
        db, titled ? "SELECT c.chunk, c.first_idx, c.n, c.ends, c.text, t.first_idx, t.n, t.ends, "
                     "t.text FROM id_chunks c LEFT JOIN id_chunks t ON t.dataset_id = c.dataset_id "
                     "AND t.kind = 'title' AND t.chunk = c.chunk WHERE c.dataset_id = ? AND c.kind "
                     "= 'item' ORDER BY c.chunk"
                   : "SELECT chunk, first_idx, n, ends, text FROM id_chunks WHERE dataset_id = ? AND "
                     "kind = ? ORDER BY chunk");
    q.bind(1, datasetId);
    if (!titled)
        q.bind(2, kindName(kind));
    const std::string table = fmt::format("table id_chunks, kind '{}'", kindName(kind));
    int64_t done = 0, expectedChunk = 0;
    std::vector<int32_t> ends;
    // Appends the n strings of one chunk's (ends, text) columns to `out`, after checking them.
    auto unpack = [&](int endsColumn, int64_t n, const char* what, std::vector<std::string>& out) {
        const SQLite::Column e = q.getColumn(endsColumn), t = q.getColumn(endsColumn + 1);
        if (!e.isBlob() || e.getBytes() != n * 4) {
            throw damaged(
                fmt::format("{}, chunk {}: its {} offsets (column ends) are {} bytes, expected {} × 4", table,
                            expectedChunk, what, e.isBlob() ? e.getBytes() : 0, n));
        }
        if (!t.isBlob()) {
            throw damaged(fmt::format("{}, chunk {}: its {}s (column text) are not a blob", table,
                                      expectedChunk, what));
        }
        ends.resize(static_cast<size_t>(n));
        std::memcpy(ends.data(), e.getBlob(), static_cast<size_t>(n) * 4);
        const auto* text = static_cast<const char*>(t.getBlob());
        const int64_t size = t.getBytes();
        int64_t start = 0;
        for (int64_t j = 0; j < n; ++j) {
            const int64_t end = ends[static_cast<size_t>(j)];
            if (end < start || end > size || (j == n - 1 && end != size)) {
                throw damaged(fmt::format("{}, chunk {}: {} offset {} is {}, expected {}..{}{}", table,
                                          expectedChunk, what, j, end, start, size,
                                          j == n - 1 ? fmt::format(" and the last one = {}", size) : ""));
            }
            out.emplace_back(text + start, static_cast<size_t>(end - start));
            start = end;
        }
    };
    while (q.executeStep()) {
        const int64_t chunk = q.getColumn(0).getInt64();
        const int64_t first = q.getColumn(1).getInt64();
        const int64_t n = q.getColumn(2).getInt64();
        if (q.getColumn(0).getType() != SQLITE_INTEGER || chunk != expectedChunk)
            throw damaged(fmt::format("{}: chunk {} is missing (found chunk {} next)", table, expectedChunk,
                                      q.getColumn(0).getString()));
        if (q.getColumn(1).getType() != SQLITE_INTEGER || first != done)
            throw damaged(fmt::format("{}, chunk {}: starts at index {}, expected {}", table, chunk,
                                      q.getColumn(1).getString(), done));
        if (q.getColumn(2).getType() != SQLITE_INTEGER || n < 1 || n > kIdsPerChunk || n > expected - done) {
            throw damaged(fmt::format(
                "{}, chunk {}: holds {} ids, expected 1..{} with {} of the catalogue's {} left", table, chunk,
                q.getColumn(2).getString(), kIdsPerChunk, expected - done, expected));
        }
        unpack(3, n, "id", ids);
        if (titled) {
            if (q.getColumn(5).isNull()) {
                titles->resize(titles->size() + static_cast<size_t>(n));
            } else {
                if (q.getColumn(5).getInt64() != first || q.getColumn(6).getInt64() != n) {
                    throw damaged(
                        fmt::format("table id_chunks, kind 'title', chunk {}: covers indices from {} ({}), "
                                    "expected {} ({}) like the item chunk",
                                    chunk, q.getColumn(5).getString(), q.getColumn(6).getString(), first, n));
                }
                unpack(7, n, "title", *titles);
            }
        }
        done += n;
        ++expectedChunk;
    }
    if (done != expected) {
        throw damaged(fmt::format("{} holds {} ids, table datasets (column {}s) says {}", table, done,
                                  kindName(kind), expected));
    }
}

}  // namespace tiltbench::idchunks
