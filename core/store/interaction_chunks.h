#pragma once
// Private to core/store: how a dataset's interactions are stored (schema 4).
//
// Interactions are written as columnar chunks of up to kChunkRows rows in file order, one SQLite row per
// chunk, instead of one SQLite row per interaction:
//
//   interaction_chunks(dataset_id, chunk, first_pos, n, user_idx, item_idx, reward, ts)
//     user_idx, item_idx   n × int32, little-endian (dense indices into users / items)
//     reward               n × float64, little-endian IEEE 754
//     ts                   n × int64, little-endian (seconds since the epoch, or the file position)
//
// SQLite's cost per inserted row (VDBE, record building, B-tree) was the whole limit of an import (about
// 0.45 µs per row at best, see bench/RESULTS.md); per chunk it is paid once for 160 interactions, and a
// dataset loads with a memcpy per chunk column. The file stays readable with any SQLite tool: the view
// `interactions(dataset_id, pos, user_idx, item_idx, reward, ts)` decodes the chunks in plain SQL (no
// extension): a recursive counter picks each element, instr() against a 256-byte blob turns a byte into its
// value, and a float64 is rebuilt exactly from its sign, exponent and mantissa with the powers of two in
// table `tiltbench_pow2`. The view is slow (5–10 µs per row) but exact, except that -0.0 reads as 0.
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>

namespace tiltbench::chunks {

// 160 rows make a chunk of 3840 bytes: with its key and header it fits one 4 KiB page of the table B-tree
// (at most 4061 bytes of payload stay on the page), so no chunk spills into overflow pages (a 256-row chunk
// took two pages and made the file 25 % larger).
constexpr int kChunkRows = 160;

// Creates interaction_chunks and tiltbench_pow2 (idempotent).
void createTables(SQLite::Database& db);
// (Re)creates the interactions view; an `interactions` table must already be gone.
void createView(SQLite::Database& db);

// The CREATE VIEW statement of `interactions`.
std::string viewSql();

// Pieces of the plain-SQL decoders (also used by the id views, store/id_chunks.h): the blob literal
// X'000102…FF', and the SQL of element `index` (an SQL expression) of a blob `column` of little-endian int32,
// given `all`, an expression that names that literal.
std::string allBytesBlobSql();
std::string int32ElementSql(const std::string& all, const std::string& column, const std::string& index);

// Writes one dataset's rows as chunks, in the order they are added, through one prepared statement on a raw
// connection (the DatasetWriter's thread, or a migration). Rows are buffered until a chunk is full; the chunk
// numbers and first positions follow from the order. Call finish() after the last row: destroying the
// inserter without it drops the buffered rows (the caller's transaction is being rolled back anyway).
class ChunkInserter {
  public:
    ChunkInserter(sqlite3* db, int64_t datasetId);
    ~ChunkInserter();
    ChunkInserter(const ChunkInserter&) = delete;
    ChunkInserter& operator=(const ChunkInserter&) = delete;

    void add(int32_t user, int32_t item, double reward, int64_t ts) {
        m_user[m_n] = user;
        m_item[m_n] = item;
        m_reward[m_n] = reward;
        m_ts[m_n] = ts;
        if (++m_n == kChunkRows)
            writeChunk();
    }
    // Writes the last, short chunk if any.
    void finish() {
        if (m_n > 0)
            writeChunk();
    }

  private:
    void writeChunk();

    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    int64_t m_datasetId;
    int64_t m_chunk = 0, m_firstPos = 0;
    int m_n = 0;  // rows buffered
    int32_t m_user[kChunkRows], m_item[kChunkRows];
    double m_reward[kChunkRows];
    int64_t m_ts[kChunkRows];
};

// Reads dataset `datasetId`'s rows in file order into the caller's arrays of `rows` elements each. Every
// chunk is checked (numbering, positions, blob sizes, total) so a damaged or hand-edited file gives a clear
// error naming `datasetName` instead of wrong data. `onRows(done)` is called after each chunk.
void readAll(SQLite::Database& db, int64_t datasetId, const std::string& datasetName, int64_t rows,
             int32_t* user, int32_t* item, double* reward, int64_t* ts,
             const std::function<void(int64_t done)>& onRows = {});

}  // namespace tiltbench::chunks
