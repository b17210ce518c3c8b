#include "data/summary.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace tiltbench {

namespace {

constexpr size_t kMaxExactLevels = 64;
constexpr int kBins = 20;

double median(std::vector<int64_t> values) {
    if (values.empty()) {
        return 0.0;
    }
    const size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
    const auto upper = static_cast<double>(values[mid]);
    if (values.size() % 2 == 1) {
        return upper;
    }
    const auto lower = static_cast<double>(
        *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)));
    return 0.5 * (lower + upper);
}

}  // namespace

DatasetSummary summarize(const InteractionLog& log) {
    DatasetSummary s;
    s.rows = static_cast<int64_t>(log.size());
    s.users = log.numUsers();
    s.items = log.numItems();
    s.density = s.users > 0 && s.items > 0 ? static_cast<double>(s.rows) /
                                                 (static_cast<double>(s.users) * static_cast<double>(s.items))
                                           : 0.0;

    std::vector<int64_t> itemCount(static_cast<size_t>(s.items), 0);
    std::vector<double> itemRewardSum(static_cast<size_t>(s.items), 0.0);
    // Welford: a plain sum of squares loses the variance to cancellation on large logs with a large mean.
    double sum = 0.0, mean = 0.0, m2 = 0.0;
    std::map<double, int64_t> levels;  // abandoned once it passes kMaxExactLevels
    bool exact = true;
    for (size_t k = 0; k < log.size(); ++k) {
        const double r = log.reward[k];
        const auto item = static_cast<size_t>(log.item[k]);
        ++itemCount[item];
        itemRewardSum[item] += r;
        if (k == 0) {
            s.rewardMin = s.rewardMax = r;
            s.tsMin = s.tsMax = log.ts[k];
        } else {
            s.rewardMin = std::min(s.rewardMin, r);
            s.rewardMax = std::max(s.rewardMax, r);
            s.tsMin = std::min(s.tsMin, log.ts[k]);
            s.tsMax = std::max(s.tsMax, log.ts[k]);
        }
        sum += r;
        const double delta = r - mean;
        mean += delta / static_cast<double>(k + 1);
        m2 += delta * (r - mean);
        if (exact) {
            ++levels[r];
            if (levels.size() > kMaxExactLevels) {
                exact = false;
                levels.clear();
            }
        }
    }
    if (s.rows > 0) {
        s.rewardMean = sum / static_cast<double>(s.rows);  // exact for integer ratings, unlike Welford's mean
        s.rewardStd = std::sqrt(std::max(0.0, m2 / static_cast<double>(s.rows)));  // population std
    }

    s.discreteRewards = exact && s.rows > 0;
    if (s.discreteRewards) {
        for (const auto& [reward, count] : levels) {
            s.rewardLevels.push_back({reward, count});
        }
    } else if (s.rows > 0) {
        // Bin edges need the range, known only after the first pass; a second pass over the rewards alone.
        const double width = (s.rewardMax - s.rewardMin) / kBins;
        s.rewardLevels.resize(kBins);
        for (int b = 0; b < kBins; ++b) {
            s.rewardLevels[static_cast<size_t>(b)].reward = s.rewardMin + (b + 0.5) * width;
        }
        for (double r : log.reward) {
            auto b = static_cast<int>((r - s.rewardMin) / width);
            b = std::clamp(b, 0, kBins - 1);  // the maximum belongs to the last bin
            ++s.rewardLevels[static_cast<size_t>(b)].count;
        }
    }

    s.itemsByPopularity.resize(static_cast<size_t>(s.items));
    for (size_t i = 0; i < itemCount.size(); ++i) {
        auto& stat = s.itemsByPopularity[i];
        stat.item = static_cast<int32_t>(i);
        stat.count = itemCount[i];
        stat.meanReward = itemCount[i] > 0 ? itemRewardSum[i] / static_cast<double>(itemCount[i]) : 0.0;
    }
    std::sort(s.itemsByPopularity.begin(), s.itemsByPopularity.end(),
              [](const ItemStat& a, const ItemStat& b) {
                  return a.count != b.count ? a.count > b.count : a.item < b.item;
              });
    if (s.rows > 0 && s.items > 0) {
        // "Top 20 %" rounds up, so a catalogue of fewer than five items still has a head of one item.
        const auto head = static_cast<size_t>((s.items + 4) / 5);
        int64_t headRows = 0;
        for (size_t k = 0; k < head; ++k) {
            headRows += s.itemsByPopularity[k].count;
        }
        s.topFifthShare = static_cast<double>(headRows) / static_cast<double>(s.rows);
    }

    if (s.users > 0 && log.userOffsets.size() == static_cast<size_t>(s.users) + 1) {
        std::vector<int64_t> lengths(static_cast<size_t>(s.users));
        for (int32_t u = 0; u < log.numUsers(); ++u) {
            lengths[static_cast<size_t>(u)] = log.sequenceLength(u);
        }
        s.minSequence = *std::min_element(lengths.begin(), lengths.end());
        s.maxSequence = *std::max_element(lengths.begin(), lengths.end());
        s.meanSequence = static_cast<double>(s.rows) / static_cast<double>(s.users);
        s.medianSequence = median(std::move(lengths));
    }
    return s;
}

}  // namespace tiltbench
