#include "store/interaction_chunks.h"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "common/error.h"

namespace tiltbench::chunks {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "interaction chunks are little-endian arrays, written and read with memcpy");

namespace {

constexpr const char* kTableSql = R"SQL(
CREATE TABLE IF NOT EXISTS interaction_chunks(
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  first_pos INTEGER NOT NULL,
  n INTEGER NOT NULL,
  user_idx BLOB NOT NULL,
  item_idx BLOB NOT NULL,
  reward BLOB NOT NULL,
  ts BLOB NOT NULL,
  PRIMARY KEY(dataset_id, chunk)
);
CREATE TABLE IF NOT EXISTS tiltbench_pow2(k INTEGER PRIMARY KEY, v REAL NOT NULL);
)SQL";

// The smallest and largest exponents the view needs: 2^-1074 scales a subnormal's mantissa, 2^971 the
// largest normal one (mantissa with its implicit bit is an integer below 2^53).
constexpr int kMinPow2 = -1074;
constexpr int kMaxPow2 = 971;

// Byte j (0 = least significant) of element `index` of the blob `column`, whose elements are `width` bytes;
// `all` names the 256-byte blob 00 01 … FF (a column of the view's CTE, so that its 515 characters of SQL
// appear once: every connection parses the view's text when it loads the schema).
std::string byteSql(const std::string& all, const std::string& column, int width, int j,
                    const std::string& index = "k.i") {
    return fmt::format("(instr({}, substr({}, {} * {} + {}, 1)) - 1)", all, column, width, index, j + 1);
}

std::string int32Sql(const std::string& all, const char* col) {
    return int32ElementSql(all, std::string("c.") + col, "k.i");
}

std::string int64Sql(const std::string& all, const char* col) {
    std::string s = "(";
    for (int j = 0; j < 7; ++j)
        s += fmt::format("({} << {}) + ", byteSql(all, std::string("c.") + col, 8, j), 8 * j);
    const std::string top = byteSql(all, std::string("c.") + col, 8, 7);
    return s + fmt::format("(({} - 256 * ({} >= 128)) << 56))", top, top);
}

std::string float64Sql(const std::string& all, const char* col) {
    const std::string b6 = byteSql(all, std::string("c.") + col, 8, 6),
                      b7 = byteSql(all, std::string("c.") + col, 8, 7);
    const std::string exponent = fmt::format("((({} & 127) << 4) | ({} >> 4))", b7, b6);
    std::string mantissa = "(";
    for (int j = 0; j < 6; ++j)
        mantissa += fmt::format("({} << {}) + ", byteSql(all, std::string("c.") + col, 8, j), 8 * j);
    mantissa += fmt::format("(({} & 15) << 48))", b6);
    // (mantissa + implicit bit) is an integer below 2^53 and the scale a power of two: the product is exact.
    const std::string magnitude = fmt::format(
        "(({} + ({} > 0) * 4503599627370496) * (SELECT v FROM tiltbench_pow2 WHERE k = max({}, 1) "
        "- 1075))",
        mantissa, exponent, exponent);
    return fmt::format("(CASE WHEN {} >= 128 THEN -{} ELSE {} END)", b7, magnitude, magnitude);
}

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw Error(fmt::format("writing the workspace failed ({}): {}", what, sqlite3_errmsg(db)));
}

}  // namespace

std::string allBytesBlobSql() {
    std::string s = "X'";
    for (int b = 0; b < 256; ++b)
        s += fmt::format("{:02X}", b);
    return s + "'";
}

std::string int32ElementSql(const std::string& all, const std::string& column, const std::string& index) {
    // Dense indices and offsets are below 2^31, so the top byte never has its sign bit set.
    std::string s = "(";
    for (int j = 0; j < 4; ++j)
        s += fmt::format("{}({} << {})", j ? " + " : "", byteSql(all, column, 4, j, index), 8 * j);
    return s + ")";
}

// CROSS JOIN keeps the chunks in the outer loop: rows come out in file order, and a filter on dataset_id
// uses the primary key.
std::string viewSql() {
    const std::string all = "b.v";
    return fmt::format(
        "CREATE VIEW interactions(dataset_id, pos, user_idx, item_idx, reward, ts) AS\n"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {}),\n"
        "b(v) AS (SELECT {})\n"
        "SELECT c.dataset_id, c.first_pos + k.i,\n  {},\n  {},\n  {},\n  {}\n"
        "FROM interaction_chunks c CROSS JOIN k CROSS JOIN b WHERE k.i < c.n",
        kChunkRows - 1, allBytesBlobSql(), int32Sql(all, "user_idx"), int32Sql(all, "item_idx"),
        float64Sql(all, "reward"), int64Sql(all, "ts"));
}

