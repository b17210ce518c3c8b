// parse_bench: where an import's time goes, one phase at a time (Google Benchmark). The whole-command figure
// is bench/import_throughput.sh; this splits it into the stages an import pipelines:
//
//   Read          LineReader only (chunked read + line splitting)
//   ReadSplit     + FieldSplitter on tab
//   ReadParse     + numbers: user/item as ids, rating via parseReward, timestamp via parseTimestamp
//   ReadParseMap  + external id → dense id maps (string_view-keyed unordered_map, as DatasetWriter's IdMap)
//   ReadParseMapNumericFirst  the same with a direct table for numeric ids (a suggested change, see below)
//   SqliteInsert  SQLite alone: N rows of (dataset, pos, user, item, reward, ts) into the workspace's
//                 interactions table (WITHOUT ROWID, PK(dataset_id, pos)) in one transaction, WAL,
//                 k rows per INSERT statement, WAL checkpoint on close included — the floor for the store's
//                 background writer
//   SqliteInsertRowidKey      candidate: rowid table, INTEGER PRIMARY KEY = dataset << 40 | pos
//   SqliteInsertColumnarBlobs columnar chunks stored as BLOBs; chunk_rows 160 is the workspace's layout since
//                 schema 4 (core/store/interaction_chunks.h: one chunk per 4 KiB page), 256 spills each chunk
//                 into an overflow page, 65536 was the first candidate
//   SqliteInsertShellTable  the same rows into the sqlite3-shell baseline's plain rowid table
//                 (user, item, rating, ts), one row per INSERT — what `.import` does, minus its text parsing
//
// Input: the file in $TILTBENCH_BENCH_FILE (e.g. one made by make_log), else a 1 M-row file generated into
// $TMPDIR. SQLite databases go to $TMPDIR; $TILTBENCH_BENCH_PRAGMAS adds settings to try (run before
// "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", which match a Tiltbench workspace). Run:
// build/bench/bench/parse_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/field_splitter.h"
#include "io/line_reader.h"
#include "io/value_parsing.h"

namespace {

using tiltbench::Delimiter;
using tiltbench::FieldSplitter;
using tiltbench::LineReader;

constexpr int64_t kGeneratedRows = 1'000'000;

// A u.data-like file: 200k users, 50k items (skewed), ratings 1–5, increasing timestamps.
std::string makeFile() {
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/tiltbench_parse_bench_" +
                       std::to_string(static_cast<long>(::getpid())) + ".tsv";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        throw std::runtime_error("cannot write " + path);
    uint64_t x = 88172645463325252ULL;  // xorshift64
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    int64_t ts = 874724710;
    for (int64_t r = 0; r < kGeneratedRows; ++r) {
        const uint64_t a = next() % 50000, b = next() % 50000;
        const uint64_t item = 1 + (a * b) / 50000;  // product of two uniforms: more weight on small ids
        ts += static_cast<int64_t>(next() % 4);
        std::fprintf(f, "%llu\t%llu\t%d\t%lld\n", static_cast<unsigned long long>(1 + next() % 200000),
                     static_cast<unsigned long long>(item), static_cast<int>(1 + next() % 5),
                     static_cast<long long>(ts));
    }
    std::fclose(f);
    return path;
}

struct Input {
    std::string path;
    bool generated = false;
    int64_t rows = 0;
    Input() {
        const char* env = std::getenv("TILTBENCH_BENCH_FILE");
        if (env && *env) {
            path = env;
        } else {
            path = makeFile();
            generated = true;
        }
        LineReader reader(path);
        std::string_view rec;
        while (reader.next(rec))
            ++rows;
    }
    ~Input() {
        if (generated)
            std::remove(path.c_str());
    }
};

const Input& input() {
    static Input in;
    return in;
}

// Same idea as DatasetWriter's IdMap: ids live in a deque (stable addresses), the map is keyed by views.
class IdMap {
  public:
    int32_t getOrAdd(std::string_view id) {
        auto it = m_index.find(id);
        if (it != m_index.end())
            return it->second;
        m_ids.emplace_back(id);
        const auto idx = static_cast<int32_t>(m_ids.size() - 1);
        m_index.emplace(std::string_view(m_ids.back()), idx);
        return idx;
    }

