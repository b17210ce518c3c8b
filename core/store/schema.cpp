#include "store/schema.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include "common/error.h"
#include "store/id_chunks.h"
#include "store/interaction_chunks.h"

namespace tiltbench::schema {
namespace {

// Schema 1. Interactions are keyed by (dataset, position in file) WITHOUT ROWID: an import appends in key
// order (cheap B-tree appends), a dataset loads with one range scan in file order, and deleting a dataset is
// a range delete — no extra index to maintain during a 20 M-row import.
constexpr const char* kSchemaV1 = R"SQL(
CREATE TABLE datasets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0,
  users INTEGER NOT NULL DEFAULT 0,
  items INTEGER NOT NULL DEFAULT 0,
  has_time INTEGER NOT NULL DEFAULT 0,
  reward_min REAL,
  reward_max REAL,
  reward_mean REAL,
  random_test_rows INTEGER NOT NULL DEFAULT 0,
  meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE users(
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  PRIMARY KEY(dataset_id, idx)
) WITHOUT ROWID;
CREATE TABLE items(
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  title TEXT,
  PRIMARY KEY(dataset_id, idx)
) WITHOUT ROWID;
CREATE TABLE interactions(
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  user_idx INTEGER NOT NULL,
  item_idx INTEGER NOT NULL,
  reward REAL NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY(dataset_id, pos)
) WITHOUT ROWID;
CREATE TABLE random_test(
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  user_idx INTEGER NOT NULL,
  item_idx INTEGER NOT NULL,
  reward REAL NOT NULL,
  PRIMARY KEY(dataset_id, pos)
) WITHOUT ROWID;
CREATE TABLE ground_truth(
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  config TEXT NOT NULL,
  blob BLOB NOT NULL
);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  device TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  error TEXT,
  timings TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE TABLE run_metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  lo REAL,
  hi REAL,
  PRIMARY KEY(run_id, epoch, split, name)
) WITHOUT ROWID;
CREATE TABLE checkpoints(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  blob BLOB NOT NULL,
  PRIMARY KEY(run_id, epoch)
);
)SQL";

// Schema 2: per-user metric values of a run (users and values as little-endian int32 / float64 arrays), for
// bootstrap intervals and paired comparisons between runs on the same split.
constexpr const char* kSchemaV2 = R"SQL(
CREATE TABLE run_user_metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  users BLOB NOT NULL,
  "values" BLOB NOT NULL,
  PRIMARY KEY(run_id, split, name)
) WITHOUT ROWID;
)SQL";

