#include "store/run_store.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>

#include "common/error.h"
#include "common/limits.h"
#include "store/id_chunks.h"
#include "store/workspace_impl.h"

namespace tiltbench {
namespace {

template <typename T>
std::vector<uint8_t> toBytes(const std::vector<T>& v) {
    std::vector<uint8_t> out(v.size() * sizeof(T));
    if (!v.empty())
        std::memcpy(out.data(), v.data(), out.size());  // x86-64 and aarch64 are little-endian
    return out;
}

// An array column of run_user_metrics; its size is the blob's, so a crafted length cannot over-allocate.
template <typename T>
std::vector<T> fromBlob(const SQLite::Column& c, const char* what, int64_t runId, const std::string& name) {
    const auto bytes = static_cast<size_t>(c.getBytes());
    if (!c.isBlob() || bytes % sizeof(T) != 0) {
        throw Error(
            fmt::format("table run_user_metrics, run {}, metric '{}': column {} is not an array of "
                        "{}-byte values",
                        runId, name, what, sizeof(T)));
    }
    std::vector<T> v(bytes / sizeof(T));
    if (bytes)
        std::memcpy(v.data(), c.getBlob(), bytes);
    return v;
}

// Whether process `pid` of this machine is gone. Only ESRCH counts: EPERM means it exists under another
// user, which is still alive.
bool processIsGone(int64_t pid) {
    if (pid <= 0 || pid > INT_MAX)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

RunRecord readRun(SQLite::Statement& q) {
    RunRecord r;
    r.id = q.getColumn(0).getInt64();
    r.datasetId = q.getColumn(1).getInt64();
    r.model = q.getColumn(2).getString();
    r.config = q.getColumn(3).getString();
    r.status = q.getColumn(4).getString();
    r.device = q.getColumn(5).getString();
    r.createdAt = q.getColumn(6).getString();
    r.startedAt = q.getColumn(7).getString();
    r.finishedAt = q.getColumn(8).getString();
    r.error = q.getColumn(9).getString();
    r.timings = q.getColumn(10).getString();
    r.writerPid = q.getColumn(11).getInt64();
    r.writerHost = q.getColumn(12).getString();
    if (r.status == "running" && r.writerPid > 0 && r.writerHost == writerHostId() &&
        processIsGone(r.writerPid))
        r.status = "interrupted";
    return r;
}

constexpr const char* kRunColumns =
    "SELECT id, dataset_id, model, config, status, device, created_at, started_at, finished_at, error, "
    "timings, writer_pid, writer_host "
    "FROM runs ";

}  // namespace

std::string writerHostId() {
    static const std::string id = [] {
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) != 0)
            host[0] = '\0';
        std::string boot;
        std::ifstream in("/proc/sys/kernel/random/boot_id");
        std::getline(in, boot);
        return std::string(host) + "/" + boot;
    }();
    return id;
}

int64_t RunStore::createRun(int64_t datasetId, const std::string& model, const std::string& configJson,
                            const std::string& device) {
    auto& db = m_ws.impl().db;
    m_ws.dataset(datasetId);  // clear error if absent
    const std::string now = utcNowIso();
    SQLite::Statement q(db,
                        "INSERT INTO runs(dataset_id, model, config, status, device, created_at, started_at, "
                        "writer_pid, writer_host) VALUES(?, ?, ?, 'running', ?, ?, ?, ?, ?)");
    q.bind(1, datasetId);
    q.bind(2, model);
    q.bind(3, configJson);
    q.bind(4, device);
    q.bind(5, now);
    q.bind(6, now);
    q.bind(7, static_cast<int64_t>(::getpid()));
    q.bind(8, writerHostId());
    q.exec();
    return db.getLastInsertRowid();
}

void RunStore::finishRun(int64_t runId, const std::string& status, const std::string& error,
                         const std::string& timingsJson) {
    auto& db = m_ws.impl().db;
    SQLite::Statement q(db,
                        "UPDATE runs SET status = ?, error = ?, timings = ?, finished_at = ? WHERE id = ?");
    q.bind(1, status);
    if (error.empty()) {
        q.bind(2);
    } else {
        q.bind(2, error);
    }
    q.bind(3, timingsJson);
    q.bind(4, utcNowIso());
    q.bind(5, runId);
    if (q.exec() != 1)
        throw Error(fmt::format("workspace '{}' has no run {}", m_ws.path(), runId));
}

