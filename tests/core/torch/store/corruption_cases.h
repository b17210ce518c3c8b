#pragma once
// The cases of the crafted-workspace test (corruption_test.cpp): the columns of every table read from the
// schema, and the seeded corruptions written into each — huge, negative and boundary integers, the
// workspace's own counts, infinities, wrong types, truncated, extended and bit-flipped blobs, overwritten
// array words, garbage JSON and every key of a JSON object set to a wrong value. Included by that one test
// file only.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"

namespace {

using namespace tiltbench;

constexpr uint32_t kSeed = 20261302;
// Seeded picks per column from the value list below (every column also gets its JSON-key and blob cases).
constexpr size_t kValuesPerColumn = 7;

struct Column {
    std::string table, name, declaredType;
    std::vector<std::string> primaryKey;  // of its table, in key order
    bool blob = false, json = false;
    std::vector<std::string> jsonKeys;  // top-level keys of the JSON objects it holds
};

// A raw connection to the copy being corrupted, as another tool would open it.
class Db {
  public:
    explicit Db(const std::string& path) {
        if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path);
        exec("PRAGMA synchronous = OFF");
    }
    ~Db() { sqlite3_close(m_db); }
    sqlite3* handle() const { return m_db; }
    // false when SQLite refuses the statement (e.g. NULL into a NOT NULL column): the case does not apply.
    bool exec(const std::string& sql) {
        return sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    std::vector<std::vector<std::string>> rows(const std::string& sql) {
        std::vector<std::vector<std::string>> out;
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("bad query: ") + sqlite3_errmsg(m_db) + ": " + sql);
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                const auto* t = sqlite3_column_text(st, c);
                row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
            }
            out.push_back(std::move(row));
        }
        sqlite3_finalize(st);
        return out;
    }

  private:
    sqlite3* m_db = nullptr;
};

std::string quoteId(const std::string& id) {
    return "\"" + id + "\"";
}

std::string pkTuple(const Column& c) {
    std::string s;
    for (const auto& k : c.primaryKey)
        s += (s.empty() ? "" : ", ") + quoteId(k);
    return "(" + s + ")";
}

// Every column of every table (sqlite_master + pragma table_info), with what the clean file holds in it.
std::vector<Column> listColumns(Db& db) {
    std::vector<Column> out;
    for (const auto& t : db.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                 "'sqlite_%' ORDER BY name")) {
        const std::string table = t[0];
        std::vector<std::pair<int, std::string>> pk;
        std::vector<Column> cols;
        for (const auto& r : db.rows("SELECT name, type, pk FROM pragma_table_info('" + table + "')")) {
            Column c;
            c.table = table;
            c.name = r[0];
            c.declaredType = r[1];
            if (std::stoi(r[2]) > 0)
                pk.emplace_back(std::stoi(r[2]), r[0]);
            cols.push_back(c);
        }
        std::sort(pk.begin(), pk.end());
        for (auto& c : cols) {
            for (const auto& [_, name] : pk)
                c.primaryKey.push_back(name);
            if (c.primaryKey.empty())
                c.primaryKey.push_back("rowid");
            const std::string q = quoteId(c.name), from = " FROM " + quoteId(table);
            c.blob = db.rows("SELECT 1" + from + " WHERE typeof(" + q + ") = 'blob' LIMIT 1").size() == 1;
            c.json = db.rows("SELECT 1" + from + " WHERE typeof(" + q + ") = 'text' AND json_valid(" + q +
                             ") AND json_type(" + q + ") = 'object' LIMIT 1")
                         .size() == 1;
            if (c.json) {
                for (const auto& k : db.rows("SELECT DISTINCT j.key" + from + " t, json_each(t." + q +
                                             ") j WHERE json_valid(t." + q + ") AND json_type(t." + q +
                                             ") = 'object' ORDER BY 1"))
                    c.jsonKeys.push_back(k[0]);
            }
            out.push_back(c);
        }
    }
    return out;
}

struct Case {
    std::string name;  // table.column: what
    std::function<bool(Db&)> apply;
};