// Schema 3: which process writes a run — its pid and the machine it runs on (hostname and boot id), so a
// run left `running` by a process that died can be told apart from one still going (RunStore reports it as
// `interrupted`); columns rather than config keys because they describe the writer, not the experiment.
// And the resumable training state of unfinished runs.
void migrateToV3(SQLite::Database& db) {
    // Idempotent: a file whose user_version was rewound by hand may have the columns already.
    auto hasColumn = [&db](const char* name) {
        SQLite::Statement q(db, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = ?");
        q.bind(1, name);
        q.executeStep();
        return q.getColumn(0).getInt() > 0;
    };
    if (!hasColumn("writer_pid"))
        db.exec("ALTER TABLE runs ADD COLUMN writer_pid INTEGER");
    if (!hasColumn("writer_host"))
        db.exec("ALTER TABLE runs ADD COLUMN writer_host TEXT");
    // The training state of an unfinished SASRec run after its last finished epoch (parameters, optimizer
    // moments, random generators, best-so-far bookkeeping), so `--resume` continues it exactly. One row per
    // run, replaced every epoch and dropped when the run is done.
    db.exec(R"SQL(
CREATE TABLE IF NOT EXISTS run_train_states(
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL,
  model BLOB NOT NULL,
  optimizer BLOB NOT NULL,
  generator BLOB NOT NULL
);
)SQL");
}

// Schema 4: interactions are stored as columnar chunks (store/interaction_chunks.h) and `interactions`
// becomes a view that decodes them in plain SQL (created by migrateToV5). Rows of an older file are moved
// into chunks in file order.
void migrateToV4(SQLite::Database& db) {
    chunks::createTables(db);
    const bool hasTable =
        db.execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'interactions'")
            .getInt() > 0;
    if (hasTable) {
        {
            SQLite::Statement q(db,
                                "SELECT dataset_id, user_idx, item_idx, reward, ts FROM interactions "
                                "ORDER BY dataset_id, pos");
            int64_t dataset = 0;
            std::unique_ptr<chunks::ChunkInserter> out;
            while (q.executeStep()) {
                const int64_t d = q.getColumn(0).getInt64();
                if (!out || d != dataset) {
                    if (out)
                        out->finish();
                    dataset = d;
                    out = std::make_unique<chunks::ChunkInserter>(db.getHandle(), d);
                }
                out->add(q.getColumn(1).getInt(), q.getColumn(2).getInt(), q.getColumn(3).getDouble(),
                         q.getColumn(4).getInt64());
            }
            if (out)
                out->finish();
        }
        db.exec("DROP TABLE interactions");
    }
    // The view is created by migrateToV5, which always follows.
}

// Schema 5: users and items are stored as chunks of ids (store/id_chunks.h) and `users` / `items` become
// views that decode them in plain SQL; rows of an older file are moved into chunks, each dataset's ids in
// index order. Their indices must be dense (0..n-1, as every reader requires): a file whose are not is
// refused with the row, since packing them would silently renumber the dataset's interactions. The
// interactions view is re-created too (its SQL is now a third as long, which every connection parses when it
// loads the schema).
void migrateToV5(SQLite::Database& db) {
    idchunks::createTable(db);
    auto isTable = [&db](const char* name) {
        SQLite::Statement q(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
        q.bind(1, name);
        q.executeStep();
        return q.getColumn(0).getInt() > 0;
    };
    for (const idchunks::Kind kind : {idchunks::Kind::User, idchunks::Kind::Item}) {
        const bool items = kind == idchunks::Kind::Item;
        const char* table = items ? "items" : "users";
        if (!isTable(table))
            continue;
        SQLite::Statement q(
            db, fmt::format("SELECT dataset_id, idx, external_id{} FROM {} ORDER BY dataset_id, idx",
                            items ? ", title" : "", table));
        std::vector<std::string> ids, titles;
        int64_t dataset = 0;
        auto flush = [&] {
            if (ids.empty())
                return;
            idchunks::write(
                db.getHandle(), "id_chunks", dataset, kind, static_cast<int64_t>(ids.size()),
                [&](int64_t i) { return std::string_view(ids[static_cast<size_t>(i)]); },
                [&](int64_t i) { return std::string_view(titles[static_cast<size_t>(i)]); },
                "the workspace's id chunks");
            ids.clear();
            titles.clear();
        };
        while (q.executeStep()) {
            const int64_t d = q.getColumn(0).getInt64();
            if (d != dataset) {
                flush();
                dataset = d;
            }
            if (q.getColumn(1).getType() != SQLITE_INTEGER ||
                q.getColumn(1).getInt64() != static_cast<int64_t>(ids.size())) {
                throw Error(
                    fmt::format("cannot upgrade the workspace to schema 5: table {}, dataset {}, row idx {}: "
                                "expected index {} "
                                "(indices are 0..n-1, each once); the file is damaged",
                                table, d, q.getColumn(1).getString(), ids.size()));
            }
            ids.push_back(q.getColumn(2).getString());
            if (items)
                titles.push_back(q.getColumn(3).isNull() ? std::string() : q.getColumn(3).getString());
        }
        flush();
        db.exec(fmt::format("DROP TABLE {}", table));
    }
    idchunks::createViews(db);
    chunks::createView(db);
}

}  // namespace

void migrate(SQLite::Database& db, int fromVersion) {
    // IMMEDIATE: the migration reads before it writes, and a read transaction that finds the write lock
    // taken when it starts writing fails at once (SQLite cannot wait there); taking the lock first waits.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Another process may have migrated (or created) the file while this one waited for the lock.
    fromVersion = std::max(fromVersion, db.execAndGet("PRAGMA user_version").getInt());
    if (fromVersion >= kVersion) {
        tx.commit();
        return;
    }
    if (fromVersion < 1) {
        db.exec(kSchemaV1);
        db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    }
    if (fromVersion < 2)
        db.exec(kSchemaV2);
    if (fromVersion < 3)
        migrateToV3(db);
    if (fromVersion < 4)
        migrateToV4(db);
    if (fromVersion < 5)
        migrateToV5(db);
    db.exec("PRAGMA user_version = " + std::to_string(kVersion));
    tx.commit();
}

}  // namespace tiltbench::schema
