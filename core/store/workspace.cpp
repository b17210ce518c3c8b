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

static_assert(Workspace::kSchemaVersion == schema::kVersion);

std::string utcNowIso() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

double lockWaitReportSeconds() {
    static const double seconds = [] {
        if (const char* env = std::getenv("TILTBENCH_LOCK_REPORT_MS")) {
            char* end = nullptr;
            const long ms = std::strtol(env, &end, 10);
            if (end != env && *end == '\0' && ms >= 1 && ms <= 600000)
                return static_cast<double>(ms) / 1000.0;
        }
        return 1.0;
    }();
    return seconds;
}

namespace {

std::mutex g_defaultLockWaitMutex;
LockWaitCallback g_defaultLockWait;

double lockWaitReportInterval() {
    return std::getenv("TILTBENCH_LOCK_REPORT_MS") ? lockWaitReportSeconds() : 5.0;
}

// SQLite's busy handler: called while another connection holds a lock this one needs; `count` is 0 at the
// first call of each wait. Returning 0 makes the statement fail with SQLITE_BUSY, nonzero tries again. It is
// not called where waiting could deadlock (a read transaction that wants to write): those fail at once.
int onBusy(void* context, int count) {
    auto& ws = *static_cast<Workspace::Impl*>(context);
    const auto now = std::chrono::steady_clock::now();
    if (count == 0) {
        ws.lockWaitStart = now;
        ws.lockWaitNextReport = lockWaitReportSeconds();
        ws.lockWaitGaveUp = false;
    }
    const double waited = std::chrono::duration<double>(now - ws.lockWaitStart).count();
    if (ws.lockWaitLimitSeconds >= 0.0 && waited >= ws.lockWaitLimitSeconds) {
        ws.lockWaitGaveUp = true;
        return 0;
    }
    if (waited >= ws.lockWaitNextReport) {
        ws.lockWaitNextReport = waited + lockWaitReportInterval();
        if (ws.lockWait && !ws.lockWait(waited)) {
            ws.lockWaitGaveUp = true;
            return 0;
        }
    }
    // 1, 2, 4 … 32 ms, then 50 ms: a short wait ends quickly, a long one costs no CPU.
    std::this_thread::sleep_for(std::chrono::milliseconds(count < 6 ? (1 << count) : 50));
    return 1;
}

// Rows of one dataset (and of its random test set): far above any real log, low enough that sizes derived
// from it cannot overflow. Before allocating them, loadLog also checks that the chunks present can hold them.
constexpr int64_t kMaxRows = int64_t{1} << 40;

enum class PathKind { Missing, File, Directory, Other };

PathKind pathKind(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return PathKind::Missing;
    if (S_ISDIR(st.st_mode))
        return PathKind::Directory;
    if (S_ISREG(st.st_mode))
        return PathKind::File;
    return PathKind::Other;
}

// Checks the file is a Tiltbench workspace of a schema we can read, migrating older ones; a brand-new empty
// database gets the current schema.
// `mayCreate`: an empty database becomes a new workspace (CreateIfMissing) instead of an error; `readOnly`:
// why this connection cannot write (empty when it can), so a needed migration is an error saying so.
void prepareSchema(SQLite::Database& db, const std::string& path, bool mayCreate,
                   const std::string& readOnly) {
    int appId = 0, version = 0, tables = 0;
    try {
        appId = db.execAndGet("PRAGMA application_id").getInt();
        version = db.execAndGet("PRAGMA user_version").getInt();
        tables = db.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
    } catch (const SQLite::Exception& e) {
        throw Error(
            fmt::format("'{}' is not a Tiltbench workspace: SQLite cannot read it ({})", path, e.what()));
    }
    if (appId == 0 && version == 0 && tables == 0) {
        if (!mayCreate) {
            throw Error(
                fmt::format("'{}' is an empty database, not a Tiltbench workspace (import or generate a "
                            "dataset to create one); it was left as it is",
                            path));
        }
        // A new file: 64 KiB pages (a dataset is mostly chunk blobs of tens of KiB, which then take one
        // write-ahead-log frame each instead of 16), and WAL before the first table, so that creating the
        // schema is one WAL commit rather than a rollback-journal transaction with its four syncs. Both are
        // no-ops if another process created the file meanwhile.
        db.exec("PRAGMA page_size = " + std::to_string(schema::kPageSize));
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        schema::migrate(db, 0);
        return;
    }
    if (appId != schema::kApplicationId) {
        throw Error(fmt::format(
            "'{}' is an SQLite database but not a Tiltbench workspace (application_id {:#x}, expected {:#x})",
            path, static_cast<unsigned>(appId), static_cast<unsigned>(schema::kApplicationId)));
    }
    if (version > schema::kVersion) {
        throw Error(fmt::format(
            "'{}' was written by a newer Tiltbench (workspace schema {}; this build reads up to {})", path,
            version, schema::kVersion));
    }
    if (version < schema::kVersion) {
        if (!readOnly.empty()) {
            throw Error(fmt::format(
                "workspace '{}' has schema {} and must be upgraded to schema {} before this build can read "
                "it, "
                "which writes to it, but {}; open it once with write access (any command) to upgrade it",
                path, version, schema::kVersion, readOnly));
        }
        schema::migrate(db, version);
    }
}

std::string folderOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Why this process cannot write the workspace at `path` (it exists, or `kind` says it is missing), or ""
// when it can: the file itself, or its folder, where SQLite creates the `-wal` and `-shm` side files while
// writing (unless both are already there and writable).
std::string whyNotWritable(const std::string& path, PathKind kind) {
    const std::string folder = folderOf(path);
    if (kind != PathKind::Missing && ::access(path.c_str(), W_OK) != 0) {
        return fmt::format("the file is not writable for this user ({})", std::strerror(errno));
    }
    if (::access(folder.c_str(), W_OK) == 0)
        return {};
    const int err = errno;
    if (kind == PathKind::Missing)
        return fmt::format("its folder '{}' is not writable ({})", folder, std::strerror(err));
    const std::string wal = path + "-wal", shm = path + "-shm";
    if (::access(wal.c_str(), W_OK) == 0 && ::access(shm.c_str(), W_OK) == 0)
        return {};
    return fmt::format("its folder '{}' is not writable ({}), and SQLite creates '{}' there while writing",
                       folder, std::strerror(err), wal);
}

// `path` as an SQLite URI filename with `query` ("immutable=1", "mode=ro").
std::string sqliteUri(const std::string& path, const std::string& query) {
    std::string uri = "file:";
    for (const char c : path) {
        if (c == '%' || c == '?' || c == '#')
            uri += fmt::format("%{:02x}", static_cast<unsigned char>(c));
        else
            uri += c;
    }
    return uri + "?" + query;
}

// A file that claims to be a workspace (application_id and schema version) must also have its tables: a
// damaged or hand-made one is refused at open, with the table it lacks, rather than failing later mid-job.
void checkTables(SQLite::Database& db, const std::string& path) {
    static const char* const kTables[] = {"datasets",    "id_chunks",    "interaction_chunks",
                                          "random_test", "ground_truth", "runs",
                                          "run_metrics", "checkpoints",  "run_user_metrics"};
    try {
        SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
        for (const char* table : kTables) {
            q.reset();
            q.bind(1, table);
            if (!q.executeStep()) {
                throw Error(
                    fmt::format("'{}' is not a usable Tiltbench workspace: its table '{}' is missing (the "
                                "file is damaged or was not written by Tiltbench)",
                                path, table));
            }
        }
    } catch (const SQLite::Exception& e) {
        throw Error(fmt::format("'{}' is not a usable Tiltbench workspace: SQLite cannot read it ({})", path,
                                e.what()));
    }
}

// A catalogue row, checked where it is read: every count is a size that later code allocates, so one outside
// its documented range (common/limits.h) is an Error naming the row and column, never an allocation attempt.
// Whether the counts agree with the rows present is checked by loadLog, which reads those rows.
DatasetInfo readInfo(SQLite::Statement& q, const std::string& path) {
    DatasetInfo d;
    d.id = q.getColumn(0).getInt64();
    d.name = q.getColumn(1).getString();
    d.format = q.getColumn(2).getString();
    d.source = q.getColumn(3).getString();
    d.createdAt = q.getColumn(4).getString();
    d.rows = q.getColumn(5).getInt64();
    d.users = q.getColumn(6).getInt64();
    d.items = q.getColumn(7).getInt64();
    d.hasTime = q.getColumn(8).getInt() != 0;
    d.rewardMin = q.getColumn(9).getDouble();
    d.rewardMax = q.getColumn(10).getDouble();
    d.rewardMean = q.getColumn(11).getDouble();
    d.randomTestRows = q.getColumn(12).getInt64();
    d.meta = q.getColumn(13).getString();
    d.hasTruth = q.getColumn(14).getInt() != 0;
    auto check = [&](const char* column, int64_t value, int64_t max) {
        if (value < 0 || value > max) {
            throw Error(
                fmt::format("workspace '{}' is damaged: table datasets, row id {} ('{}'), column {} is "
                            "{}, expected 0..{}",
                            path, d.id, d.name, column, value, max));
        }
    };
    check("rows", d.rows, kMaxRows);
    check("users", d.users, limits::kMaxIds);
    check("items", d.items, limits::kMaxIds);
    check("random_test_rows", d.randomTestRows, kMaxRows);
    return d;
}

constexpr const char* kInfoColumns =
    "SELECT d.id, d.name, d.format, d.source, d.created_at, d.rows, d.users, d.items, d.has_time, "
    "d.reward_min, "
    "d.reward_max, d.reward_mean, d.random_test_rows, d.meta, "
    "EXISTS(SELECT 1 FROM ground_truth g WHERE g.dataset_id = d.id) FROM datasets d ";

}  // namespace

