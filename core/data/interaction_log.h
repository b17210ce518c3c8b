#pragma once
// InteractionLog: one dataset in memory, laid out for the hot paths (weighting, splitting, training) rather
// than for SQL. Columnar arrays ordered by user, then time, then file position (ties keep file order), with
// CSR offsets so user u's sequence is the half-open range [userOffsets[u], userOffsets[u+1]). Users and items
// carry dense 0-based ids; their external ids and titles are kept for display and export.
#include <cstdint>
#include <string>
#include <vector>

namespace tiltbench {

struct RandomTestEntry {  // one rating of a randomly exposed (unbiased) test set, e.g. Coat's test.ascii
    int32_t user = 0;
    int32_t item = 0;
    double reward = 0.0;
};

struct InteractionLog {
    int64_t datasetId = 0;
    std::string name;
    bool hasTime = false;  // false: `ts` holds the file position

    std::vector<std::string> userIds;     // dense user -> external id
    std::vector<std::string> itemIds;     // dense item -> external id
    std::vector<std::string> itemTitles;  // dense item -> title ("" when unknown)

    std::vector<int32_t> user;
    std::vector<int32_t> item;
    std::vector<double> reward;
    std::vector<int64_t> ts;
    std::vector<int64_t> userOffsets;  // numUsers() + 1 entries

    std::vector<RandomTestEntry> randomTest;  // empty unless the dataset has one

    size_t size() const { return item.size(); }
    int32_t numUsers() const { return static_cast<int32_t>(userIds.size()); }
    int32_t numItems() const { return static_cast<int32_t>(itemIds.size()); }
    int64_t sequenceLength(int32_t u) const { return userOffsets[u + 1] - userOffsets[u]; }

    // Checks the invariants above (sizes, ordering, id ranges, finite rewards); throws Error naming the first
    // violation. Used by tests and after loading.
    void validate() const;
};

}  // namespace tiltbench