void createTables(SQLite::Database& db) {
    db.exec(kTableSql);
    if (db.execAndGet("SELECT count(*) FROM tiltbench_pow2").getInt() != kMaxPow2 - kMinPow2 + 1) {
        // One statement (a prepared INSERT per row was 8 % of creating a workspace): from 2^0 = 1, doubling
        // up and halving down, both exact for every power of two in range (subnormals included).
        db.exec("DELETE FROM tiltbench_pow2");
        db.exec(fmt::format(
            "INSERT INTO tiltbench_pow2(k, v) "
            "WITH RECURSIVE up(k, v) AS (SELECT 0, 1.0 UNION ALL SELECT k + 1, v * 2 FROM up WHERE k < {}), "
            "down(k, v) AS (SELECT -1, 0.5 UNION ALL SELECT k - 1, v / 2 FROM down WHERE k > {}) "
            "SELECT k, v FROM up UNION ALL SELECT k, v FROM down",
            kMaxPow2, kMinPow2));
    }
}

void createView(SQLite::Database& db) {
    db.exec("DROP VIEW IF EXISTS interactions");
    db.exec(viewSql());
}

ChunkInserter::ChunkInserter(sqlite3* db, int64_t datasetId) : m_db(db), m_datasetId(datasetId) {
    // The dataset id is a literal (an integer we generated, never user text): one bind less per chunk.
    const std::string sql = fmt::format(
        "INSERT INTO interaction_chunks(dataset_id, chunk, first_pos, n, user_idx, item_idx, reward, ts) "
        "VALUES({}, ?, ?, ?, ?, ?, ?, ?)",
        m_datasetId);
    check(sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr), db,
          "prepare");
}

ChunkInserter::~ChunkInserter() {
    sqlite3_finalize(m_stmt);
}

void ChunkInserter::writeChunk() {
    const int n = m_n;
    sqlite3_bind_int64(m_stmt, 1, m_chunk);
    sqlite3_bind_int64(m_stmt, 2, m_firstPos);
    sqlite3_bind_int(m_stmt, 3, n);
    // SQLITE_STATIC: the arrays outlive the step below.
    sqlite3_bind_blob(m_stmt, 4, m_user, n * 4, SQLITE_STATIC);
    sqlite3_bind_blob(m_stmt, 5, m_item, n * 4, SQLITE_STATIC);
    sqlite3_bind_blob(m_stmt, 6, m_reward, n * 8, SQLITE_STATIC);
    sqlite3_bind_blob(m_stmt, 7, m_ts, n * 8, SQLITE_STATIC);
    check(sqlite3_step(m_stmt), m_db, "insert interactions");
    sqlite3_reset(m_stmt);
    ++m_chunk;
    m_firstPos += n;
    m_n = 0;
}

void readAll(SQLite::Database& db, int64_t datasetId, const std::string& datasetName, int64_t rows,
             int32_t* user, int32_t* item, double* reward, int64_t* ts,
             const std::function<void(int64_t done)>& onRows) {
    SQLite::Statement q(db,
                        "SELECT chunk, first_pos, n, user_idx, item_idx, reward, ts FROM interaction_chunks "
                        "WHERE dataset_id = ? ORDER BY chunk");
    q.bind(1, datasetId);
    int64_t done = 0, expectedChunk = 0;
    auto damaged = [&](const std::string& what) {
        return Error(fmt::format("dataset '{}' is damaged in the workspace: interaction chunk {} {}",
                                 datasetName, expectedChunk, what));
    };
    while (q.executeStep()) {
        const int64_t chunk = q.getColumn(0).getInt64();
        const int64_t firstPos = q.getColumn(1).getInt64();
        const int64_t n = q.getColumn(2).getInt64();
        if (chunk != expectedChunk)
            throw damaged(fmt::format("is missing (found chunk {} next)", chunk));
        if (firstPos != done)
            throw damaged(fmt::format("starts at row {}, expected {}", firstPos, done));
        if (n < 1 || n > rows - done) {
            throw damaged(fmt::format("holds {} rows, but only {} of the catalogue's {} are left", n,
                                      rows - done, rows));
        }
        auto copy = [&](int column, const char* name, void* dest, int width) {
            const SQLite::Column c = q.getColumn(column);
            if (!c.isBlob() || c.getBytes() != n * width) {
                throw damaged(fmt::format("has a {} column of {} bytes, expected {} × {}", name,
                                          c.isBlob() ? c.getBytes() : 0, n, width));
            }
            std::memcpy(static_cast<char*>(dest) + done * width, c.getBlob(), static_cast<size_t>(n * width));
        };
        copy(3, "user_idx", user, 4);
        copy(4, "item_idx", item, 4);
        copy(5, "reward", reward, 8);
        copy(6, "ts", ts, 8);
        done += n;
        ++expectedChunk;
        if (onRows)
            onRows(done);
    }
    if (done != rows)
        throw Error(fmt::format("dataset '{}' has {} rows, its catalogue says {}", datasetName, done, rows));
}

}  // namespace tiltbench::chunks
