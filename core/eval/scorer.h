#pragma once
// Scorer: what the evaluator needs from any model — scores of a batch of users over a contiguous slice of the
// catalog. Evaluating slice by slice is what keeps a 100k-item catalog from ever needing a users × items
// matrix in memory. Implementations must be safe to call from several threads at once (const, no shared
// mutable state), because the evaluator scores user batches in parallel.
#include <cstdint>
#include <vector>

namespace tiltbench {

struct UserContext {
    int32_t user = 0;                  // dense user id
    const int32_t* history = nullptr;  // items before the target, oldest first
    int64_t historyLength = 0;
    const int64_t* times = nullptr;  // the history's timestamps (HSTU's time-gap bias); null = unknown
};

class Scorer {
  public:
    virtual ~Scorer() = default;
    virtual int32_t numItems() const = 0;
    // out[k * (itemEnd - itemBegin) + (i - itemBegin)] = score of item i for users[k]. Higher is better.
    virtual void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                       float* out) const = 0;
};

}  // namespace tiltbench
