#pragma once
// LineReader: streams a text file record by record in large chunks, so files far bigger than memory (20 M+
// rows) import with a fixed buffer. Records are returned as views into the buffer without the line ending
// (LF or CRLF); a UTF-8 byte-order mark at the start of the file is dropped. In quote-aware mode a record may
// span several physical lines when a quoted field contains a line break (RFC 4180), and line numbers still
// count physical lines, so error messages point at the line an editor shows.
//
// `checkTextFile` is the up-front check every importer runs before opening a transaction: missing file,
// directory, empty file and binary content (a NUL byte in the first 64 KiB) are errors naming the file.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tiltbench {

// Throws Error naming `path` (and its `role`, e.g. "ratings file") unless it is a non-empty text file.
// Returns its size in bytes.
uint64_t checkTextFile(const std::string& path, const std::string& role);

class LineReader {
  public:
    static constexpr size_t kDefaultChunk = size_t(128) << 10;

    explicit LineReader(const std::string& path, size_t chunkBytes = kDefaultChunk);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // Quote-aware mode: a '"' at the start of a field (fields separated by `delimiter`; 0 = whitespace)
    // opens a quoted field that may contain line breaks.
    void setQuoted(bool quoted, char delimiter);

    // Next record, without its line ending. The view is valid until the next call. False at end of file.
    bool next(std::string_view& record);

    int64_t lineNumber() const { return m_line; }  // 1-based physical line where the last record starts
    uint64_t bytesConsumed() const { return m_offset + m_pos; }
    uint64_t fileSize() const { return m_size; }
    const std::string& path() const { return m_path; }

  private:
    enum class Scan { Complete, NeedMore, TooLong };
    bool fill();
    void checkUnchanged() const;
    Scan scanQuoted(size_t from, size_t& end, int64_t& lines) const;
    std::string_view take(size_t end, size_t resume);

    std::string m_path;
    int m_fd = -1;
    uint64_t m_size = 0;
    uint64_t m_bytesRead = 0;  // from the file, BOM included
    int64_t m_mtimeNs = 0;
    bool m_regular = false;
    // Not a std::vector<char>: that zero-fills its megabyte, a page fault per 4 KiB before the first line
    // (measured: 5 % of a one-row import); read() fills only as much as the file has.
    class Buffer {
      public:
        explicit Buffer(size_t size) : m_data(new char[size]), m_size(size) {}
        char* data() { return m_data.get(); }
        const char* data() const { return m_data.get(); }
        size_t size() const { return m_size; }
        // Doubles the size, keeping the first `used` bytes.
        void grow(size_t used) {
            std::unique_ptr<char[]> bigger(new char[m_size * 2]);
            std::memcpy(bigger.get(), m_data.get(), used);
            m_data = std::move(bigger);
            m_size *= 2;
        }

      private:
        std::unique_ptr<char[]> m_data;
        size_t m_size;
    };
    Buffer m_buf;
    size_t m_pos = 0;       // start of unread data in m_buf
    size_t m_end = 0;       // end of valid data in m_buf
    uint64_t m_offset = 0;  // file offset of m_buf[0]
    bool m_eof = false;
    bool m_started = false;
    bool m_quoted = false;
    char m_delimiter = ',';
    int64_t m_line = 0;
    int64_t m_nextLine = 1;
};

}  // namespace tiltbench
