#pragma once
// OutputGuard: the one check every command runs before it creates, truncates or renames over a file it
// writes (export's outputs, `--progress-jsonl`, the workspace an import writes). An output never replaces or
// truncates
//   - the command's own workspace or its SQLite side files (`-wal`, `-shm`, `-journal`),
//   - any SQLite database (a file that starts with "SQLite format 3\0"),
//   - any of the command's inputs.
// Files are compared by device and inode (stat), so another name for the same file — a relative path, a
// symlink, a hard link — is caught too; a protected file that does not exist yet (a side file) is compared by
// its resolved name. Every refusal is an Error naming the output, the file and why.
//
// A progress stream is stricter still: it may be a new file, a FIFO, a character device, an inherited
// descriptor (`fd:N`, `/dev/fd/N`, `/proc/self/fd/N`), or an existing regular file that is empty or whose
// first line is a Tiltbench progress event (an earlier progress file); anything else is refused.
//
// Also: AtomicFile's temporary files, which carry a recognisable name so that ones left behind by a killed
// process can be removed by the next writer into the same folder.
#include <cstdint>
#include <string>
#include <vector>

namespace tiltbench {

class OutputGuard {
  public:
    // The workspace file and its side files `-wal`, `-shm` and `-journal`.
    void protectWorkspace(const std::string& path);
    // One input of the command (read, never written).
    void protectInput(const std::string& path);

    // Throws Error when `path` is (another name of) a protected file. `what` names the output in the
    // message, e.g. "export output" or "workspace".
    void checkNotProtected(const std::string& path, const std::string& what) const;
    // A file the command creates or replaces as a whole: checkNotProtected, and an existing `path` must be a
    // regular file that is not an SQLite database. A missing file is fine (its folder is the writer's
    // business).
    void checkOutput(const std::string& path, const std::string& what) const;
    // `--progress-jsonl PATH` (see above). `what` is the option's name.
    void checkProgressFile(const std::string& path, const std::string& what) const;
    // An inherited descriptor the command will write to: refused when it is open on a protected file or an
    // SQLite database.
    void checkDescriptor(int fd, const std::string& what) const;

  private:
    struct Entry {
        std::string path;      // as given
        std::string role;      // "the workspace", "an input", …
        std::string resolved;  // absolute path with the folder's symlinks resolved
        bool exists = false;
        uint64_t dev = 0, ino = 0;
    };
    void add(const std::string& path, const std::string& role);
    std::vector<Entry> m_protected;
};

// "fd:N", "/dev/fd/N", "/proc/self/fd/N" → N (≥ 0); anything else → -1.
int inheritedDescriptor(const std::string& target);

// True when the file at `path` starts with SQLite's 16-byte header "SQLite format 3\0".
bool isSqliteDatabase(const std::string& path);

// Temporary files of AtomicFile: `<folder>/.tiltbench-tmp-<pid>-<name>-XXXXXX`.
std::string temporaryFilePattern(const std::string& path);
// Removes the temporary files in `path`'s folder whose writer process no longer runs on this machine (an
// export killed with SIGKILL). Returns how many were removed; never throws.
int removeStaleTemporaryFiles(const std::string& path);

}  // namespace tiltbench