  private:
    std::deque<std::string> m_ids;
    std::unordered_map<std::string_view, int32_t> m_index;
};

// A candidate for DatasetWriter (not in core): ids that are canonical decimal numbers (no sign, no leading
// zero, value < 2^24) — nearly every real log — go through a directly indexed table; any other text through
// the string map. A canonical number never equals a non-canonical string, so the two halves cannot disagree,
// and dense ids stay in order of first appearance.
class NumericFirstIdMap {
  public:
    static constexpr uint32_t kDirectLimit = 1u << 24;

    int32_t getOrAdd(std::string_view id) {
        uint32_t v = 0;
        if (canonical(id, v)) {
            if (v >= m_direct.size())
                m_direct.resize(std::max<size_t>(v + 1, m_direct.size() * 2), -1);
            int32_t& slot = m_direct[v];
            if (slot < 0)
                slot = add(id);
            return slot;
        }
        auto it = m_index.find(id);
        if (it != m_index.end())
            return it->second;
        const int32_t idx = add(id);
        m_index.emplace(std::string_view(m_ids.back()), idx);
        return idx;
    }

  private:
    static bool canonical(std::string_view s, uint32_t& v) {
        if (s.empty() || s.size() > 8 || (s[0] == '0' && s.size() > 1))
            return false;
        uint32_t x = 0;
        for (char c : s) {
            if (c < '0' || c > '9')
                return false;
            x = x * 10 + static_cast<uint32_t>(c - '0');
        }
        if (x >= kDirectLimit)
            return false;
        v = x;
        return true;
    }
    int32_t add(std::string_view id) {
        m_ids.emplace_back(id);
        return static_cast<int32_t>(m_ids.size() - 1);
    }

    std::deque<std::string> m_ids;
    std::vector<int32_t> m_direct;
    std::unordered_map<std::string_view, int32_t> m_index;
};

void finish(benchmark::State& state, int64_t rowsPerIteration) {
    state.SetItemsProcessed(state.iterations() * rowsPerIteration);
    state.counters["rows"] = static_cast<double>(rowsPerIteration);
}

void BM_Read(benchmark::State& state) {
    const Input& in = input();
    for (auto _ : state) {
        LineReader reader(in.path);
        std::string_view rec;
        size_t bytes = 0;
        while (reader.next(rec))
            bytes += rec.size();
        benchmark::DoNotOptimize(bytes);
    }
    finish(state, in.rows);
}

void BM_ReadSplit(benchmark::State& state) {
    const Input& in = input();
    for (auto _ : state) {
        LineReader reader(in.path);
        FieldSplitter splitter(Delimiter::character('\t'), false);
        std::string_view rec;
        size_t fields = 0;
        while (reader.next(rec))
            fields += splitter.split(rec).size();
        benchmark::DoNotOptimize(fields);
    }
    finish(state, in.rows);
}

struct Parsed {
    double reward = 0;
    int64_t ts = 0;
};

bool parseRow(const std::vector<std::string_view>& f, Parsed& p) {
    if (f.size() != 4)
        return false;
    const auto user = tiltbench::trimField(f[0]);
    const auto item = tiltbench::trimField(f[1]);
    if (user.empty() || item.empty())
        return false;
    return tiltbench::parseReward(tiltbench::trimField(f[2]), p.reward) == tiltbench::NumberStatus::Ok &&
           tiltbench::parseTimestamp(tiltbench::trimField(f[3]), p.ts);
}

void BM_ReadParse(benchmark::State& state) {
    const Input& in = input();
    for (auto _ : state) {
        LineReader reader(in.path);
        FieldSplitter splitter(Delimiter::character('\t'), false);
        std::string_view rec;
        double sum = 0;
        Parsed p;
        while (reader.next(rec)) {
            if (!parseRow(splitter.split(rec), p))
                state.SkipWithError("bad row");
            sum += p.reward + static_cast<double>(p.ts);
        }
        benchmark::DoNotOptimize(sum);
    }
    finish(state, in.rows);
}

void BM_ReadParseMap(benchmark::State& state) {
    const Input& in = input();
    for (auto _ : state) {
        LineReader reader(in.path);
        FieldSplitter splitter(Delimiter::character('\t'), false);
        IdMap users, items;
        std::string_view rec;
        int64_t sum = 0;
        Parsed p;
        while (reader.next(rec)) {
            const auto& f = splitter.split(rec);
            if (!parseRow(f, p))
                state.SkipWithError("bad row");
            sum += users.getOrAdd(tiltbench::trimField(f[0])) + items.getOrAdd(tiltbench::trimField(f[1]));
        }
        benchmark::DoNotOptimize(sum);
    }
    finish(state, in.rows);
}

void BM_ReadParseMapNumericFirst(benchmark::State& state) {
    const Input& in = input();
    for (auto _ : state) {
        LineReader reader(in.path);
        FieldSplitter splitter(Delimiter::character('\t'), false);
        NumericFirstIdMap users, items;
        std::string_view rec;
        int64_t sum = 0;
        Parsed p;
        while (reader.next(rec)) {
            const auto& f = splitter.split(rec);
            if (!parseRow(f, p))
                state.SkipWithError("bad row");
            sum += users.getOrAdd(tiltbench::trimField(f[0])) + items.getOrAdd(tiltbench::trimField(f[1]));
        }
        benchmark::DoNotOptimize(sum);
    }
    finish(state, in.rows);
}

// ---- SQLite floor -------------------------------------------------------------------------------------

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

std::string scratchDb() {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp && *tmp ? tmp : "/tmp") + "/tiltbench_parse_bench_" +
           std::to_string(static_cast<long>(::getpid())) + ".sqlite";
}