// SQL to update `c` to `expr` in all rows, or only in row number `row` (in key order).
std::string updateSql(const Column& c, const std::string& expr, int row) {
    std::string sql = "UPDATE " + quoteId(c.table) + " SET " + quoteId(c.name) + " = " + expr;
    if (row >= 0) {
        sql += " WHERE " + pkTuple(c) + " = (SELECT " + pkTuple(c).substr(1, pkTuple(c).size() - 2) +
               " FROM " + quoteId(c.table) + " ORDER BY " + pkTuple(c).substr(1, pkTuple(c).size() - 2) +
               " LIMIT 1 OFFSET " + std::to_string(row) + ")";
    }
    return sql;
}

// Rewrites every blob of column `c` through `mutate` (C++ side: word overwrites and bit flips).
bool mutateBlobs(Db& db, const Column& c, const std::function<void(std::vector<uint8_t>&)>& mutate) {
    const std::string keys = pkTuple(c).substr(1, pkTuple(c).size() - 2);
    sqlite3_stmt* sel = nullptr;
    const std::string q = "SELECT " + keys + ", " + quoteId(c.name) + " FROM " + quoteId(c.table) +
                          " WHERE typeof(" + quoteId(c.name) + ") = 'blob'";
    if (sqlite3_prepare_v2(db.handle(), q.c_str(), -1, &sel, nullptr) != SQLITE_OK)
        return false;
    struct Row {
        std::vector<std::string> key;
        std::vector<uint8_t> blob;
    };
    std::vector<Row> rows;
    const int nk = static_cast<int>(c.primaryKey.size());
    while (sqlite3_step(sel) == SQLITE_ROW) {
        Row r;
        for (int k = 0; k < nk; ++k)
            r.key.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(sel, k)));
        const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(sel, nk));
        r.blob.assign(p, p + sqlite3_column_bytes(sel, nk));
        rows.push_back(std::move(r));
    }
    sqlite3_finalize(sel);
    std::string where;
    for (int k = 0; k < nk; ++k)
        where += std::string(k ? " AND " : "") + quoteId(c.primaryKey[static_cast<size_t>(k)]) + " = ?";
    sqlite3_stmt* up = nullptr;
    const std::string u = "UPDATE " + quoteId(c.table) + " SET " + quoteId(c.name) + " = ? WHERE " + where;
    if (sqlite3_prepare_v2(db.handle(), u.c_str(), -1, &up, nullptr) != SQLITE_OK)
        return false;
    bool ok = true;
    for (auto& r : rows) {
        mutate(r.blob);
        sqlite3_bind_blob(up, 1, r.blob.data(), static_cast<int>(r.blob.size()), SQLITE_TRANSIENT);
        for (int k = 0; k < nk; ++k) {
            // Keys are integers or text; bound as text they compare equal under the columns' affinity.
            sqlite3_bind_text(up, k + 2, r.key[static_cast<size_t>(k)].c_str(), -1, SQLITE_TRANSIENT);
        }
        ok = ok && sqlite3_step(up) == SQLITE_DONE;
        sqlite3_reset(up);
    }
    sqlite3_finalize(up);
    return ok && !rows.empty();
}

template <typename T>
void putWord(std::vector<uint8_t>& b, size_t word, T v) {
    if (b.size() >= sizeof(T)) {
        const size_t at = (word % (b.size() / sizeof(T))) * sizeof(T);
        std::memcpy(b.data() + at, &v, sizeof(T));
    }
}