Workspace::Workspace(const std::string& path, OpenMode mode) {
    const PathKind kind = pathKind(path);
    if (kind == PathKind::Directory)
        throw Error(fmt::format("'{}' is a directory, not a workspace file", path));
    if (kind == PathKind::Other)
        throw Error(fmt::format("'{}' is not a regular file", path));
    if (kind == PathKind::Missing && mode != OpenMode::CreateIfMissing) {
        throw Error(
            fmt::format("workspace '{}' does not exist (import or generate a dataset to create it)", path));
    }
    struct stat st {};
    if (kind == PathKind::File && mode != OpenMode::CreateIfMissing && ::stat(path.c_str(), &st) == 0 &&
        st.st_size == 0) {
        throw Error(
            fmt::format("'{}' is an empty file, not a Tiltbench workspace (import or generate a dataset "
                        "to create one); it was left as it is",
                        path));
    }
    // A writer says exactly why it cannot write before it tries; a reader that cannot write opens the file
    // read-only — immutable when no write-ahead log is there to read (SQLite could not create its `-shm`
    // beside it), so that a workspace in a read-only folder or on read-only media still reads.
    const std::string cannotWrite = path == ":memory:" ? std::string() : whyNotWritable(path, kind);
    const bool reader = mode == OpenMode::ReadOnly || mode == OpenMode::ReadOnlyStrict;
    if (!cannotWrite.empty() && !reader) {
        throw Error(fmt::format("cannot {} workspace '{}': {}",
                                kind == PathKind::Missing ? "create" : "write to", path, cannotWrite));
    }
    const bool readOnly = !cannotWrite.empty();
    int flags = SQLite::OPEN_FULLMUTEX;
    std::string openName = path;
    if (readOnly) {
        flags |= SQLite::OPEN_READONLY | SQLITE_OPEN_URI;
        openName = sqliteUri(path, pathKind(path + "-wal") == PathKind::Missing ? "immutable=1" : "mode=ro");
    } else {
        flags |= SQLite::OPEN_READWRITE;
        if (kind == PathKind::Missing)
            flags |= SQLite::OPEN_CREATE;
    }
    try {
        m_impl = std::make_unique<Impl>(path, openName, flags);
    } catch (const SQLite::Exception& e) {
        throw Error(fmt::format("cannot open workspace '{}': {}", path, e.what()));
    }
    auto& db = m_impl->db;
    {
        std::lock_guard<std::mutex> lock(g_defaultLockWaitMutex);
        m_impl->lockWait = g_defaultLockWait;
    }
    sqlite3_busy_handler(db.getHandle(), onBusy, m_impl.get());
    // A workspace may come from someone else: SQLite's settings for untrusted database files. Defensive mode
    // forbids writes that can corrupt the file on purpose (writable_schema, direct shadow-table writes), and
    // an untrusted schema may not call functions with side effects from its views or triggers.
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    prepareSchema(db, path, mode == OpenMode::CreateIfMissing,
                  readOnly ? fmt::format("it is opened read-only: {}", cannotWrite)
                  : mode == OpenMode::ReadOnlyStrict
                      ? std::string("this process only reads it (a data-parallel rank other than 0)")
                      : std::string());
    checkTables(db, path);
    if (readOnly)
        return;
    // WAL lets GUI readers and a writer (import, training) work at once; NORMAL sync is durable at
    // checkpoints and never corrupts the file on a crash, which is the guarantee we need. The journal mode
    // is stored in the file: a reader leaves it as the writers set it.
    if (!reader)
        db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
}

