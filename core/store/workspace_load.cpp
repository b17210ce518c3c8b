// Workspace::loadLog and loadGroundTruth: reading a dataset back, every value checked as it is read (a
// workspace may come from anyone; docs/RELIABILITY.md, "crafted workspaces").
#include "store/workspace.h"

#include <sqlite3.h>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <numeric>
#include <thread>

#include "common/error.h"
#include "common/limits.h"
#include "common/output_guard.h"
#include "store/dataset_writer.h"
#include "store/id_chunks.h"
#include "store/interaction_chunks.h"
#include "store/run_store.h"
#include "store/schema.h"
#include "store/workspace_impl.h"

namespace tiltbench {

InteractionLog Workspace::loadLog(int64_t datasetId, const ProgressCallback& progress) const {
    const DatasetInfo info = dataset(datasetId);  // counts within their ranges (readInfo)
    auto& db = m_impl->db;
    InteractionLog log;
    log.datasetId = info.id;
    log.name = info.name;
    log.hasTime = info.hasTime;
    // Everything below is checked as it is read, so the log that comes out holds InteractionLog's invariants
    // (every index in range, finite rewards) whatever the file holds; nothing is allocated from a count
    // before the rows it counts are known to be there.
    auto damaged = [&](const std::string& what) {
        return Error(
            fmt::format("dataset '{}' is damaged in the workspace '{}': {}", info.name, m_impl->path, what));
    };
    // One read transaction so the catalogue, ids and rows are one consistent snapshot.
    db.exec("BEGIN");
    try {
        // Users and items: chunks of ids covering indices 0..n-1 in order, exactly as many as the catalogue
        // says (idchunks::read checks every chunk).
        auto damagedError = [&](const std::string& what) { return damaged(what); };
        idchunks::read(db, datasetId, idchunks::Kind::User, info.users, damagedError, log.userIds);
        idchunks::read(db, datasetId, idchunks::Kind::Item, info.items, damagedError, log.itemIds,
                       &log.itemTitles);
        // The rows: each chunk holds 1..kChunkRows of them, so the chunks present bound what the catalogue
        // may claim before the arrays are allocated (chunks::readAll then checks every chunk).
        {
            SQLite::Statement q(db, "SELECT count(*) FROM interaction_chunks WHERE dataset_id = ?");
            q.bind(1, datasetId);
            q.executeStep();
            const int64_t chunkCount = q.getColumn(0).getInt64();
            if (info.rows < chunkCount || info.rows > chunkCount * chunks::kChunkRows) {
                // Name the first missing chunk when there is a gap (the primary-key index answers it).
                SQLite::Statement gap(
                    db,
                    "SELECT c.chunk + 1 FROM interaction_chunks c WHERE c.dataset_id = ?1 "
                    "AND NOT EXISTS(SELECT 1 FROM interaction_chunks d WHERE d.dataset_id = "
                    "?1 AND d.chunk = c.chunk + 1) AND c.chunk < (SELECT max(chunk) FROM "
                    "interaction_chunks WHERE dataset_id = ?1) ORDER BY c.chunk LIMIT 1");
                gap.bind(1, datasetId);
                const std::string missing =
                    gap.executeStep() ? fmt::format(" (chunk {} is missing)", gap.getColumn(0).getInt64())
                                      : "";
                throw damaged(
                    fmt::format("table datasets (column rows) says {} rows, but table "
                                "interaction_chunks holds {} chunks of 1..{} rows{}",
                                info.rows, chunkCount, chunks::kChunkRows, missing));
            }
        }
        // Rows come in file order; a counting sort by user keeps that order, then a stable sort by time
        // within each user gives "sorted by time, ties in file order".
        const auto n = static_cast<size_t>(info.rows);
        std::vector<int32_t> user(n), item(n);
        std::vector<double> reward(n);
        std::vector<int64_t> ts(n);
        chunks::readAll(db, datasetId, info.name, info.rows, user.data(), item.data(), reward.data(),
                        ts.data(), [&](int64_t done) {
                            if ((done & 0xFFFF) == 0)
                                reportProgress(progress, {"loading " + info.name, static_cast<uint64_t>(done),
                                                          n, "rows"});
                        });
        for (size_t k = 0; k < n; ++k) {
            if (user[k] < 0 || user[k] >= info.users || item[k] < 0 || item[k] >= info.items ||
                !std::isfinite(reward[k])) {
                throw damaged(fmt::format(
                    "table interaction_chunks, row at position {} (chunk {}): user {}, item {}, reward {} "
                    "(expected users 0..{}, items 0..{}, a finite reward)",
                    k, k / chunks::kChunkRows, user[k], item[k], reward[k], info.users - 1, info.items - 1));
            }
        }
        {
            SQLite::Statement q(
                db,
                "SELECT pos, user_idx, item_idx, reward FROM random_test WHERE dataset_id = ? "
                "ORDER BY pos");
            q.bind(1, datasetId);
            while (q.executeStep()) {
                const SQLite::Column u = q.getColumn(1), i = q.getColumn(2), r = q.getColumn(3);
                const bool numericReward = r.getType() == SQLITE_INTEGER || r.getType() == SQLITE_FLOAT;
                if (u.getType() != SQLITE_INTEGER || u.getInt64() < 0 || u.getInt64() >= info.users ||
                    i.getType() != SQLITE_INTEGER || i.getInt64() < 0 || i.getInt64() >= info.items ||
                    !numericReward || !std::isfinite(r.getDouble())) {
                    throw damaged(fmt::format(
                        "table random_test, row pos {}: user_idx {}, item_idx {}, reward {} (expected users "
                        "0..{}, items 0..{}, a finite reward)",
                        q.getColumn(0).getString(), u.getString(), i.getString(), r.getString(),
                        info.users - 1, info.items - 1));
                }
                log.randomTest.push_back(
                    {static_cast<int32_t>(u.getInt64()), static_cast<int32_t>(i.getInt64()), r.getDouble()});
            }
            if (static_cast<int64_t>(log.randomTest.size()) != info.randomTestRows) {
                throw damaged(
                    fmt::format("table random_test holds {} rows, table datasets (column "
                                "random_test_rows) says {}",
                                log.randomTest.size(), info.randomTestRows));
            }
        }
        db.exec("COMMIT");

        const auto numUsers = static_cast<size_t>(info.users);
        log.userOffsets.assign(numUsers + 1, 0);
        for (size_t k = 0; k < n; ++k)
            ++log.userOffsets[static_cast<size_t>(user[k]) + 1];
        std::partial_sum(log.userOffsets.begin(), log.userOffsets.end(), log.userOffsets.begin());
        std::vector<int64_t> order(n), cursor(log.userOffsets.begin(), log.userOffsets.end() - 1);
        for (size_t k = 0; k < n; ++k)
            order[static_cast<size_t>(cursor[static_cast<size_t>(user[k])]++)] = static_cast<int64_t>(k);
        for (size_t u = 0; u < numUsers; ++u) {
            auto b = order.begin() + log.userOffsets[u], e = order.begin() + log.userOffsets[u + 1];
            std::stable_sort(b, e, [&](int64_t a, int64_t c) {
                return ts[static_cast<size_t>(a)] < ts[static_cast<size_t>(c)];
            });
        }
        log.user.resize(n);
        log.item.resize(n);
        log.reward.resize(n);
        log.ts.resize(n);
        for (size_t k = 0; k < n; ++k) {
            const auto src = static_cast<size_t>(order[k]);
            log.user[k] = user[src];
            log.item[k] = item[src];
            log.reward[k] = reward[src];
            log.ts[k] = ts[src];
        }
    } catch (...) {
        try {
            db.exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
    reportProgress(progress, {"loading " + info.name, info.rows > 0 ? static_cast<uint64_t>(info.rows) : 0,
                              static_cast<uint64_t>(info.rows), "rows"});
    return log;
}

std::optional<GroundTruthRecord> Workspace::loadGroundTruth(int64_t datasetId) const {
    SQLite::Statement q(m_impl->db, "SELECT kind, config, blob FROM ground_truth WHERE dataset_id = ?");
    q.bind(1, datasetId);
    if (!q.executeStep())
        return std::nullopt;
    GroundTruthRecord r;
    r.kind = q.getColumn(0).getString();
    r.config = q.getColumn(1).getString();
    const auto blob = q.getColumn(2);
    const auto* p = static_cast<const uint8_t*>(blob.getBlob());
    r.blob.assign(p, p + blob.getBytes());
    return r;
}

}  // namespace tiltbench