void removeDb(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::remove((path + suffix).c_str());
}

sqlite3* openDb(const std::string& path, const char* ddl) {
    removeDb(path);
    sqlite3* db = nullptr;
    // $TILTBENCH_BENCH_NOMUTEX=1 opens the connection in multi-thread mode (no per-call connection mutex);
    // the default, like the workspace's SQLite::OPEN_FULLMUTEX, is serialized mode.
    const char* nomutex = std::getenv("TILTBENCH_BENCH_NOMUTEX");
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                      (nomutex && *nomutex == '1' ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX);
    check(sqlite3_open_v2(path.c_str(), &db, flags, nullptr), db, "open");
    // Extra settings to try (e.g. "PRAGMA page_size=16384; PRAGMA cache_size=-65536"), run before WAL.
    if (const char* extra = std::getenv("TILTBENCH_BENCH_PRAGMAS"))
        check(sqlite3_exec(db, extra, nullptr, nullptr, nullptr), db, "TILTBENCH_BENCH_PRAGMAS");
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr),
          db, "wal");
    check(sqlite3_exec(db, ddl, nullptr, nullptr, nullptr), db, "schema");
    return db;
}

// Mirrors the interactions table of core/store/schema.cpp (schema 1).
constexpr const char* kWorkspaceTable =
    "CREATE TABLE interactions(dataset_id INTEGER NOT NULL, pos INTEGER NOT NULL, user_idx INTEGER NOT NULL, "
    "item_idx INTEGER NOT NULL, reward REAL NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY(dataset_id, pos)) "
    "WITHOUT ROWID;";

void BM_SqliteInsert(benchmark::State& state) {
    const int perStmt = static_cast<int>(state.range(0));
    const int64_t rows = state.range(1);
    const std::string path = scratchDb();
    for (auto _ : state) {
        state.PauseTiming();
        sqlite3* db = openDb(path, kWorkspaceTable);
        std::string sql = "INSERT INTO interactions(dataset_id, pos, user_idx, item_idx, reward, ts) VALUES";
        for (int r = 0; r < perStmt; ++r)
            sql += r ? ",(1, ?, ?, ?, ?, ?)" : "(1, ?, ?, ?, ?, ?)";
        sqlite3_stmt* stmt = nullptr;
        check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), db, "prepare");
        state.ResumeTiming();

        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
        uint64_t x = 0x2545F4914F6CDD1DULL;
        int64_t pos = 0;
        for (int64_t done = 0; done + perStmt <= rows; done += perStmt) {
            int col = 1;
            for (int k = 0; k < perStmt; ++k) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                sqlite3_bind_int64(stmt, col++, pos++);
                sqlite3_bind_int(stmt, col++, static_cast<int>(x % 200000));
                sqlite3_bind_int(stmt, col++, static_cast<int>((x >> 20) % 50000));
                sqlite3_bind_double(stmt, col++, static_cast<double>(1 + (x >> 40) % 5));
                sqlite3_bind_int64(stmt, col++, 874724710 + pos);
            }
            check(sqlite3_step(stmt), db, "insert");
            sqlite3_reset(stmt);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        sqlite3_finalize(stmt);
        check(sqlite3_close(db), nullptr, "close");  // the last close checkpoints the WAL: part of the cost

        state.PauseTiming();
        removeDb(path);
        state.ResumeTiming();
    }
    finish(state, rows);
}

