#pragma once
// PopularityProfile: where a model's recommendations fall on the popularity long tail, next to where the
// training interactions fall. Items are ordered by training count (most logged first, ties by lower item id)
// and cut into groups of (nearly) equal item count; for each group, the share of all training interactions
// and the share of all top-K recommendation slots it receives. A policy that copies the logs' popularity
// bias puts as much (or more) of its slots in the head group as the logs do; a reward-tilted one moves slots
// toward the tail. The Compare page draws it per run.
#include <cstdint>
#include <vector>

namespace tiltbench {

struct PopularityGroup {
    int64_t firstRank = 0;  // 1-based popularity ranks of the group's first and last item
    int64_t lastRank = 0;
    int64_t minCount = 0;  // training counts of its least and most logged item
    int64_t maxCount = 0;
    double trainingShare = 0.0;     // of Σ training counts
    double recommendedShare = 0.0;  // of Σ recommendation counts
};

struct PopularityProfile {
    std::vector<PopularityGroup> groups;  // most popular first
    int64_t trainingTotal = 0;
    int64_t recommendedTotal = 0;
};

// `trainingCount` and `recommendedCount` are per item (dense ids, the same length). Groups = min(groups,
// items); shares are 0 when a total is 0. Throws Error when the lengths differ or groups < 1.
PopularityProfile popularityProfile(const std::vector<int64_t>& trainingCount,
                                    const std::vector<int64_t>& recommendedCount, int groups = 10);

}  // namespace tiltbench
