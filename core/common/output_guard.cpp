#include "common/output_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace tiltbench {
namespace {

constexpr const char* kTempPrefix = ".tiltbench-tmp-";
constexpr char kSqliteHeader[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                    'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

std::string folderOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string nameOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The folder resolved (symlinks, "..", relative paths) plus the file name: what a file that does not exist
// yet is compared by.
std::string resolvedName(const std::string& path) {
    char buffer[PATH_MAX];
    if (::realpath(folderOf(path).c_str(), buffer))
        return std::string(buffer) + "/" + nameOf(path);
    if (!path.empty() && path[0] == '/')
        return path;
    if (::getcwd(buffer, sizeof buffer))
        return std::string(buffer) + "/" + path;
    return path;
}

bool headerIsSqlite(int fd) {
    char header[16];
    return ::pread(fd, header, sizeof header, 0) == static_cast<ssize_t>(sizeof header) &&
           std::memcmp(header, kSqliteHeader, sizeof header) == 0;
}

// The first line of a regular file (at most `limit` bytes); false when it has none within the limit.
bool firstLine(const std::string& path, std::string& line, size_t limit = 1 << 16) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    line.clear();
    char buffer[4096];
    bool found = false;
    while (!found && line.size() < limit) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        const auto* end = static_cast<const char*>(std::memchr(buffer, '\n', static_cast<size_t>(n)));
        line.append(buffer, end ? static_cast<size_t>(end - buffer) : static_cast<size_t>(n));
        found = end != nullptr;
    }
    ::close(fd);
    return found && line.size() <= limit;
}

// A line that Tiltbench's progress stream writes: a JSON object with a string "event" ("run", "progress",
// "epoch", "finished", "waiting_for_workspace", …).
bool isProgressEvent(const std::string& line) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    return j.is_object() && j.contains("event") && j["event"].is_string();
}

bool processRuns(long pid) {
    if (pid <= 0 || pid > INT_MAX)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

void OutputGuard::add(const std::string& path, const std::string& role) {
    if (path.empty())
        return;
    Entry e;
    e.path = path;
    e.role = role;
    e.resolved = resolvedName(path);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        e.exists = true;
        e.dev = static_cast<uint64_t>(st.st_dev);
        e.ino = static_cast<uint64_t>(st.st_ino);
    }
    m_protected.push_back(std::move(e));
}

void OutputGuard::protectWorkspace(const std::string& path) {
    if (path.empty() || path == ":memory:")
        return;
    add(path, "the workspace");
    for (const char* suffix : {"-wal", "-shm", "-journal"})
        add(path + suffix, std::string("the workspace's SQLite ") + (suffix + 1) + " file");
}

void OutputGuard::protectInput(const std::string& path) {
    add(path, "an input of this command");
}

void OutputGuard::checkNotProtected(const std::string& path, const std::string& what) const {
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    const std::string resolved = resolvedName(path);
    for (const auto& e : m_protected) {
        const bool same = (exists && e.exists && e.dev == static_cast<uint64_t>(st.st_dev) &&
                           e.ino == static_cast<uint64_t>(st.st_ino)) ||
                          resolved == e.resolved;
        if (same) {
            throw Error(fmt::format("{} '{}' is {} ('{}'): refusing to overwrite it; choose another file",
                                    what, path, e.role, e.path));
        }
    }
}

void OutputGuard::checkOutput(const std::string& path, const std::string& what) const {
    checkNotProtected(path, what);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return;
    if (S_ISDIR(st.st_mode))
        throw Error(
            fmt::format("{} '{}' is a directory: refusing to replace it; give a file name", what, path));
    if (!S_ISREG(st.st_mode)) {
        throw Error(
            fmt::format("{} '{}' is not a regular file (a device, FIFO or socket): refusing to replace "
                        "it; choose another file",
                        what, path));
    }
    if (isSqliteDatabase(path)) {
        throw Error(fmt::format(
            "{} '{}' is an SQLite database (a workspace?): refusing to overwrite it; choose another file",
            what, path));
    }
}