void RunStore::resumeRun(int64_t runId) {
    SQLite::Statement q(
        m_ws.impl().db,
        "UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, writer_pid = ?, "
        "writer_host = ? WHERE id = ?");
    q.bind(1, static_cast<int64_t>(::getpid()));
    q.bind(2, writerHostId());
    q.bind(3, runId);
    if (q.exec() != 1)
        throw Error(fmt::format("workspace '{}' has no run {}", m_ws.path(), runId));
}

namespace {

// addMetrics' checks and rows, inside the caller's transaction.
void checkMetrics(int64_t runId, const std::vector<MetricRow>& rows,
                  const std::vector<PerUserMetric>& perUser) {
    for (const auto& m : rows) {
        if (!std::isfinite(m.value) || std::isinf(m.lo) || std::isinf(m.hi)) {
            throw Error(fmt::format("run {}: metric '{}' ({}, epoch {}) is not finite; nothing was written",
                                    runId, m.name, m.split, m.epoch));
        }
    }
    for (const auto& p : perUser) {
        if (p.users.size() != p.values.size()) {
            throw Error(fmt::format("run {}: per-user metric '{}' has {} users but {} values", runId, p.name,
                                    p.users.size(), p.values.size()));
        }
        for (double v : p.values) {
            if (!std::isfinite(v)) {
                throw Error(fmt::format(
                    "run {}: per-user metric '{}' ({}) has a non-finite value; nothing was written", runId,
                    p.name, p.split));
            }
        }
    }
}

void insertMetrics(SQLite::Database& db, int64_t runId, const std::vector<MetricRow>& rows,
                   const std::vector<PerUserMetric>& perUser) {
    SQLite::Statement q(db,
                        "INSERT OR REPLACE INTO run_metrics(run_id, epoch, split, name, value, lo, hi) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?)");
    for (const auto& m : rows) {
        q.bind(1, runId);
        q.bind(2, m.epoch);
        q.bind(3, m.split);
        q.bind(4, m.name);
        q.bind(5, m.value);
        if (std::isnan(m.lo)) {
            q.bind(6);
        } else {
            q.bind(6, m.lo);
        }
        if (std::isnan(m.hi)) {
            q.bind(7);
        } else {
            q.bind(7, m.hi);
        }
        q.exec();
        q.reset();
    }
    SQLite::Statement u(db,
                        "INSERT OR REPLACE INTO run_user_metrics(run_id, split, name, users, \"values\") "
                        "VALUES(?, ?, ?, ?, ?)");
    for (const auto& p : perUser) {
        const auto users = toBytes(p.users), values = toBytes(p.values);
        if (users.size() > static_cast<size_t>(INT_MAX) || values.size() > static_cast<size_t>(INT_MAX))
            throw Error(fmt::format("run {}: per-user metric '{}' is too large to store", runId, p.name));
        u.bind(1, runId);
        u.bind(2, p.split);
        u.bind(3, p.name);
        u.bind(4, users.data(), static_cast<int>(users.size()));
        u.bind(5, values.data(), static_cast<int>(values.size()));
        u.exec();
        u.reset();
    }
}

}  // namespace

void RunStore::addMetrics(int64_t runId, const std::vector<MetricRow>& rows,
                          const std::vector<PerUserMetric>& perUser) {
    checkMetrics(runId, rows, perUser);
    auto& db = m_ws.impl().db;
    SQLite::Transaction tx(db);
    insertMetrics(db, runId, rows, perUser);
    tx.commit();
}

