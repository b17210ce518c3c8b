#include "io/input_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#ifdef TILTBENCH_HAVE_ZSTD
#include <zstd.h>
#endif

#include "common/error.h"

namespace tiltbench {

namespace {

constexpr size_t kBlock = size_t(1) << 20;

std::string systemError() {
    return std::strerror(errno);
}

ssize_t readSome(int fd, unsigned char* data, size_t size) {
    for (;;) {
        const ssize_t n = ::read(fd, data, size);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

// Reads until `size` bytes or end of input (a pipe may deliver fewer bytes per read than asked).
ssize_t readFull(int fd, unsigned char* data, size_t size) {
    size_t got = 0;
    while (got < size) {
        const ssize_t n = readSome(fd, data + got, size - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(got);
}

class Fd {
  public:
    explicit Fd(int fd = -1) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }
    void reset(int fd) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }
    int release() {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

  private:
    int m_fd;
};

// The temporary file a spooled input becomes: created in `dir` (else $TMPDIR, else /tmp) and unlinked at
// once.
int anonymousFile(const std::string& dir) {
    std::vector<std::string> dirs;
    if (!dir.empty())
        dirs.push_back(dir);
    if (const char* t = std::getenv("TMPDIR"); t && *t)
        dirs.emplace_back(t);
    dirs.emplace_back("/tmp");
    std::string tried;
    for (const auto& d : dirs) {
        std::string name = (std::filesystem::path(d) / ".tiltbench-spool-XXXXXX").string();
        std::vector<char> buf(name.begin(), name.end());
        buf.push_back('\0');
        const int fd = ::mkostemp(buf.data(), O_CLOEXEC);
        if (fd >= 0) {
            ::unlink(buf.data());
            return fd;
        }
        tried += (tried.empty() ? "" : ", ") + d + " (" + systemError() + ")";
    }
    throw Error("cannot create a temporary file to read the input into; tried " + tried + ".");
}

// Thrown by Spooler::write in prefix mode once the prefix is complete.
struct PrefixComplete {};

class Spooler {
  public:
    Spooler(int out, std::string display, uint64_t maxBytes, bool prefixOnly,
            const ProgressCallback& progress)
        : m_out(out),
          m_display(std::move(display)),
          m_max(maxBytes),
          m_prefixOnly(prefixOnly),
          m_progress(progress) {}

    void write(const unsigned char* data, size_t n) {
        if (n == 0)
            return;
        bool complete = false;
        if (m_prefixOnly && m_written + n >= m_max) {
            n = static_cast<size_t>(m_max - m_written);
            complete = true;
        }
        m_written += n;
        if (complete) {
            writeAll(data, n);
            throw PrefixComplete{};
        }
        if (m_written > m_max) {
            throw Error("'" + m_display + "' is larger than " + std::to_string(m_max >> 30) +
                        " GiB once read (decompressed); import a smaller file or split it.");
        }
        writeAll(data, n);
    }
    void writeAll(const unsigned char* data, size_t n) {
        while (n > 0) {
            const ssize_t w = ::write(m_out, data, n);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                throw Error("cannot keep a copy of '" + m_display + "' while reading it: " + systemError() +
                            ".");
            }
            data += w;
            n -= static_cast<size_t>(w);
        }
    }
    void read(uint64_t n) {
        m_read += n;
        if (m_progress && m_read - m_reported >= (uint64_t(8) << 20)) {
            m_reported = m_read;
            reportProgress(m_progress, Progress{"reading " + m_display, m_read, 0, "bytes"});
        }
    }
    uint64_t written() const { return m_written; }

  private:
    int m_out;
    std::string m_display;
    uint64_t m_max;
    bool m_prefixOnly;
    const ProgressCallback& m_progress;
    uint64_t m_written = 0;
    uint64_t m_read = 0;
    uint64_t m_reported = 0;
};

std::string readError(const std::string& display) {
    return "cannot read '" + display + "': " + systemError() + ".";
}

void copyPlain(int in, const std::vector<unsigned char>& head, Spooler& out, const std::string& display) {
    out.write(head.data(), head.size());
    std::vector<unsigned char> buf(kBlock);
    for (;;) {
        const ssize_t n = readSome(in, buf.data(), buf.size());
        if (n < 0)
            throw Error(readError(display));
        if (n == 0)
            return;
        out.read(static_cast<uint64_t>(n));
        out.write(buf.data(), static_cast<size_t>(n));
    }
}

void inflateGzip(int in, const std::vector<unsigned char>& head, Spooler& out, const std::string& display) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        throw Error("cannot start gzip decompression for '" + display + "'.");
    struct End {
        z_stream* z;
        ~End() { inflateEnd(z); }
    } end{&z};
    std::vector<unsigned char> inBuf(head), outBuf(kBlock);
    bool eof = false;
    bool inMember = true;  // inside a gzip member (the first one starts at byte 0)
    size_t pos = 0;
    for (;;) {
        if (pos == inBuf.size()) {
            if (eof)
                break;
            inBuf.resize(kBlock);
            const ssize_t n = readSome(in, inBuf.data(), inBuf.size());
            if (n < 0)
                throw Error(readError(display));
            inBuf.resize(static_cast<size_t>(n));
            pos = 0;
            if (n == 0) {
                eof = true;
                break;
            }
            out.read(static_cast<uint64_t>(n));
        }
        if (!inMember) {
            // Another gzip member follows (files made by `cat a.gz b.gz`); anything else after the last
            // member is trailing garbage, which gzip itself warns about and ignores.
            if (inBuf[pos] != 0x1f)
                break;
            if (inflateReset(&z) != Z_OK)
                throw Error("cannot restart gzip decompression for '" + display + "'.");
            inMember = true;
        }
        z.next_in = inBuf.data() + pos;
        z.avail_in = static_cast<uInt>(inBuf.size() - pos);
        do {
            z.next_out = outBuf.data();
            z.avail_out = static_cast<uInt>(outBuf.size());
            const int rc = inflate(&z, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                throw Error("'" + display + "' is not valid gzip data" +
                            (z.msg ? std::string(": ") + z.msg : "") + ".");
            }
            out.write(outBuf.data(), outBuf.size() - z.avail_out);
            if (rc == Z_STREAM_END) {
                inMember = false;
                break;
            }
            if (rc == Z_BUF_ERROR && z.avail_in == 0)
                break;
        } while (z.avail_out == 0 || z.avail_in > 0);
        pos = inBuf.size() - z.avail_in;
    }
    if (inMember)
        throw Error("'" + display + "' ends in the middle of its gzip data: the file is truncated.");
}

#ifdef TILTBENCH_HAVE_ZSTD
void decompressZstd(int in, const std::vector<unsigned char>& head, Spooler& out,
                    const std::string& display) {
    ZSTD_DStream* z = ZSTD_createDStream();
    if (!z)
        throw Error("cannot start Zstandard decompression for '" + display + "'.");
    struct End {
        ZSTD_DStream* z;
        ~End() { ZSTD_freeDStream(z); }
    } end{z};
    // A window larger than 2^27 bytes (128 MiB, the format's default limit for decoders) is refused rather
    // than allocated: a hostile frame header must not choose our memory use.
    ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 27);
    std::vector<unsigned char> inBuf(head), outBuf(ZSTD_DStreamOutSize());
    size_t last = 1;  // 0 once a frame is complete
    bool first = true;
    for (;;) {
        if (!first) {
            inBuf.resize(ZSTD_DStreamInSize());
            const ssize_t n = readSome(in, inBuf.data(), inBuf.size());
            if (n < 0)
                throw Error(readError(display));
            if (n == 0)
                break;
            inBuf.resize(static_cast<size_t>(n));
            out.read(static_cast<uint64_t>(n));
        }
        first = false;
        ZSTD_inBuffer input{inBuf.data(), inBuf.size(), 0};
        while (input.pos < input.size) {
            ZSTD_outBuffer output{outBuf.data(), outBuf.size(), 0};
            last = ZSTD_decompressStream(z, &output, &input);
            if (ZSTD_isError(last))
                throw Error("'" + display + "' is not valid Zstandard data: " + ZSTD_getErrorName(last) +
                            ".");
            out.write(outBuf.data(), output.pos);
        }
        // zstd does not consume a frame's last byte before it has flushed all of the frame's output, so this
        // loop leaves nothing behind in the decoder.
    }
    if (last != 0)
        throw Error("'" + display + "' ends in the middle of its Zstandard data: the file is truncated.");
}
#endif

}  // namespace

std::string compressionOf(const unsigned char* h, size_t n) {
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return "gzip";
    if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
        return "zstd";
    if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h')
        return "bzip2";
    if (n >= 6 && std::memcmp(h,
                              "\xFD"
                              "7zXZ\0",
                              6) == 0)
        return "xz";
    if (n >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4)
        return "zip";
    return "";
}

InputSpool::InputSpool(std::string dir, uint64_t maxBytes, bool prefixOnly)
    : m_dir(std::move(dir)), m_maxBytes(maxBytes), m_prefixOnly(prefixOnly) {}

InputSpool::~InputSpool() {
    for (const auto& s : m_spooled)
        ::close(s.fd);
}

std::string InputSpool::prepare(const std::string& path, const std::string& role,
                                const ProgressCallback& progress) {
    const bool stdinInput = isStdin(path);
    const std::string display = stdinInput ? "<stdin>" : path;
    if (stdinInput && m_stdinUsed)
        throw Error("standard input ('-') can be read only once; it was given twice.");
    Fd in;
    if (stdinInput) {
        // Reading a log typed at a terminal is never what was meant: it would wait for Ctrl-D.
        if (::isatty(0))
            throw Error(
                "'-' reads the ratings from standard input, but standard input is a terminal; pipe a "
                "log into it (e.g. zcat ratings.csv.gz | tiltbench-cli import ... -).");
        in.reset(::fcntl(0, F_DUPFD_CLOEXEC, 3));
        if (in.get() < 0)
            throw Error("cannot read standard input: " + systemError() + ".");
        m_stdinUsed = true;
    } else {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                throw Error("The " + role + " '" + path + "' does not exist.");
            throw Error("Cannot open the " + role + " '" + path + "': " + systemError() + ".");
        }
        if (S_ISDIR(st.st_mode))
            throw Error("The " + role + " '" + path + "' is a directory; expected a text file.");
        // A FIFO's open waits for a writer, as `cat` would; it is opened once and read once.
        in.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (in.get() < 0)
            throw Error("Cannot open the " + role + " '" + path + "': " + systemError() + ".");
    }
    struct stat st {};
    if (::fstat(in.get(), &st) != 0)
        throw Error("Cannot open the " + role + " '" + display + "': " + systemError() + ".");
    const bool regular = S_ISREG(st.st_mode);

