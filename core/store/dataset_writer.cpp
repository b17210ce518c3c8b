#include "store/dataset_writer.h"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include "common/big_buffer.h"
#include "common/error.h"
#include "io/text_encoding.h"
#include "store/id_chunks.h"
#include "store/id_map.h"
#include "store/interaction_chunks.h"
#include "store/workspace_impl.h"

namespace tiltbench {

namespace {

struct Row {
    int32_t user;
    int32_t item;
    double reward;
    int64_t ts;
};
using RowBatch = std::vector<Row, BigBufferAllocator<Row>>;

// A batch of rows fills one 2 MiB huge page of BigBufferAllocator (87,360 rows, 2,096,640 bytes).
constexpr size_t kBatchRows = chunks::kChunkRows * 546;
static_assert(kBatchRows * sizeof(Row) <= bigbuffer::kHugePage);
constexpr size_t kMaxQueuedBatches = 4;
// Imports of at most this many rows keep them in memory (24 bytes a row) and write them straight into the
// workspace in commit()'s one transaction, which then holds the write lock for a fraction of a second; bigger
// ones go through a staging file (StagingDb), so that their transaction only copies.
// TILTBENCH_IMPORT_DIRECT_ROWS (0 to 10^9) overrides it, so that tests reach the staging path with small
// files.
constexpr int64_t kDirectRows = 1'000'000;

int64_t directRowLimit() {
    if (const char* env = std::getenv("TILTBENCH_IMPORT_DIRECT_ROWS")) {
        char* end = nullptr;
        const long long rows = std::strtoll(env, &end, 10);
        if (end != env && *end == '\0' && rows >= 0 && rows <= 1'000'000'000)
            return rows;
    }
    return kDirectRows;
}

}  // namespace

// The staging database of an import of more than kDirectRows rows: a scratch SQLite file next to the
// workspace (same disk, same permissions), `<workspace>.import-<pid>-XXXXXX`, that receives the interaction
// chunks while the file is parsed, then the ids. Nothing in it needs to survive a crash, so it is written
// without a journal or syncs, in 64 KiB pages (one write call per 16 chunks instead of one per chunk). The
// workspace's write lock is taken only at the end, for one short transaction that copies the staging tables
// in (INSERT … SELECT through ATTACH): a long import no longer holds the lock that other commands — a
// training run's epoch records, a closed-form run — need to write.
class StagingDb {
  public:
    explicit StagingDb(const std::string& workspacePath) {
        std::string pattern = fmt::format("{}.import-{}-XXXXXX", workspacePath, ::getpid());
        const int fd = ::mkstemp(pattern.data());
        if (fd < 0) {
            throw Error(fmt::format("cannot create the import's staging file next to '{}': {}", workspacePath,
                                    std::strerror(errno)));
        }
        ::close(fd);
        m_path = pattern;
        if (sqlite3_open_v2(m_path.c_str(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            const std::string why = m_db ? sqlite3_errmsg(m_db) : "out of memory";
            close();
            throw Error(fmt::format("cannot open the import's staging file '{}': {}", m_path, why));
        }
        exec(
            "PRAGMA page_size = 65536; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -16384; "
            "CREATE TABLE interaction_chunks(dataset_id INTEGER NOT NULL, chunk INTEGER PRIMARY KEY, "
            "first_pos INTEGER NOT NULL, n INTEGER NOT NULL, user_idx BLOB NOT NULL, item_idx BLOB NOT NULL, "
            "reward BLOB NOT NULL, ts BLOB NOT NULL); "
            "BEGIN");
        exec(idchunks::tableSql("id_chunks", false).c_str());
    }
    ~StagingDb() { close(); }
    StagingDb(const StagingDb&) = delete;
    StagingDb& operator=(const StagingDb&) = delete;

    sqlite3* handle() const { return m_db; }
    const std::string& path() const { return m_path; }
    void exec(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string why = err ? err : sqlite3_errmsg(m_db);
            sqlite3_free(err);
            throw Error(fmt::format("writing the import's staging file '{}' failed: {}", m_path, why));
        }
    }
    // Commits and closes the connection (the file stays, for ATTACH).
    void finish() {
        exec("COMMIT");
        sqlite3_close(m_db);
        m_db = nullptr;
    }
    // Closes the connection and deletes the file.
    void close() noexcept {
        if (m_db)
            sqlite3_close(m_db);
        m_db = nullptr;
        if (!m_path.empty())
            ::unlink(m_path.c_str());
        m_path.clear();
    }

    // Staging files of imports whose process is gone (killed mid-import) are deleted by the next import.
    static void removeOrphans(const std::string& workspacePath) {
        const size_t slash = workspacePath.rfind('/');
        const std::string dir = slash == std::string::npos ? "." : workspacePath.substr(0, slash + 1);
        const std::string prefix =
            (slash == std::string::npos ? workspacePath : workspacePath.substr(slash + 1)) + ".import-";
        DIR* d = ::opendir(dir.c_str());
        if (!d)
            return;
        while (const dirent* e = ::readdir(d)) {
            const std::string name = e->d_name;
            if (name.compare(0, prefix.size(), prefix) != 0)
                continue;
            char* end = nullptr;
            const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
            if (pid <= 0 || *end != '-' || std::strlen(end) != 7)
                continue;
            if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
                ::unlink((slash == std::string::npos ? name : dir + name).c_str());
        }
        ::closedir(d);
    }

  private:
    std::string m_path;
    sqlite3* m_db = nullptr;
};

struct DatasetWriter::Impl {
    Workspace::Impl& ws;
    int64_t datasetId = 0;
    std::string name;
    std::string format, source;
    bool committed = false;
    bool inTransaction = false;          // the workspace's transaction (commit's, a few seconds at most)
    bool attached = false;               // the staging file is attached to the workspace's connection
    std::unique_ptr<StagingDb> staging;  // created when the rows pass kDirectRows
    std::vector<RowBatch> held;          // the batches of an import that has no staging file (yet)
    int64_t directRows = kDirectRows;    // more rows than this: a staging file
    std::string createdAt;

