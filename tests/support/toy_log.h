#pragma once
// Tiny hand-made interaction logs for tests, built straight into an InteractionLog (no workspace involved).
#include <cstdint>
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace tiltbench::test {

struct LogRow {
    int32_t user, item;
    double reward;
    int64_t ts;
};

// Rows must come grouped by user and sorted by time within a user.
inline InteractionLog makeEvalLog(int32_t users, int32_t items, const std::vector<LogRow>& rows) {
    InteractionLog log;
    log.name = "toy";
    log.hasTime = true;
    for (int32_t u = 0; u < users; ++u) {
        log.userIds.push_back("u" + std::to_string(u));
    }
    for (int32_t i = 0; i < items; ++i) {
        log.itemIds.push_back("i" + std::to_string(i));
        log.itemTitles.emplace_back();
    }
    log.userOffsets.assign(static_cast<size_t>(users) + 1, 0);
    for (const auto& r : rows) {
        log.user.push_back(r.user);
        log.item.push_back(r.item);
        log.reward.push_back(r.reward);
        log.ts.push_back(r.ts);
        ++log.userOffsets[static_cast<size_t>(r.user) + 1];
    }
    for (size_t u = 1; u < log.userOffsets.size(); ++u) {
        log.userOffsets[u] += log.userOffsets[u - 1];
    }
    return log;
}

}  // namespace tiltbench::test