    std::vector<unsigned char> head(6);
    ssize_t got = regular ? ::pread(in.get(), head.data(), head.size(), 0)
                          : readFull(in.get(), head.data(), head.size());
    if (got < 0)
        throw Error("Cannot read the " + role + " '" + display + "': " + systemError() + ".");
    head.resize(static_cast<size_t>(got));
    const std::string kind = compressionOf(head.data(), head.size());
    if (regular && kind.empty() && !stdinInput)
        return path;  // an ordinary file: the importers read it in place
    if (kind == "bzip2" || kind == "xz" || kind == "zip") {
        const std::string how = kind == "zip" ? "extract it first (unzip)"
                                : kind == "xz"
                                    ? "decompress it first, e.g. xz -dc FILE | tiltbench-cli import ... -"
                                    : "decompress it first, e.g. bzip2 -dc FILE | tiltbench-cli import ... -";
        throw Error("The " + role + " '" + display + "' is " +
                    (kind == "zip" ? "a zip archive" : kind + "-compressed") +
                    ", which is not read directly (gzip and Zstandard are): " + how + ".");
    }
#ifndef TILTBENCH_HAVE_ZSTD
    if (kind == "zstd") {
        throw Error(
            "The " + role + " '" + display +
            "' is Zstandard-compressed, but this build has no libzstd: decompress it first, e.g. zstd -dc "
            "FILE | tiltbench-cli import ... -");
    }
#endif
    if (regular) {
        // The head was read with pread: read the whole file from its start.
        if (::lseek(in.get(), 0, SEEK_SET) < 0)
            throw Error("Cannot read the " + role + " '" + display + "': " + systemError() + ".");
        head.clear();
    }
    Fd out(anonymousFile(m_dir));
    Spooler spooler(out.get(), display, m_maxBytes, m_prefixOnly, progress);
    try {
        if (kind == "gzip") {
            inflateGzip(in.get(), head, spooler, display);
#ifdef TILTBENCH_HAVE_ZSTD
        } else if (kind == "zstd") {
            decompressZstd(in.get(), head, spooler, display);
#endif
        } else {
            copyPlain(in.get(), head, spooler, display);
        }
    } catch (const PrefixComplete&) {
    }
    Spooled s;
    s.fd = out.release();
    s.path = "/proc/self/fd/" + std::to_string(s.fd);
    s.display = display;
    m_spooled.push_back(s);
    return s.path;
}

std::string InputSpool::displayName(const std::string& path) const {
    for (const auto& s : m_spooled) {
        if (s.path == path)
            return s.display;
    }
    return path;
}

std::string InputSpool::translate(std::string text) const {
    // Longest paths first, so that "/proc/self/fd/1" never matches inside "/proc/self/fd/12".
    std::vector<const Spooled*> order;
    for (const auto& s : m_spooled)
        order.push_back(&s);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->path.size() > b->path.size(); });
    for (const auto* s : order) {
        for (size_t pos = text.find(s->path); pos != std::string::npos;
             pos = text.find(s->path, pos + s->display.size())) {
            text.replace(pos, s->path.size(), s->display);
        }
    }
    return text;
}

}  // namespace tiltbench