    IdMap users, items;
    std::vector<std::string> titles;
    std::vector<RandomTestEntry> randomTest;
    std::optional<GroundTruthRecord> truth;
    std::string meta = "{}";
    bool hasTime = false;

    int64_t rows = 0;
    double rewardMin = std::numeric_limits<double>::infinity();
    double rewardMax = -std::numeric_limits<double>::infinity();
    // Sum of reward * kSumScale: scaling by a power of two is exact, and it keeps the sum finite for any
    // finite rewards (2^31 rows of ±1.8e308 fit), where a plain sum of two rewards of 1e308 is already
    // infinite.
    static constexpr double kSumScale = 0x1p-32;
    double rewardSum = 0.0;

    // Rows are written by a background thread so that parsing (the caller) and SQLite overlap.
    RowBatch current;
    std::deque<RowBatch> queue;
    std::mutex mutex;
    std::condition_variable cv;
    bool stop = false;
    std::exception_ptr writerError;
    std::thread writer;

    explicit Impl(Workspace::Impl& w) : ws(w) { current.reserve(kBatchRows); }

    // Rows go to SQLite as columnar chunks of chunks::kChunkRows (store/interaction_chunks.h): one INSERT
    // per chunk instead of one per interaction is what lets an import outrun the sqlite3 shell's `.import`.
    void writerLoop() {
        try {
            chunks::ChunkInserter out(staging->handle(), 0);  // the dataset id is set when moved in
            for (;;) {
                RowBatch batch;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    cv.wait(lock, [&] { return stop || !queue.empty(); });
                    if (queue.empty())
                        break;  // stop requested and nothing left
                    batch = std::move(queue.front());
                    queue.pop_front();
                }
                cv.notify_all();
                for (const Row& r : batch)
                    out.add(r.user, r.item, r.reward, r.ts);
            }
            out.finish();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            writerError = std::current_exception();
            queue.clear();
        }
        cv.notify_all();
    }

