#pragma once
// InputSpool: makes every input of an import something the importers can open more than once (they sniff the
// first lines, check the file, then stream it). A regular, uncompressed file is used where it is. Everything
// else is read exactly once, in a single pass, into an anonymous temporary file:
//   - "-" (standard input), pipes and FIFOs (`zcat ratings.csv.gz | tiltbench-cli import … -`, `<(…)`),
//     character devices such as /dev/stdin;
//   - gzip (.gz, zlib; concatenated members too) and Zstandard (.zst, libzstd) files, recognised by their
//     magic bytes (not their name), decompressed on the way.
// Other compressed or archive formats (bzip2, xz, zip) are refused at once with a message saying how to
// decompress them. The temporary file is unlinked as soon as it is created, so nothing is left behind even if
// the process is killed; the importers open it again through /proc/self/fd/N. Messages keep naming the
// user's file: `displayName` maps a spooled path back ("<stdin>", "ratings.csv.gz"), and `translate`
// rewrites a message.
#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"

namespace tiltbench {

class InputSpool {
  public:
    // Decompressed or piped input larger than this is refused (a compressed file may expand without bound).
    static constexpr uint64_t kDefaultMaxBytes = uint64_t(64) << 30;

    // `dir`: where the temporary files go (the workspace's folder: same disk as the data it becomes); when it
    // is not writable, $TMPDIR or /tmp.
    // `prefixOnly`: keep only the first `maxBytes` bytes of each spooled input and stop reading there (for
    // previews of compressed files), instead of refusing a larger input.
    explicit InputSpool(std::string dir, uint64_t maxBytes = kDefaultMaxBytes, bool prefixOnly = false);
    ~InputSpool();
    InputSpool(const InputSpool&) = delete;
    InputSpool& operator=(const InputSpool&) = delete;

    // The path the importers should open for `path` (the same path when no spooling is needed). `role`
    // names the input in messages ("ratings file"). Spooling reports progress as stage "reading <name>"
    // (bytes read so far, total unknown) and stops with Cancelled when `progress` returns false. Throws Error
    // naming the file.
    std::string prepare(const std::string& path, const std::string& role,
                        const ProgressCallback& progress = {});

    // The user's name for a path returned by `prepare` (the path itself when it was not spooled).
    std::string displayName(const std::string& path) const;
    // `text` with every spooled path replaced by its display name.
    std::string translate(std::string text) const;

    // Whether `path` names standard input ("-").
    static bool isStdin(const std::string& path) { return path == "-"; }

  private:
    struct Spooled {
        int fd = -1;
        std::string path;     // /proc/self/fd/N
        std::string display;  // what the user gave ("<stdin>" for "-")
    };
    std::string m_dir;
    uint64_t m_maxBytes;
    bool m_prefixOnly;
    std::vector<Spooled> m_spooled;
    bool m_stdinUsed = false;
};

// Whether the bytes start like a compressed stream that InputSpool decompresses ("gzip", "zstd"), one it
// refuses ("bzip2", "xz", "zip"), or "" for anything else.
std::string compressionOf(const unsigned char* head, size_t n);

}  // namespace tiltbench