void BM_SqliteInsertShellTable(benchmark::State& state) {
    const int64_t rows = state.range(0);
    const std::string path = scratchDb();
    for (auto _ : state) {
        state.PauseTiming();
        sqlite3* db =
            openDb(path, "CREATE TABLE interactions(user INTEGER, item INTEGER, rating REAL, ts INTEGER);");
        sqlite3_stmt* stmt = nullptr;
        check(sqlite3_prepare_v2(db, "INSERT INTO interactions VALUES(?, ?, ?, ?)", -1, &stmt, nullptr), db,
              "prepare");
        state.ResumeTiming();

        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
        uint64_t x = 0x2545F4914F6CDD1DULL;
        for (int64_t r = 0; r < rows; ++r) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sqlite3_bind_int(stmt, 1, static_cast<int>(x % 200000));
            sqlite3_bind_int(stmt, 2, static_cast<int>((x >> 20) % 50000));
            sqlite3_bind_double(stmt, 3, static_cast<double>(1 + (x >> 40) % 5));
            sqlite3_bind_int64(stmt, 4, 874724710 + r);
            check(sqlite3_step(stmt), db, "insert");
            sqlite3_reset(stmt);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        sqlite3_finalize(stmt);
        check(sqlite3_close(db), nullptr, "close");  // the last close checkpoints the WAL: part of the cost

        state.PauseTiming();
        removeDb(path);
        state.ResumeTiming();
    }
    finish(state, rows);
}

// Candidate layout A: a rowid table whose INTEGER PRIMARY KEY encodes (dataset, position) as
// dataset << 40 | pos. Appending in key order takes SQLite's append fast path (no key comparisons, no
// separate key columns in the record); a dataset is still one range scan (id BETWEEN d << 40 AND (d + 1) <<
// 40).
void BM_SqliteInsertRowidKey(benchmark::State& state) {
    const int perStmt = static_cast<int>(state.range(0));
    const int64_t rows = state.range(1);
    const std::string path = scratchDb();
    for (auto _ : state) {
        state.PauseTiming();
        sqlite3* db = openDb(path,
                             "CREATE TABLE interactions(id INTEGER PRIMARY KEY, user_idx INTEGER NOT NULL, "
                             "item_idx INTEGER NOT NULL, reward REAL NOT NULL, ts INTEGER NOT NULL);");
        std::string sql = "INSERT INTO interactions(id, user_idx, item_idx, reward, ts) VALUES";
        for (int r = 0; r < perStmt; ++r)
            sql += r ? ",(?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)";
        sqlite3_stmt* stmt = nullptr;
        check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), db, "prepare");
        state.ResumeTiming();

        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
        uint64_t x = 0x2545F4914F6CDD1DULL;
        int64_t pos = 0;
        const int64_t base = int64_t(1) << 40;
        for (int64_t done = 0; done + perStmt <= rows; done += perStmt) {
            int col = 1;
            for (int k = 0; k < perStmt; ++k) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                sqlite3_bind_int64(stmt, col++, base + pos++);
                sqlite3_bind_int(stmt, col++, static_cast<int>(x % 200000));
                sqlite3_bind_int(stmt, col++, static_cast<int>((x >> 20) % 50000));
                sqlite3_bind_double(stmt, col++, static_cast<double>(1 + (x >> 40) % 5));
                sqlite3_bind_int64(stmt, col++, 874724710 + pos);
            }
            check(sqlite3_step(stmt), db, "insert");
            sqlite3_reset(stmt);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        sqlite3_finalize(stmt);
        check(sqlite3_close(db), nullptr, "close");

        state.PauseTiming();
        removeDb(path);
        state.ResumeTiming();
    }
    finish(state, rows);
}