    void rethrowWriterError() {
        std::lock_guard<std::mutex> lock(mutex);
        if (writerError)
            std::rethrow_exception(writerError);
    }

    void flushBatch() {
        if (current.empty())
            return;
        if (!staging && rows <= directRows) {
            held.push_back(std::move(current));
            current = {};
            current.reserve(kBatchRows);
            return;
        }
        if (!staging) {
            staging = std::make_unique<StagingDb>(ws.path);
            std::lock_guard<std::mutex> lock(mutex);
            for (auto& batch : held)
                queue.push_back(std::move(batch));
            held.clear();
        }
        if (!writer.joinable())
            writer = std::thread([this] { writerLoop(); });
        {
            std::unique_lock<std::mutex> lock(mutex);
            cv.wait(lock, [&] { return queue.size() < kMaxQueuedBatches || writerError; });
            if (writerError)
                std::rethrow_exception(writerError);
            queue.push_back(std::move(current));
        }
        cv.notify_all();
        current = {};
        current.reserve(kBatchRows);
    }

    void joinWriter() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stop = true;
        }
        cv.notify_all();
        if (writer.joinable())
            writer.join();
    }

    void rollback() noexcept {
        {
            std::lock_guard<std::mutex> lock(mutex);
            queue.clear();
        }
        joinWriter();
        if (inTransaction) {
            try {
                ws.db.exec("ROLLBACK");
            } catch (...) {
            }
            inTransaction = false;
        }
        detach();
        if (staging)
            staging->close();
        ws.writerActive = false;
    }

    // Where writeIds puts the ids: the staging file's id_chunks (dataset id 0) or the workspace's.
    struct IdTarget {
        sqlite3* db;
        std::string table;
        int64_t datasetId;
        std::string file;  // for messages
    };

    // The ids and item titles as chunks of ids (store/id_chunks.h): one INSERT per thousand ids, where one
    // B-tree row per id made writing them a quarter of an import with many distinct ids.
    void writeIds(const IdTarget& to) {
        idchunks::write(
            to.db, to.table, to.datasetId, idchunks::Kind::User, users.size(),
            [&](int64_t i) { return users.at(i); }, {}, to.file);
        idchunks::write(
            to.db, to.table, to.datasetId, idchunks::Kind::Item, items.size(),
            [&](int64_t i) { return items.at(i); },
            [&](int64_t i) {
                return static_cast<size_t>(i) < titles.size()
                           ? std::string_view(titles[static_cast<size_t>(i)])
                           : std::string_view();
            },
            to.file);
    }

    void detach() noexcept {
        if (!attached)
            return;
        try {
            ws.db.exec("DETACH DATABASE tiltbench_staging");
        } catch (...) {
        }
        attached = false;
    }
};

DatasetWriter::DatasetWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

DatasetWriter::~DatasetWriter() {
    if (m_impl && !m_impl->committed)
        m_impl->rollback();
}

int32_t DatasetWriter::userIndex(std::string_view externalId) {
    return m_impl->users.getOrAdd(externalId);
}

int32_t DatasetWriter::itemIndex(std::string_view externalId) {
    return m_impl->items.getOrAdd(externalId);
}

int32_t DatasetWriter::numUsers() const {
    return m_impl->users.size();
}
int32_t DatasetWriter::numItems() const {
    return m_impl->items.size();
}
int32_t DatasetWriter::findItem(std::string_view externalId) const {
    return m_impl->items.find(externalId);
}

void DatasetWriter::setItemTitle(int32_t item, std::string title) {
    if (item < 0 || item >= numItems())
        throw Error(fmt::format("setItemTitle: no item with index {}", item));
    auto& titles = m_impl->titles;  // grown on the first title: most logs have none
    if (static_cast<size_t>(item) >= titles.size())
        titles.resize(static_cast<size_t>(numItems()));
    titles[static_cast<size_t>(item)] = std::move(title);
}

