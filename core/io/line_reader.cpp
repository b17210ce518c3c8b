#include "io/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace tiltbench {

namespace {

// A record longer than this is not a log row; failing beats growing the buffer until memory runs out.
constexpr size_t kMaxRecordBytes = size_t(256) << 20;
// A stray quote must not swallow the rest of the file into one record: past these limits the quote is taken
// literally and the record ends at the next line break.
constexpr size_t kMaxQuotedBytes = size_t(1) << 20;
constexpr int64_t kMaxQuotedLines = 1000;
constexpr size_t kSniffBytes = 64 * 1024;

std::string systemError() {
    return std::strerror(errno);
}

class FileHandle {
  public:
    explicit FileHandle(int fd) : m_fd(fd) {}
    ~FileHandle() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int get() const { return m_fd; }

  private:
    int m_fd;
};

ssize_t readSome(int fd, char* data, size_t size) {
    for (;;) {
        ssize_t n = ::read(fd, data, size);
        if (n >= 0 || errno != EINTR) {
            return n;
        }
    }
}

std::string binaryHint(const unsigned char* head, size_t n) {
    if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        return " (it looks gzip-compressed: decompress it first)";
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
        return " (it looks like a zip archive: extract it first)";
    }
    if (n >= 2 && ((head[0] == 0xff && head[1] == 0xfe) || (head[0] == 0xfe && head[1] == 0xff))) {
        return " (it looks like UTF-16 text: save it as UTF-8)";
    }
    if (n >= 6 && std::memcmp(head, "SQLite", 6) == 0) {
        return " (it looks like an SQLite database)";
    }
    return "";
}

}  // namespace

uint64_t checkTextFile(const std::string& path, const std::string& role) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            throw Error("The " + role + " '" + path + "' does not exist.");
        }
        throw Error("Cannot open the " + role + " '" + path + "': " + systemError() + ".");
    }
    if (S_ISDIR(st.st_mode)) {
        throw Error("The " + role + " '" + path + "' is a directory; expected a text file.");
    }
    FileHandle fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        throw Error("Cannot open the " + role + " '" + path + "': " + systemError() + ".");
    }
    std::vector<unsigned char> head(kSniffBytes);
    size_t got = 0;
    while (got < head.size()) {
        ssize_t n = readSome(fd.get(), reinterpret_cast<char*>(head.data()) + got, head.size() - got);
        if (n < 0) {
            throw Error("Cannot read the " + role + " '" + path + "': " + systemError() + ".");
        }
        if (n == 0) {
            break;
        }
        got += static_cast<size_t>(n);
    }
    if (got == 0) {
        throw Error("The " + role + " '" + path + "' is empty; expected interaction rows.");
    }
    if (std::find(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(got), 0) !=
        head.begin() + static_cast<std::ptrdiff_t>(got)) {
        throw Error("The " + role + " '" + path + "' is not a text file: it contains NUL bytes" +
                    binaryHint(head.data(), got) + ".");
    }
    return static_cast<uint64_t>(st.st_size);
}

LineReader::LineReader(const std::string& path, size_t chunkBytes)
    : m_path(path), m_buf(std::max<size_t>(chunkBytes, 16)) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        throw Error("Cannot open '" + path + "': " + systemError() + ".");
    }
    struct stat st {};
    if (::fstat(m_fd, &st) == 0) {
        m_size = static_cast<uint64_t>(st.st_size);
        m_regular = S_ISREG(st.st_mode);
        m_mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

// At the end of a regular file: it must still be the file that was opened — same size and modification time,
// and every byte of it read. A file truncated, rewritten or appended to while it was read would otherwise
// give a dataset made of parts of two versions (or silently lose its tail).
void LineReader::checkUnchanged() const {
    if (!m_regular) {
        return;
    }
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) {
        throw Error("Cannot read '" + m_path + "': " + systemError() + ".");
    }
    const int64_t mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size != m_size || mtimeNs != m_mtimeNs || m_bytesRead != m_size) {
        throw Error("'" + m_path + "' changed while it was being read (" + std::to_string(m_size) +
                    " bytes when reading began, " + std::to_string(size) + " now, " +
                    std::to_string(m_bytesRead) + " read): import it again once it is complete.");
    }
}

LineReader::~LineReader() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void LineReader::setQuoted(bool quoted, char delimiter) {
    m_quoted = quoted;
    m_delimiter = delimiter;
}

