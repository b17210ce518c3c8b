#pragma once
// Progress reporting shared by every long core job (import, load, generate, later training). A job calls the
// callback now and then; returning false asks the job to stop, which it does by throwing `Cancelled` after
// undoing its partial work. `total == 0` means the amount of work is not known in advance.
#include <cstdint>
#include <functional>
#include <string>

namespace tiltbench {

struct Progress {
    std::string stage;   // e.g. "reading u.data", "writing", "indexing"
    uint64_t done = 0;   // units finished (bytes, rows, …; see `unit`)
    uint64_t total = 0;  // 0 = unknown
    std::string unit;    // "bytes", "rows"
    double fraction() const { return total ? static_cast<double>(done) / static_cast<double>(total) : 0.0; }
};

using ProgressCallback = std::function<bool(const Progress&)>;

// Calls `cb` if set; throws Cancelled when it returns false.
void reportProgress(const ProgressCallback& cb, const Progress& p);

}  // namespace tiltbench