std::vector<CheckpointRow> RunStore::checkpointRows(int64_t runId) const {
    SQLite::Statement q(m_ws.impl().db,
                        "SELECT epoch, created_at, blob FROM checkpoints WHERE run_id = ? ORDER BY epoch");
    q.bind(1, runId);
    std::vector<CheckpointRow> out;
    while (q.executeStep()) {
        CheckpointRow c;
        c.epoch = q.getColumn(0).getInt();
        c.createdAt = q.getColumn(1).getString();
        const SQLite::Column b = q.getColumn(2);
        const auto* data = static_cast<const char*>(b.getBlob());
        if (data != nullptr)
            c.blob.assign(data, static_cast<size_t>(b.getBytes()));
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<int64_t> RunStore::addFinishedRuns(
    int64_t datasetId, const std::function<std::optional<CarriedRun>(const std::vector<int64_t>&)>& next,
    bool commit) {
    auto& db = m_ws.impl().db;
    m_ws.dataset(datasetId);  // clear error if absent
    std::vector<int64_t> ids;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement run(
        db,
        "INSERT INTO runs(dataset_id, model, config, status, device, created_at, started_at, "
        "finished_at, error, timings) VALUES(?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)");
    SQLite::Statement checkpoint(
        db, "INSERT INTO checkpoints(run_id, epoch, created_at, blob) VALUES(?, ?, ?, ?)");
    while (std::optional<CarriedRun> r = next(ids)) {
        const RunRecord& rec = r->record;
        run.bind(1, datasetId);
        run.bind(2, rec.model);
        run.bind(3, rec.config);
        run.bind(4, rec.status);
        run.bind(5, rec.device);
        run.bind(6, rec.createdAt);
        run.bind(7, rec.startedAt);
        run.bind(8, rec.finishedAt);
        run.bind(9, rec.timings);
        run.exec();
        run.reset();
        const int64_t id = db.getLastInsertRowid();
        checkMetrics(id, r->metrics, r->perUser);
        insertMetrics(db, id, r->metrics, r->perUser);
        for (const CheckpointRow& c : r->checkpoints) {
            if (c.blob.size() > static_cast<size_t>(INT_MAX))
                throw Error(
                    fmt::format("run {}: a checkpoint of {} bytes is too large to store", id, c.blob.size()));
            checkpoint.bind(1, id);
            checkpoint.bind(2, c.epoch);
            checkpoint.bind(3, c.createdAt);
            checkpoint.bind(4, c.blob.data(), static_cast<int>(c.blob.size()));
            checkpoint.exec();
            checkpoint.reset();
        }
        ids.push_back(id);
    }
    if (commit)
        tx.commit();
    return ids;  // a dry run: the transaction rolls back here
}

std::vector<RunRecord> RunStore::runs(std::optional<int64_t> datasetId) const {
    auto& db = m_ws.impl().db;
    SQLite::Statement q(
        db, std::string(kRunColumns) + (datasetId ? "WHERE dataset_id = ? " : "") + "ORDER BY id");
    if (datasetId)
        q.bind(1, *datasetId);
    std::vector<RunRecord> out;
    while (q.executeStep())
        out.push_back(readRun(q));
    return out;
}

RunRecord RunStore::run(int64_t runId) const {
    auto& db = m_ws.impl().db;
    SQLite::Statement q(db, std::string(kRunColumns) + "WHERE id = ?");
    q.bind(1, runId);
    if (!q.executeStep())
        throw Error(fmt::format("workspace '{}' has no run {}", m_ws.path(), runId));
    return readRun(q);
}

std::vector<MetricRow> RunStore::metrics(int64_t runId) const {
    auto& db = m_ws.impl().db;
    SQLite::Statement q(db,
                        "SELECT epoch, split, name, value, lo, hi FROM run_metrics WHERE run_id = ? "
                        "ORDER BY epoch, split, name");
    q.bind(1, runId);
    std::vector<MetricRow> out;
    while (q.executeStep()) {
        MetricRow m;
        m.epoch = q.getColumn(0).getInt();
        m.split = q.getColumn(1).getString();
        m.name = q.getColumn(2).getString();
        m.value = q.getColumn(3).getDouble();
        m.lo = q.getColumn(4).isNull() ? std::nan("") : q.getColumn(4).getDouble();
        m.hi = q.getColumn(5).isNull() ? std::nan("") : q.getColumn(5).getDouble();
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<PerUserMetric> RunStore::perUserMetrics(int64_t runId) const {
    auto& db = m_ws.impl().db;
    SQLite::Statement q(db,
                        "SELECT split, name, users, \"values\" FROM run_user_metrics WHERE run_id = ? "
                        "ORDER BY split, name");
    q.bind(1, runId);
    std::vector<PerUserMetric> out;
    while (q.executeStep()) {
        PerUserMetric p;
        p.split = q.getColumn(0).getString();
        p.name = q.getColumn(1).getString();
        p.users = fromBlob<int32_t>(q.getColumn(2), "users", runId, p.name);
        p.values = fromBlob<double>(q.getColumn(3), "values", runId, p.name);
        auto bad = [&](const std::string& what) {
            return Error(
                fmt::format("workspace '{}' is damaged: table run_user_metrics, run {}, split '{}', "
                            "metric '{}': {}",
                            m_ws.path(), runId, p.split, p.name, what));
        };
        if (p.users.size() != p.values.size())
            throw bad(fmt::format("{} users but {} values", p.users.size(), p.values.size()));
        // As addMetrics wrote them: user indices ≥ 0, finite values.
        for (size_t j = 0; j < p.users.size(); ++j) {
            if (p.users[j] < 0 || !std::isfinite(p.values[j]))
                throw bad(fmt::format("entry {} has user {} and value {}", j, p.users[j], p.values[j]));
        }
        out.push_back(std::move(p));
    }
    return out;
}

int64_t RunStore::lastRunId() const {
    SQLite::Statement q(m_ws.impl().db, "SELECT coalesce(max(id), 0) FROM runs");
    q.executeStep();
    return q.getColumn(0).getInt64();
}

std::optional<int64_t> RunStore::newestRunOfWriter(int64_t pid, const std::string& host,
                                                   int64_t afterId) const {
    SQLite::Statement q(m_ws.impl().db,
                        "SELECT max(id) FROM runs WHERE id > ? AND writer_pid = ? AND writer_host = ?");
    q.bind(1, afterId);
    q.bind(2, pid);
    q.bind(3, host);
    if (!q.executeStep() || q.getColumn(0).isNull())
        return std::nullopt;
    return q.getColumn(0).getInt64();
}

void RunStore::recordStop(int64_t runId, const std::exception_ptr& stop) noexcept {
    if (runId == 0)
        return;
    try {
        std::rethrow_exception(stop);
    } catch (const Cancelled&) {
        try {
            finishRun(runId, "cancelled");
        } catch (...) {
        }
    } catch (const std::exception& e) {
        try {
            finishRun(runId, "failed", e.what());
        } catch (...) {
        }
    } catch (...) {
        try {
            finishRun(runId, "failed", "an unknown error");
        } catch (...) {
        }
    }
}

void RunStore::saveModelBlob(int64_t runId, const std::string& bytes) {
    if (bytes.size() > static_cast<size_t>(INT_MAX))
        throw Error(fmt::format("run {}: a model of {} bytes is too large to store", runId, bytes.size()));
    auto& db = m_ws.impl().db;
    SQLite::Transaction tx(db);
    SQLite::Statement del(db, "DELETE FROM checkpoints WHERE run_id = ?");
    del.bind(1, runId);
    del.exec();
    SQLite::Statement q(db, "INSERT INTO checkpoints(run_id, epoch, created_at, blob) VALUES(?, 0, ?, ?)");
    q.bind(1, runId);
    q.bind(2, utcNowIso());
    q.bind(3, bytes.data(), static_cast<int>(bytes.size()));
    q.exec();
    tx.commit();
}

std::string RunStore::modelBlob(int64_t runId) const {
    SQLite::Statement q(m_ws.impl().db,
                        "SELECT blob FROM checkpoints WHERE run_id = ? ORDER BY epoch LIMIT 1");
    q.bind(1, runId);
    if (!q.executeStep())
        return {};
    const SQLite::Column c = q.getColumn(0);
    const auto* data = static_cast<const char*>(c.getBlob());
    return data != nullptr ? std::string(data, static_cast<size_t>(c.getBytes())) : std::string();
}

std::vector<std::string> RunStore::userExternalIds(int64_t datasetId) const {
    // As many as the catalogue says, in index order (as loadLog checks them): a count is never used as a
    // size.
    auto& db = m_ws.impl().db;
    SQLite::Statement q(db, "SELECT users FROM datasets WHERE id = ?");
    q.bind(1, datasetId);
    if (!q.executeStep())
        return {};  // no such dataset: no users
    const int64_t users = q.getColumn(0).getInt64();
    if (q.getColumn(0).getType() != SQLITE_INTEGER || users < 0 || users > limits::kMaxIds) {
        throw Error(
            fmt::format("workspace '{}' is damaged: table datasets, row id {}, column users is {}, "
                        "expected 0..{}",
                        m_ws.path(), datasetId, q.getColumn(0).getString(), limits::kMaxIds));
    }
    std::vector<std::string> out;
    idchunks::read(
        db, datasetId, idchunks::Kind::User, users,
        [&](const std::string& what) {
            return Error(
                fmt::format("workspace '{}' is damaged: dataset {}: {}", m_ws.path(), datasetId, what));
        },
        out);
    return out;
}

}  // namespace tiltbench
