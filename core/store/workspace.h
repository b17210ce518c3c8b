#pragma once
// Workspace: one SQLite file that holds datasets, their interactions and (later) runs, metrics and
// checkpoints. The user owns the file and can open it with any SQLite tool. The schema is versioned with
// `PRAGMA user_version`; opening a file that is not a Tiltbench workspace, or one written by a newer
// Tiltbench, is a clear error. WAL mode, foreign keys on, a busy timeout, so readers on other threads or
// processes do not block a writer. One Workspace object = one connection: use one per thread.
//
// Writes of a dataset go through a DatasetWriter (one transaction): until `commit()` nothing is visible, and
// a writer destroyed without commit — an error, a cancel — rolls back, leaving the file's content as it was.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "data/ground_truth.h"
#include "data/interaction_log.h"
#include "store/dataset_info.h"

namespace tiltbench {

class DatasetWriter;

// Waiting for the write lock. SQLite lets one connection write at a time; a write that finds another
// connection (another Tiltbench command, the sqlite3 shell) holding the workspace's write lock waits for it
// without a time limit instead of failing with "database is locked". While it waits, the connection's
// LockWaitCallback is called with the seconds waited so far — first after lockWaitReportSeconds(), then every
// few seconds — so a front end can say what it is waiting for; returning false gives up (how Ctrl-C cancels
// a wait): the statement then fails with "database is locked".
using LockWaitCallback = std::function<bool(double waitedSeconds)>;
// 1 s, then every 5 s; TILTBENCH_LOCK_REPORT_MS (1..600000) sets both, for tests.
double lockWaitReportSeconds();

enum class OpenMode {
    OpenExisting,     // missing file is an error; the command writes (says why when it cannot)
    CreateIfMissing,  // a missing (or empty) file becomes a new, empty workspace
    // Reading commands: a missing or empty file is an error and nothing is created or set up. The file is
    // opened read-only when this process cannot write it or its folder (immutable when no `-wal` file is
    // there), so read-only workspaces and folders read; an older schema is upgraded only when the file is
    // writable, else it is an error saying so.
    ReadOnly,
    // ReadOnly that never upgrades, even a writable file: an older schema is an error. For a process that
    // must not write while another may (a data-parallel rank other than 0).
    ReadOnlyStrict,
};

struct NewDatasetSpec {
    std::string name;
    std::string format;
    std::string source = "{}";  // JSON
};

class Workspace {
  public:
    static constexpr int kSchemaVersion = 5;

    explicit Workspace(const std::string& path, OpenMode mode = OpenMode::OpenExisting);
    ~Workspace();
    Workspace(Workspace&&) noexcept;
    Workspace& operator=(Workspace&&) noexcept;
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::string& path() const;
    int schemaVersion() const;

    std::vector<DatasetInfo> datasets() const;
    std::optional<DatasetInfo> findDataset(const std::string& name) const;
    DatasetInfo dataset(int64_t id) const;                     // throws Error if absent
    DatasetInfo datasetByName(const std::string& name) const;  // throws Error naming the known datasets

    // Loads the whole dataset into memory (sorted per user by time, ties in file order).
    InteractionLog loadLog(int64_t datasetId, const ProgressCallback& progress = {}) const;
    std::optional<GroundTruthRecord> loadGroundTruth(int64_t datasetId) const;

    // Starts a transaction that creates dataset `spec.name`; throws Error if the name is taken or empty.
    std::unique_ptr<DatasetWriter> createDataset(const NewDatasetSpec& spec);
    void removeDataset(int64_t datasetId);

    // This connection's lock-wait callback (see LockWaitCallback); the default is the process-wide one.
    void setLockWaitCallback(LockWaitCallback callback);
    // The callback every Workspace opened afterwards starts with (a front end's "waiting for …" line).
    static void setDefaultLockWaitCallback(LockWaitCallback callback);
    // Runs `write` (one or more transactions on this connection) but waits at most `graceSeconds` for another
    // connection's write lock: returns false when the lock stayed busy — transactions `write` finished
    // before that stay committed, the one that found the lock busy wrote nothing — and true when `write`
    // finished. Other errors propagate. How training queues its epoch records and trains on instead of
    // stalling behind a long import.
    bool tryWrite(const std::function<void()>& write, double graceSeconds = 0.2);

    // Raw handle for core-internal modules that own their own tables (runs, metrics). Not for the UI.
    struct Impl;
    Impl& impl() const;

  private:
    friend bool buildNewWorkspace(const std::string&, const std::function<void(Workspace&)>&);
    struct PrivateFile {};
    // A brand-new workspace in `file` (an empty file nobody else opens), shown as `path` in messages: no
    // journal on disk, no syncs, exclusive lock (see buildNewWorkspace).
    Workspace(const std::string& path, const std::string& file, PrivateFile);

    std::unique_ptr<Impl> m_impl;
};

// Creates the workspace `path`, which does not exist yet, so that nobody sees it before it is complete: the
// new workspace is built in a private temporary file in the same folder (`temporaryFilePattern`), written
// once without a journal file and without syncs, switched to WAL, synced once and published at `path` with
// link(2), which never replaces a file. `fill` writes into it (e.g. importDataset). About twice as few bytes
// written and a tenth of the syncs of building it in place (WAL: every page is written to the log and then
// to the file).
// - `fill` throws: the temporary file is removed, `path` never appears, and the exception propagates.
// - Returns false without calling `fill` when `path` exists or no temporary file can be made there (the
//   caller opens `path` the usual way, which says why it cannot write); returns false after `fill` when
//   `path` appeared meanwhile or the file system has no hard links — the work is discarded and the caller
//   writes into `path` the usual way, so `fill`'s inputs must be readable twice.
// Temporary files left by a killed process are removed by the next call for the same folder.
bool buildNewWorkspace(const std::string& path, const std::function<void(Workspace&)>& fill);

}  // namespace tiltbench
