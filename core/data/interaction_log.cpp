#include "data/interaction_log.h"

#include <fmt/format.h>

#include <cmath>

#include "common/error.h"

namespace tiltbench {

void InteractionLog::validate() const {
    const size_t n = item.size();
    if (user.size() != n || reward.size() != n || ts.size() != n) {
        throw Error(fmt::format("log '{}': column sizes differ (user {}, item {}, reward {}, ts {})", name,
                                user.size(), n, reward.size(), ts.size()));
    }
    if (itemTitles.size() != itemIds.size())
        throw Error(fmt::format("log '{}': titles and item ids differ", name));
    if (userOffsets.size() != userIds.size() + 1 || userOffsets.front() != 0 ||
        userOffsets.back() != static_cast<int64_t>(n)) {
        throw Error(fmt::format("log '{}': user offsets do not cover the rows", name));
    }
    for (int32_t u = 0; u < numUsers(); ++u) {
        const auto b = userOffsets[static_cast<size_t>(u)], e = userOffsets[static_cast<size_t>(u) + 1];
        if (e < b)
            throw Error(fmt::format("log '{}': offsets of user {} decrease", name, u));
        for (int64_t k = b; k < e; ++k) {
            const auto kk = static_cast<size_t>(k);
            if (user[kk] != u)
                throw Error(fmt::format("log '{}': row {} belongs to user {}, not {}", name, k, user[kk], u));
            if (item[kk] < 0 || item[kk] >= numItems()) {
                throw Error(fmt::format("log '{}': row {} has item {} outside 0..{}", name, k, item[kk],
                                        numItems() - 1));
            }
            if (!std::isfinite(reward[kk]))
                throw Error(fmt::format("log '{}': row {} has a non-finite reward", name, k));
            if (k > b && ts[kk] < ts[kk - 1]) {
                throw Error(fmt::format("log '{}': user {} is not sorted by time at row {}", name, u, k));
            }
        }
    }
    for (const auto& t : randomTest) {
        if (t.user < 0 || t.user >= numUsers() || t.item < 0 || t.item >= numItems() ||
            !std::isfinite(t.reward)) {
            throw Error(fmt::format("log '{}': a random-test rating is out of range", name));
        }
    }
}

}  // namespace tiltbench