// Layout B (the workspace's since schema 4): columnar chunks of `chunk_rows` rows per row of the table, one
// little-endian array per column as a BLOB (int32 user, int32 item, float64 reward, int64 ts) — the
// InteractionLog's own layout. SQLite then only copies pages; plain SQL reads the rows through a view.
void BM_SqliteInsertColumnarBlobs(benchmark::State& state) {
    const int64_t rows = state.range(0);
    const int64_t kChunk = state.range(1);
    const std::string path = scratchDb();
    std::vector<int32_t> users(static_cast<size_t>(kChunk)), items(static_cast<size_t>(kChunk));
    std::vector<double> rewards(static_cast<size_t>(kChunk));
    std::vector<int64_t> times(static_cast<size_t>(kChunk));
    for (auto _ : state) {
        state.PauseTiming();
        sqlite3* db =
            openDb(path,
                   "CREATE TABLE interaction_chunks(dataset_id INTEGER NOT NULL, chunk INTEGER NOT NULL, "
                   "n INTEGER NOT NULL, user_idx BLOB NOT NULL, item_idx BLOB NOT NULL, reward BLOB NOT "
                   "NULL, ts BLOB NOT NULL, PRIMARY KEY(dataset_id, chunk));");
        sqlite3_stmt* stmt = nullptr;
        check(sqlite3_prepare_v2(db, "INSERT INTO interaction_chunks VALUES(1, ?, ?, ?, ?, ?, ?)", -1, &stmt,
                                 nullptr),
              db, "prepare");
        state.ResumeTiming();

        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
        uint64_t x = 0x2545F4914F6CDD1DULL;
        int64_t pos = 0;
        for (int64_t chunk = 0; pos < rows; ++chunk) {
            const int64_t n = std::min(kChunk, rows - pos);
            for (int64_t k = 0; k < n; ++k, ++pos) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                users[static_cast<size_t>(k)] = static_cast<int32_t>(x % 200000);
                items[static_cast<size_t>(k)] = static_cast<int32_t>((x >> 20) % 50000);
                rewards[static_cast<size_t>(k)] = static_cast<double>(1 + (x >> 40) % 5);
                times[static_cast<size_t>(k)] = 874724710 + pos;
            }
            sqlite3_bind_int64(stmt, 1, chunk);
            sqlite3_bind_int64(stmt, 2, n);
            sqlite3_bind_blob(stmt, 3, users.data(), static_cast<int>(n * 4), SQLITE_STATIC);
            sqlite3_bind_blob(stmt, 4, items.data(), static_cast<int>(n * 4), SQLITE_STATIC);
            sqlite3_bind_blob(stmt, 5, rewards.data(), static_cast<int>(n * 8), SQLITE_STATIC);
            sqlite3_bind_blob(stmt, 6, times.data(), static_cast<int>(n * 8), SQLITE_STATIC);
            check(sqlite3_step(stmt), db, "insert");
            sqlite3_reset(stmt);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        sqlite3_finalize(stmt);
        check(sqlite3_close(db), nullptr, "close");

        state.PauseTiming();
        removeDb(path);
        state.ResumeTiming();
    }
    finish(state, rows);
}

}  // namespace

BENCHMARK(BM_Read)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadSplit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadParse)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadParseMap)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadParseMapNumericFirst)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SqliteInsert)
    ->ArgNames({"rows_per_insert", "rows"})
    ->Args({1, 1'000'000})
    ->Args({16, 1'000'000})
    ->Args({64, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SqliteInsertShellTable)
    ->ArgNames({"rows"})
    ->Args({1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_SqliteInsertRowidKey)
    ->ArgNames({"rows_per_insert", "rows"})
    ->Args({64, 1'000'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SqliteInsertColumnarBlobs)
    ->ArgNames({"rows", "chunk_rows"})
    ->Args({1'000'000, 160})
    ->Args({1'000'000, 256})
    ->Args({1'000'000, 65536})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
