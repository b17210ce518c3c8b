#include "eval/popularity_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "common/error.h"

namespace tiltbench {

PopularityProfile popularityProfile(const std::vector<int64_t>& trainingCount,
                                    const std::vector<int64_t>& recommendedCount, int groups) {
    if (trainingCount.size() != recommendedCount.size() || groups < 1) {
        throw Error(
            fmt::format("popularity profile: {} training counts but {} recommendation counts, {} groups",
                        trainingCount.size(), recommendedCount.size(), groups));
    }
    PopularityProfile out;
    const size_t n = trainingCount.size();
    if (n == 0)
        return out;
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return trainingCount[a] > trainingCount[b]; });
    out.trainingTotal = std::accumulate(trainingCount.begin(), trainingCount.end(), int64_t{0});
    out.recommendedTotal = std::accumulate(recommendedCount.begin(), recommendedCount.end(), int64_t{0});
    const size_t g = std::min(static_cast<size_t>(groups), n);
    for (size_t k = 0; k < g; ++k) {
        // Group k holds ranks [k·n/g, (k+1)·n/g): sizes differ by at most one.
        const size_t begin = k * n / g, end = (k + 1) * n / g;
        PopularityGroup group;
        group.firstRank = static_cast<int64_t>(begin) + 1;
        group.lastRank = static_cast<int64_t>(end);
        group.maxCount = trainingCount[order[begin]];
        group.minCount = trainingCount[order[end - 1]];
        int64_t train = 0, rec = 0;
        for (size_t r = begin; r < end; ++r) {
            train += trainingCount[order[r]];
            rec += recommendedCount[order[r]];
        }
        group.trainingShare =
            out.trainingTotal > 0 ? static_cast<double>(train) / static_cast<double>(out.trainingTotal) : 0.0;
        group.recommendedShare = out.recommendedTotal > 0
                                     ? static_cast<double>(rec) / static_cast<double>(out.recommendedTotal)
                                     : 0.0;
        out.groups.push_back(group);
    }
    return out;
}

}  // namespace tiltbench
