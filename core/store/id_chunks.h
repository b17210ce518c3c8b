#pragma once
// Private to core/store: how a dataset's users and items are stored (schema 5).
//
// The external ids of a dataset's users and items, and the items' titles, are stored like its interactions
// (store/interaction_chunks.h): in chunks of up to kIdsPerChunk consecutive dense indices, one SQLite row per
// chunk, instead of one row per id:
//
//   id_chunks(dataset_id, kind, chunk, first_idx, n, ends, text)
//     kind    'user' or 'item', or 'title': the titles of the items of the 'item' chunk with the same number
//             (absent when none of those items has a title)
//     ends    n × int32, little-endian: where each string ends in `text` (the first one starts at 0)
//     text    the n strings back to back, UTF-8
//
// A log with a new user every other row spent a quarter of its import writing one B-tree row per id
// (bench/RESULTS.md). The views users(dataset_id, idx, external_id) and items(dataset_id, idx, external_id,
// title) decode the chunks in plain SQL, like `interactions`; an empty title reads as NULL.
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tiltbench::idchunks {

constexpr int kIdsPerChunk = 1024;
// A chunk also ends once its strings pass this many bytes, so that `ends` (int32) always fits.
constexpr int64_t kChunkTextBytes = int64_t{16} << 20;

enum class Kind { User, Item };

// CREATE TABLE statement of id_chunks under `name` (the workspace's table has a foreign key to datasets, a
// staging file's has none).
std::string tableSql(const std::string& name, bool foreignKey);
// Creates id_chunks (idempotent).
void createTable(SQLite::Database& db);
// (Re)creates the views users and items; tables of those names must already be gone.
void createViews(SQLite::Database& db);

// Writes `count` ids of one kind (and, for items, their titles) as chunks into `table` (e.g.
// "main.id_chunks"), with `datasetId` as the dataset id; `what` names the file in messages.
using StringAt = std::function<std::string_view(int64_t)>;
void write(sqlite3* db, const std::string& table, int64_t datasetId, Kind kind, int64_t count,
           const StringAt& id, const StringAt& title, const std::string& what);

// Reads the ids (and, for items and when `titles` is given, the titles) of dataset `datasetId` in index
// order. Every chunk is checked (numbering, first index, count, blob sizes, offsets) and the total must be
// `expected`; a damaged chunk is an Error from `damaged` (which names the dataset), never an allocation
// beyond what the chunks present hold.
void read(SQLite::Database& db, int64_t datasetId, Kind kind, int64_t expected,
          const std::function<Error(const std::string&)>& damaged, std::vector<std::string>& ids,
          std::vector<std::string>* titles = nullptr);

}  // namespace tiltbench::idchunks