Workspace::Workspace(const std::string& path, const std::string& file, PrivateFile) {
    try {
        m_impl = std::make_unique<Impl>(path, file, SQLite::OPEN_FULLMUTEX | SQLite::OPEN_READWRITE);
    } catch (const SQLite::Exception& e) {
        throw Error(fmt::format("cannot create workspace '{}': {}", path, e.what()));
    }
    auto& db = m_impl->db;
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    // Nobody else can see this file: the rollback journal lives in memory (a failed write is still rolled
    // back; the pages of a new file are not even copied there), nothing is synced until buildNewWorkspace
    // syncs the finished file once, and the exclusive lock needs no `-shm` file.
    db.exec("PRAGMA page_size = " + std::to_string(schema::kPageSize));
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("PRAGMA journal_mode = MEMORY");
    db.exec("PRAGMA synchronous = OFF");
    db.exec("PRAGMA temp_store = MEMORY");
    schema::migrate(db, 0);
    checkTables(db, path);
    db.exec("PRAGMA foreign_keys = ON");
}

namespace {

// Removes a private workspace file (and any side file SQLite may have made) unless it was published.
class PrivateFileGuard {
  public:
    explicit PrivateFileGuard(std::string file) : m_file(std::move(file)) {}
    ~PrivateFileGuard() {
        for (const char* suffix : {"", "-journal", "-wal", "-shm"})
            ::unlink((m_file + suffix).c_str());
    }
    PrivateFileGuard(const PrivateFileGuard&) = delete;
    PrivateFileGuard& operator=(const PrivateFileGuard&) = delete;

