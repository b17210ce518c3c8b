#pragma once
// Private to core: the state behind Workspace, shared with DatasetWriter and (later) the run store.
#include <SQLiteCpp/Database.h>

#include <chrono>
#include <string>

#include "store/workspace.h"

namespace tiltbench {

struct Workspace::Impl {
    std::string path;
    SQLite::Database db;
    bool writerActive = false;  // a DatasetWriter holds the connection's transaction

    // SQLite's busy handler (see LockWaitCallback): how long a write may wait for the lock (< 0: no limit),
    // what it reports, and whether the last wait gave up.
    LockWaitCallback lockWait;
    double lockWaitLimitSeconds = -1.0;
    bool lockWaitGaveUp = false;
    std::chrono::steady_clock::time_point lockWaitStart{};
    double lockWaitNextReport = 0.0;

    Impl(std::string p, int flags) : path(std::move(p)), db(path, flags) {}
    // `openName`: what SQLite opens (a URI such as "file:w.sqlite?immutable=1" for read-only access).
    Impl(std::string p, const std::string& openName, int flags) : path(std::move(p)), db(openName, flags) {}
};

// Current UTC time as ISO 8601 ("2026-11-29T18:00:00Z").
std::string utcNowIso();

// The catalogue row of dataset `id`; throws Error if absent.
DatasetInfo readDatasetInfo(Workspace::Impl& ws, int64_t id);

}  // namespace tiltbench