void DatasetWriter::add(int32_t user, int32_t item, double reward, int64_t ts) {
    auto& d = *m_impl;
    if (user < 0 || user >= d.users.size() || item < 0 || item >= d.items.size()) {
        throw Error(
            fmt::format("dataset '{}': interaction with unknown user {} or item {}", d.name, user, item));
    }
    if (!std::isfinite(reward))
        throw Error(fmt::format("dataset '{}': non-finite reward {}", d.name, reward));
    d.current.push_back({user, item, reward, ts});
    ++d.rows;
    d.rewardSum += reward * Impl::kSumScale;
    d.rewardMin = std::min(d.rewardMin, reward);
    d.rewardMax = std::max(d.rewardMax, reward);
    if (d.current.size() >= kBatchRows)
        d.flushBatch();
}

void DatasetWriter::addRandomTest(int32_t user, int32_t item, double reward) {
    auto& d = *m_impl;
    if (user < 0 || user >= d.users.size() || item < 0 || item >= d.items.size()) {
        throw Error(
            fmt::format("dataset '{}': test rating with unknown user {} or item {}", d.name, user, item));
    }
    if (!std::isfinite(reward))
        throw Error(fmt::format("dataset '{}': non-finite test reward {}", d.name, reward));
    d.randomTest.push_back({user, item, reward});
}

int64_t DatasetWriter::rows() const {
    return m_impl->rows;
}
void DatasetWriter::setHasTime(bool hasTime) {
    m_impl->hasTime = hasTime;
}
void DatasetWriter::setMeta(const std::string& json) {
    m_impl->meta = json;
}
void DatasetWriter::setGroundTruth(const GroundTruthRecord& truth) {
    m_impl->truth = truth;
}