bool LineReader::fill() {
    if (m_pos > 0) {
        std::memmove(m_buf.data(), m_buf.data() + m_pos, m_end - m_pos);
        m_offset += m_pos;
        m_end -= m_pos;
        m_pos = 0;
    }
    if (m_end == m_buf.size()) {
        if (m_buf.size() >= kMaxRecordBytes) {
            throw Error("Line " + std::to_string(m_nextLine) + " of '" + m_path + "' is longer than " +
                        std::to_string(kMaxRecordBytes >> 20) +
                        " MiB; is this really a delimited text file?");
        }
        m_buf.grow(m_end);
    }
    ssize_t n = readSome(m_fd, m_buf.data() + m_end, m_buf.size() - m_end);
    if (n < 0) {
        throw Error("Cannot read '" + m_path + "': " + systemError() + ".");
    }
    if (n == 0) {
        checkUnchanged();
        m_eof = true;
        return false;
    }
    m_bytesRead += static_cast<uint64_t>(n);
    m_end += static_cast<size_t>(n);
    if (!m_started) {
        // The BOM may arrive split over reads only with absurdly small chunks; the constructor's minimum
        // chunk of 16 bytes rules that out for the first read of a regular file.
        m_started = true;
        if (m_end >= 3 && std::memcmp(m_buf.data(), "\xEF\xBB\xBF", 3) == 0) {
            m_pos = 3;
        }
    }
    return true;
}

LineReader::Scan LineReader::scanQuoted(size_t from, size_t& end, int64_t& lines) const {
    const char* b = m_buf.data();
    bool inQuotes = false;
    bool fieldStart = true;
    lines = 0;
    for (size_t i = from; i < m_end; ++i) {
        const char c = b[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 >= m_end) {
                    if (!m_eof) {
                        return Scan::NeedMore;
                    }
                    inQuotes = false;
                } else if (b[i + 1] == '"') {
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else if (c == '\n' && ++lines > kMaxQuotedLines) {
                return Scan::TooLong;
            }
        } else if (c == '\n') {
            end = i;
            return Scan::Complete;
        } else if (c == '"' && fieldStart) {
            inQuotes = true;
            fieldStart = false;
        } else if (m_delimiter ? c == m_delimiter : (c == ' ' || c == '\t')) {
            fieldStart = true;
        } else if (c != ' ' && c != '\t') {
            fieldStart = false;
        }
        if (i - from > kMaxQuotedBytes) {
            return Scan::TooLong;
        }
    }
    end = m_end;
    if (!m_eof) {
        return Scan::NeedMore;
    }
    // At the end of the file an unterminated quote is a stray one, treated literally like an over-long one.
    return inQuotes ? Scan::TooLong : Scan::Complete;
}

std::string_view LineReader::take(size_t end, size_t resume) {
    const char* b = m_buf.data() + m_pos;
    size_t len = end - m_pos;
    if (len > 0 && b[len - 1] == '\r') {
        --len;
    }
    m_pos = resume;
    return {b, len};
}

bool LineReader::next(std::string_view& record) {
    for (;;) {
        if (m_pos < m_end) {
            const char* base = m_buf.data();
            const size_t avail = m_end - m_pos;
            const char* nl = static_cast<const char*>(std::memchr(base + m_pos, '\n', avail));
            const size_t lineLen = nl ? static_cast<size_t>(nl - (base + m_pos)) : avail;
            if (m_quoted && std::memchr(base + m_pos, '"', lineLen)) {
                size_t end = 0;
                int64_t lines = 0;
                Scan scan = scanQuoted(m_pos, end, lines);
                if (scan == Scan::Complete) {
                    record = take(end, std::min(end + 1, m_end));
                    m_line = m_nextLine;
                    m_nextLine += 1 + lines;
                    return true;
                }
                if (scan == Scan::NeedMore) {
                    fill();
                    continue;
                }
                // TooLong: the quote was a stray one; fall through and treat the line literally.
            }
            if (nl) {
                const size_t end = static_cast<size_t>(nl - base);
                record = take(end, end + 1);
                m_line = m_nextLine++;
                return true;
            }
        }
        if (m_eof) {
            if (m_pos < m_end) {
                record = take(m_end, m_end);
                m_line = m_nextLine++;
                return true;
            }
            return false;
        }
        fill();
    }
}

}  // namespace tiltbench