void OutputGuard::checkProgressFile(const std::string& path, const std::string& what) const {
    if (const int fd = inheritedDescriptor(path); fd >= 0) {
        checkDescriptor(fd, what);
        return;
    }
    checkNotProtected(path, what);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return;  // a new file
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return;
    if (S_ISDIR(st.st_mode))
        throw Error(fmt::format("{} '{}' is a directory: give a file name", what, path));
    if (!S_ISREG(st.st_mode))
        throw Error(fmt::format("{} '{}' is not a regular file, a FIFO or a terminal", what, path));
    if (st.st_size == 0)
        return;
    if (isSqliteDatabase(path)) {
        throw Error(fmt::format(
            "{} '{}' is an SQLite database (a workspace?): refusing to truncate it; choose another file",
            what, path));
    }
    std::string line;
    if (!firstLine(path, line) || !isProgressEvent(line)) {
        throw Error(fmt::format(
            "{} '{}' already exists and is not a Tiltbench progress file (its first line is not a progress "
            "event): refusing to truncate it; remove it or choose another file",
            what, path));
    }
}

void OutputGuard::checkDescriptor(int fd, const std::string& what) const {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return;  // not open: the caller's open reports it
    for (const auto& e : m_protected) {
        if (e.exists && e.dev == static_cast<uint64_t>(st.st_dev) &&
            e.ino == static_cast<uint64_t>(st.st_ino)) {
            throw Error(fmt::format("{}: descriptor {} is open on {} ('{}'): refusing to write to it", what,
                                    fd, e.role, e.path));
        }
    }
    if (!S_ISREG(st.st_mode))
        return;
    bool sqlite = headerIsSqlite(fd);
    if (!sqlite) {
        // A write-only descriptor cannot be read; its file can, through /proc.
        const int reader = ::open(fmt::format("/proc/self/fd/{}", fd).c_str(), O_RDONLY | O_CLOEXEC);
        if (reader >= 0) {
            sqlite = headerIsSqlite(reader);
            ::close(reader);
        }
    }
    if (sqlite) {
        throw Error(fmt::format("{}: descriptor {} is open on an SQLite database: refusing to write to it",
                                what, fd));
    }
}

int inheritedDescriptor(const std::string& target) {
    std::string digits;
    for (const char* prefix : {"fd:", "/dev/fd/", "/proc/self/fd/"}) {
        if (target.rfind(prefix, 0) == 0) {
            digits = target.substr(std::strlen(prefix));
            break;
        }
    }
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
        return -1;
    return std::stoi(digits);
}

bool isSqliteDatabase(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    const bool sqlite = headerIsSqlite(fd);
    ::close(fd);
    return sqlite;
}

std::string temporaryFilePattern(const std::string& path) {
    std::string name = nameOf(path).substr(0, 100);
    std::string folder = folderOf(path);
    if (folder != "/")
        folder += "/";
    if (path.find('/') == std::string::npos)
        folder.clear();
    return fmt::format("{}{}{}-{}-XXXXXX", folder, kTempPrefix, ::getpid(), name);
}

int removeStaleTemporaryFiles(const std::string& path) {
    const std::string folder = folderOf(path);
    DIR* dir = ::opendir(folder.c_str());
    if (!dir)
        return 0;
    int removed = 0;
    const size_t prefixLength = std::strlen(kTempPrefix);
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.compare(0, prefixLength, kTempPrefix) != 0)
            continue;
        char* end = nullptr;
        const long pid = std::strtol(name.c_str() + prefixLength, &end, 10);
        if (end == name.c_str() + prefixLength || *end != '-' || processRuns(pid))
            continue;
        const std::string file = (folder == "/" ? std::string() : folder) + "/" + name;
        struct stat st {};
        if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::unlink(file.c_str()) == 0)
            ++removed;
    }
    ::closedir(dir);
    return removed;
}

}  // namespace tiltbench