std::vector<Case> buildCases(const std::vector<Column>& columns, const std::vector<std::string>& counts) {
    std::mt19937 rng(kSeed);
    // SQL values and expressions; `$` is the column itself.
    std::vector<std::string> values = {"NULL",
                                       "-1",
                                       "0",
                                       "1",
                                       "-2000000000",
                                       "2147483646",
                                       "2147483647",
                                       "2147483648",
                                       "4294967296",
                                       "9223372036854775807",
                                       "-9223372036854775808",
                                       "1e300",
                                       "-1e300",
                                       "9e999",
                                       "-9e999",
                                       "0.5",
                                       "'garbage'",
                                       "''",
                                       "X'00FF'",
                                       "$ + 1",
                                       "$ - 1",
                                       "$ * 1000003",
                                       "-$",
                                       "'{'",
                                       "'[]'",
                                       "'{\"a\":1}'"};
    for (const auto& c : counts)  // this workspace's user and item counts: indices one past the end
        values.push_back(c);
    const std::vector<std::string> jsonValues = {"1048576",
                                                 "-1",
                                                 "0",
                                                 "2147483648",
                                                 "9223372036854775807",
                                                 "18446744073709551615",
                                                 "1e300",
                                                 "-1e300",
                                                 "0.5",
                                                 "\"x\"",
                                                 "null",
                                                 "[]",
                                                 "{}",
                                                 "true",
                                                 "[1e300]",
                                                 "[-5]"};
    std::vector<Case> cases;
    for (const Column& c : columns) {
        const std::string id = c.table + "." + c.name;
        std::vector<size_t> order(values.size());
        for (size_t k = 0; k < order.size(); ++k)
            order[k] = k;
        std::shuffle(order.begin(), order.end(), rng);
        for (size_t k = 0; k < kValuesPerColumn && k < order.size(); ++k) {
            std::string expr = values[order[k]];
            for (size_t at; (at = expr.find('$')) != std::string::npos;)
                expr.replace(at, 1, quoteId(c.name));
            const int row = (rng() % 2) ? -1 : static_cast<int>(rng() % 3);
            const std::string sql = updateSql(c, expr, row);
            cases.push_back(
                {id + " = " + expr + (row < 0 ? " (all rows)" : " (row " + std::to_string(row) + ")"),
                 [sql](Db& db) { return db.exec(sql); }});
        }
        for (const auto& key : c.jsonKeys) {
            for (int k = 0; k < 2; ++k) {
                const std::string v = jsonValues[rng() % jsonValues.size()];
                const std::string sql =
                    updateSql(c, "json_set(" + quoteId(c.name) + ", '$.\"" + key + "\"', json('" + v + "'))",
                              -1) +
                    " WHERE json_valid(" + quoteId(c.name) + ")";
                cases.push_back({id + " JSON ." + key + " = " + v, [sql](Db& db) { return db.exec(sql); }});
            }
        }
        if (c.json) {
            const std::string sql =
                updateSql(c, "'{\"dim\": 1048576, \"num_items\": 1, \"max_len\": 8192}'", -1);
            cases.push_back({id + " = a huge model", [sql](Db& db) { return db.exec(sql); }});
        }
        if (c.blob) {
            const std::string q = quoteId(c.name);
            for (const std::string& expr : std::vector<std::string>{
                     "substr(" + q + ", 1, length(" + q + ") / 2)",
                     "substr(" + q + ", 1, length(" + q + ") - 1)", q + " || X'0102030405060708'", "X''",
                     "zeroblob(length(" + q + "))"}) {
                const std::string sql = updateSql(c, expr, -1);
                cases.push_back({id + " = " + expr, [sql](Db& db) { return db.exec(sql); }});
            }
            std::vector<int32_t> words = {-2000000000, -1, INT32_MAX};
            for (const auto& n : counts)
                words.push_back(static_cast<int32_t>(std::stoll(n)));
            for (const int32_t w : words) {
                const size_t at = rng();
                cases.push_back({id + ": int32 word " + std::to_string(at % 1000) + " = " + std::to_string(w),
                                 [c, at, w](Db& db) {
                                     return mutateBlobs(db, c, [&](auto& b) { putWord<int32_t>(b, at, w); });
                                 }});
            }
            for (const double d : std::vector<double>{std::nan(""), INFINITY, -1e308}) {
                const size_t at = rng();
                cases.push_back({id + ": float64 word = " + std::to_string(d), [c, at, d](Db& db) {
                                     return mutateBlobs(db, c, [&](auto& b) { putWord<double>(b, at, d); });
                                 }});
            }
            cases.push_back({id + ": int64 word = INT64_MIN", [c, at = size_t(rng())](Db& db) {
                                 return mutateBlobs(db, c,
                                                    [&](auto& b) { putWord<int64_t>(b, at, INT64_MIN); });
                             }});
            for (int k = 0; k < 3; ++k) {
                const uint32_t flipSeed = rng();
                cases.push_back(
                    {id + ": bytes flipped (seed " + std::to_string(flipSeed) + ")", [c, flipSeed](Db& db) {
                         return mutateBlobs(db, c, [&](auto& b) {
                             std::mt19937 r(flipSeed);
                             for (int f = 0; f < 4 && !b.empty(); ++f)
                                 b[r() % b.size()] ^= static_cast<uint8_t>(1 + r() % 255);
                         });
                     }});
            }
        }
    }
    return cases;
}

}  // namespace
