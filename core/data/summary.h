#pragma once
// DatasetSummary: what the Data page and `tiltbench-cli info` show about a dataset — counts, reward
// distribution, the popularity long tail and item mean reward against popularity. Computed from an
// InteractionLog in one pass plus a sort; pure function, no I/O.
#include <cstdint>
#include <vector>

#include "data/interaction_log.h"

namespace tiltbench {

struct RewardLevel {
    double reward = 0.0;  // the level (or the bin centre when rewards are continuous)
    int64_t count = 0;
};

struct ItemStat {
    int32_t item = 0;
    int64_t count = 0;
    double meanReward = 0.0;
};

struct DatasetSummary {
    int64_t rows = 0;
    int64_t users = 0;
    int64_t items = 0;
    double density = 0.0;
    double rewardMin = 0.0, rewardMax = 0.0, rewardMean = 0.0, rewardStd = 0.0;
    bool discreteRewards = false;             // ≤ 64 distinct levels: `rewardLevels` are exact
    std::vector<RewardLevel> rewardLevels;    // ascending reward; exact levels or 20 equal-width bins
    std::vector<ItemStat> itemsByPopularity;  // descending count (ties: ascending item id)
    int64_t minSequence = 0, maxSequence = 0;
    double meanSequence = 0.0, medianSequence = 0.0;
    int64_t tsMin = 0, tsMax = 0;
    double topFifthShare = 0.0;  // share of interactions on the 20 % most popular items
};

DatasetSummary summarize(const InteractionLog& log);

}  // namespace tiltbench