DatasetInfo DatasetWriter::commit(const ProgressCallback& progress) {
    auto& d = *m_impl;
    if (d.committed)
        throw Error("dataset already committed");
    if (d.rows == 0)
        throw Error(fmt::format("dataset '{}' has no interactions; nothing was imported", d.name));
    d.flushBatch();
    auto& db = d.ws.db;
    if (d.staging) {
        d.joinWriter();
        d.rethrowWriterError();
        reportProgress(progress, {"writing users and items", 0, 0, ""});
        d.writeIds({d.staging->handle(), "id_chunks", 0,
                    fmt::format("the import's staging file '{}'", d.staging->path())});
        d.staging->finish();
        SQLite::Statement q(db, "ATTACH DATABASE ? AS tiltbench_staging");
        q.bind(1, d.staging->path());
        q.exec();
        d.attached = true;
        // Read the staging pages through a memory map (no read() per page) while they are copied in.
        db.exec("PRAGMA tiltbench_staging.mmap_size = 1073741824");
    }
    reportProgress(progress, {"moving the dataset into the workspace", 0, 0, ""});
    // The only time an import holds the workspace's write lock: one transaction that copies the staging file
    // in (INSERT … SELECT), or writes the at most kDirectRows rows held in memory. Another writer in the
    // meantime (a training run's records) makes it wait, never fail (store/workspace.h).
    db.exec("BEGIN IMMEDIATE");
    d.inTransaction = true;
    try {
        SQLite::Statement q(
            db,
            "INSERT INTO datasets(name, format, source, created_at, rows, users, items, has_time, "
            "reward_min, reward_max, reward_mean, random_test_rows, meta) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, d.name);
        q.bind(2, d.format);
        q.bind(3, d.source);
        q.bind(4, d.createdAt);
        q.bind(5, d.rows);
        q.bind(6, d.users.size());
        q.bind(7, d.items.size());
        q.bind(8, d.hasTime ? 1 : 0);
        q.bind(9, d.rewardMin);
        q.bind(10, d.rewardMax);
        // Clamped: rounding of the sum must not put the mean outside [min, max] (or past the largest double).
        q.bind(11, std::clamp(d.rewardSum / static_cast<double>(d.rows) / Impl::kSumScale, d.rewardMin,
                              d.rewardMax));
        q.bind(12, static_cast<int64_t>(d.randomTest.size()));
        q.bind(13, d.meta);
        q.exec();
    } catch (const SQLite::Exception& e) {
        if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE) {
            throw Error(
                fmt::format("workspace '{}' already has a dataset named '{}' (another import created "
                            "it meanwhile; choose another --name)",
                            d.ws.path, d.name));
        }
        throw;
    }
    d.datasetId = db.getLastInsertRowid();
    const std::string id = std::to_string(d.datasetId);  // an integer we generated: a literal, not user text
    if (d.staging) {
        db.exec(
            "INSERT INTO main.id_chunks(dataset_id, kind, chunk, first_idx, n, ends, text) SELECT " + id +
            ", kind, chunk, first_idx, n, ends, text FROM tiltbench_staging.id_chunks ORDER BY kind, chunk");
        db.exec(
            "INSERT INTO main.interaction_chunks(dataset_id, chunk, first_pos, n, user_idx, item_idx, "
            "reward, "
            "ts) SELECT " +
            id +
            ", chunk, first_pos, n, user_idx, item_idx, reward, ts FROM tiltbench_staging.interaction_chunks "
            "ORDER BY chunk");
    } else {
        {
            chunks::ChunkInserter out(db.getHandle(), d.datasetId);
            for (const auto& batch : d.held)
                for (const Row& r : batch)
                    out.add(r.user, r.item, r.reward, r.ts);
            out.finish();
        }
        d.held.clear();
        d.writeIds({db.getHandle(), "main.id_chunks", d.datasetId, fmt::format("workspace '{}'", d.ws.path)});
    }
    {
        SQLite::Statement q(db,
                            "INSERT INTO random_test(dataset_id, pos, user_idx, item_idx, reward) "
                            "VALUES(?, ?, ?, ?, ?)");
        int64_t pos = 0;
        for (const auto& r : d.randomTest) {
            q.bind(1, d.datasetId);
            q.bind(2, pos++);
            q.bind(3, r.user);
            q.bind(4, r.item);
            q.bind(5, r.reward);
            q.exec();
            q.reset();
        }
    }
    if (d.truth) {
        SQLite::Statement q(db,
                            "INSERT INTO ground_truth(dataset_id, kind, config, blob) VALUES(?, ?, ?, ?)");
        q.bind(1, d.datasetId);
        q.bind(2, d.truth->kind);
        q.bind(3, d.truth->config);
        q.bind(4, d.truth->blob.data(), static_cast<int>(d.truth->blob.size()));
        q.exec();
    }
    // Last chance to cancel: after COMMIT the dataset exists.
    reportProgress(progress, {"committing", 0, 0, ""});
    db.exec("COMMIT");
    d.inTransaction = false;
    d.committed = true;
    d.detach();
    if (d.staging)
        d.staging->close();
    d.ws.writerActive = false;
    return readDatasetInfo(d.ws, d.datasetId);
}

std::unique_ptr<DatasetWriter> Workspace::createDataset(const NewDatasetSpec& spec) {
    if (spec.name.empty())
        throw Error("a dataset needs a name (--name)");
    checkName(spec.name, "dataset name");
    if (m_impl->writerActive)
        throw Error("another import is already writing to this workspace");
    if (findDataset(spec.name)) {
        throw Error(fmt::format(
            "workspace '{}' already has a dataset named '{}' (choose another --name or delete it)",
            m_impl->path, spec.name));
    }
    auto impl = std::make_unique<DatasetWriter::Impl>(*m_impl);
    impl->name = spec.name;
    impl->format = spec.format;
    impl->source = spec.source;
    impl->createdAt = utcNowIso();
    // The rows are held in memory, or go to a staging file once they are many; the workspace is written (and
    // locked) only by commit().
    StagingDb::removeOrphans(m_impl->path);
    impl->directRows = directRowLimit();
    m_impl->writerActive = true;
    auto writer = std::make_unique<DatasetWriter>(std::move(impl));
    return writer;
}

}  // namespace tiltbench
