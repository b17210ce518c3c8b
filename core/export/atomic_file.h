#pragma once
// AtomicFile: writes a file so that it appears whole or not at all. Content goes to
// `.tiltbench-tmp-<pid>-<name>-XXXXXX` in the target's folder (same file system, so the final rename is
// atomic); commit() renames it over `path`; destruction without commit removes the temporary file. An export
// that fails or is cancelled therefore leaves neither a half-written file nor a stray temporary behind, and
// the temporaries of a killed export (SIGKILL) are removed by the next AtomicFile in that folder. Before the
// temporary file is created, and again before the rename, `path` goes through the OutputGuard: it never
// replaces the workspace, an input or any SQLite database. Private to core/export.
#include <cstdio>
#include <string>

#include "common/output_guard.h"

namespace tiltbench {

class AtomicFile {
  public:
    // Checks `path` with `guard` and creates the temporary file; throws Error naming `path` and the reason
    // when it may not (a protected file, a database) or cannot (missing folder, no permission, …).
    explicit AtomicFile(std::string path, const OutputGuard& guard = OutputGuard());
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::string& path() const { return m_path; }
    const std::string& tempPath() const { return m_tempPath; }
    // Write errors are remembered and reported by close().
    void write(const void* data, size_t size);
    void write(const std::string& text) { write(text.data(), text.size()); }
    // Flushes and closes the stream (needed before another writer, such as torch's, writes tempPath()).
    // Throws Error naming the path on a write failure (disk full, …).
    void close();
    // Closes if needed and renames the temporary file over path(). Throws Error naming the path.
    void commit();

  private:
    std::string m_path;
    OutputGuard m_guard;
    std::string m_tempPath;
    std::FILE* m_file = nullptr;
    bool m_failed = false;
    int m_errno = 0;  // of the first failed write
    bool m_committed = false;
};

}  // namespace tiltbench