  private:
    std::string m_file;
};

bool syncPath(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

bool buildNewWorkspace(const std::string& path, const std::function<void(Workspace&)>& fill) {
    if (path.empty() || path == ":memory:" || pathKind(path) != PathKind::Missing)
        return false;
    removeStaleTemporaryFiles(path);
    std::string file = temporaryFilePattern(path);
    const int fd = ::mkstemp(file.data());
    if (fd < 0)
        return false;
    PrivateFileGuard guard(file);  // after link() the workspace keeps the file under its own name
    // mkstemp makes the file 0600; a workspace gets the permissions SQLite would give it (0644 under the
    // usual umask).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    const bool modeSet = ::fchmod(fd, 0644 & ~mask) == 0;
    ::close(fd);
    if (!modeSet)
        return false;
    {
        Workspace ws(path, file, Workspace::PrivateFile{});
        fill(ws);
        // Readers and later writers expect WAL: the mode is stored in the file's header.
        ws.m_impl->db.exec("PRAGMA journal_mode = WAL");
    }
    if (!syncPath(file, O_RDONLY)) {
        throw Error(fmt::format("cannot create workspace '{}': syncing its new file failed ({})", path,
                                std::strerror(errno)));
    }
    if (::link(file.c_str(), path.c_str()) != 0)
        return false;  // EEXIST: another process created `path` meanwhile; or no hard links here
    syncPath(folderOf(path), O_RDONLY | O_DIRECTORY);
    return true;
}

Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

const std::string& Workspace::path() const {
    return m_impl->path;
}

int Workspace::schemaVersion() const {
    return m_impl->db.execAndGet("PRAGMA user_version").getInt();
}

Workspace::Impl& Workspace::impl() const {
    return *m_impl;
}

void Workspace::setLockWaitCallback(LockWaitCallback callback) {
    m_impl->lockWait = std::move(callback);
}

void Workspace::setDefaultLockWaitCallback(LockWaitCallback callback) {
    std::lock_guard<std::mutex> lock(g_defaultLockWaitMutex);
    g_defaultLockWait = std::move(callback);
}

bool Workspace::tryWrite(const std::function<void()>& write, double graceSeconds) {
    struct Restore {
        Impl& ws;
        double limit;
        ~Restore() { ws.lockWaitLimitSeconds = limit; }
    } restore{*m_impl, m_impl->lockWaitLimitSeconds};
    m_impl->lockWaitLimitSeconds = std::max(0.0, graceSeconds);
    m_impl->lockWaitGaveUp = false;
    try {
        write();
    } catch (...) {
        if (m_impl->lockWaitGaveUp)
            return false;
        throw;
    }
    return true;
}

std::vector<DatasetInfo> Workspace::datasets() const {
    SQLite::Statement q(m_impl->db, std::string(kInfoColumns) + "ORDER BY d.id");
    std::vector<DatasetInfo> out;
    while (q.executeStep())
        out.push_back(readInfo(q, m_impl->path));
    return out;
}

std::optional<DatasetInfo> Workspace::findDataset(const std::string& name) const {
    SQLite::Statement q(m_impl->db, std::string(kInfoColumns) + "WHERE d.name = ?");
    q.bind(1, name);
    if (q.executeStep())
        return readInfo(q, m_impl->path);
    return std::nullopt;
}

DatasetInfo readDatasetInfo(Workspace::Impl& ws, int64_t id) {
    SQLite::Statement q(ws.db, std::string(kInfoColumns) + "WHERE d.id = ?");
    q.bind(1, id);
    if (q.executeStep())
        return readInfo(q, ws.path);
    throw Error(fmt::format("workspace '{}' has no dataset with id {}", ws.path, id));
}

DatasetInfo Workspace::dataset(int64_t id) const {
    return readDatasetInfo(*m_impl, id);
}

DatasetInfo Workspace::datasetByName(const std::string& name) const {
    if (auto d = findDataset(name))
        return *d;
    std::string known;
    for (const auto& d : datasets())
        known += (known.empty() ? "" : ", ") + d.name;
    throw Error(fmt::format("workspace '{}' has no dataset named '{}' (datasets: {})", m_impl->path, name,
                            known.empty() ? "none" : known));
}

void Workspace::removeDataset(int64_t datasetId) {
    if (m_impl->writerActive)
        throw Error("cannot delete a dataset while an import is writing to the workspace");
    const DatasetInfo info = dataset(datasetId);  // throws a clear error if absent
    // A training process reads the dataset once and then writes runs against it: deleting it underneath
    // would cascade its run away mid-training. A run counts as live while its writer process on this
    // machine exists; a dead or foreign writer does not block (that run shows as interrupted, or cannot be
    // judged here).
    for (const RunRecord& r : RunStore(*this).runs(datasetId)) {
        if (r.status == "running" && r.writerPid > 0 && r.writerHost == writerHostId()) {
            throw Error(
                fmt::format("cannot delete dataset '{}': run {} ({}) is still training on it in process {}; "
                            "cancel it first",
                            info.name, r.id, r.model, r.writerPid));
        }
    }
    SQLite::Transaction tx(m_impl->db);
    SQLite::Statement q(m_impl->db, "DELETE FROM datasets WHERE id = ?");
    q.bind(1, datasetId);
    q.exec();
    tx.commit();
}

}  // namespace tiltbench
