#include "export/atomic_file.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/error.h"

namespace tiltbench {

AtomicFile::AtomicFile(std::string path, const OutputGuard& guard) : m_path(std::move(path)), m_guard(guard) {
    if (m_path.empty())
        throw Error("export: no output path given");
    m_guard.checkOutput(m_path, "output file");
    removeStaleTemporaryFiles(m_path);
    std::string pattern = temporaryFilePattern(m_path);
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const int fd = ::mkstemp(buffer.data());
    if (fd < 0)
        throw Error(fmt::format("cannot write '{}': {}", m_path, std::strerror(errno)));
    m_tempPath = buffer.data();
    // mkstemp creates the file 0600; an exported model is an ordinary file, so give it the usual mode.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    m_file = ::fdopen(fd, "wb");
    if (!m_file) {
        const int err = errno;
        ::close(fd);
        ::unlink(m_tempPath.c_str());
        throw Error(fmt::format("cannot write '{}': {}", m_path, std::strerror(err)));
    }
}

AtomicFile::~AtomicFile() {
    if (m_file)
        std::fclose(m_file);
    if (!m_committed)
        ::unlink(m_tempPath.c_str());
}

void AtomicFile::write(const void* data, size_t size) {
    if (!m_file)
        throw Error(fmt::format("export: '{}' is already closed", m_path));
    if (size > 0 && !m_failed && std::fwrite(data, 1, size, m_file) != size) {
        m_failed = true;
        m_errno = errno;
    }
}

void AtomicFile::close() {
    if (!m_file)
        return;
    int err = m_failed ? (m_errno ? m_errno : EIO) : 0;
    if (std::fflush(m_file) != 0 && !err)
        err = errno;
    if (std::fclose(m_file) != 0 && !err)
        err = errno;
    m_file = nullptr;
    if (err || m_failed)
        throw Error(fmt::format("cannot write '{}': {}", m_path, std::strerror(err ? err : EIO)));
}

void AtomicFile::commit() {
    close();
    m_guard.checkOutput(m_path, "output file");  // it may have appeared while the export ran
    if (std::rename(m_tempPath.c_str(), m_path.c_str()) != 0)
        throw Error(fmt::format("cannot write '{}': {}", m_path, std::strerror(errno)));
    m_committed = true;
}

}  // namespace tiltbench
