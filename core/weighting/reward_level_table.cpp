#include "weighting/reward_level_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "common/error.h"

namespace tiltbench {

namespace {

// Above this many item × level cells the counting switches from a dense scratch table to per-item sorting.
constexpr int64_t kMaxDenseCells = int64_t{1} << 24;

// Distinct-reward lookup for the build pass: open addressing on the value's bits. A std::map or sorting all
// rewards would cost seconds on 20 M targets; this is a few ns per row, and ratings hit the same few slots.
class LevelIndex {
  public:
    LevelIndex() { resize(64); }

    // Index of `r` in first-seen order (new values are appended to `values`).
    int32_t find(double r, std::vector<double>& values) {
        const uint64_t key = bits(r);
        size_t slot = hash(key);
        while (true) {
            const int32_t v = m_slots[slot];
            if (v < 0) {
                const auto id = static_cast<int32_t>(values.size());
                values.push_back(r == 0.0 ? 0.0 : r);  // −0 and +0 are one level
                m_slots[slot] = id;
                m_keys[slot] = key;
                if (2 * values.size() > m_slots.size()) {
                    rehash(values);
                }
                return id;
            }
            if (m_keys[slot] == key) {
                return v;
            }
            slot = (slot + 1) & m_mask;
        }
    }

  private:
    static uint64_t bits(double r) {
        if (r == 0.0) {
            r = 0.0;
        }
        uint64_t b = 0;
        std::memcpy(&b, &r, sizeof b);
        return b;
    }
    size_t hash(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> m_shift); }
    void resize(size_t capacity) {
        m_slots.assign(capacity, -1);
        m_keys.assign(capacity, 0);
        m_mask = capacity - 1;
        m_shift = 64;
        for (size_t c = capacity; c > 1; c >>= 1) {
            --m_shift;
        }
    }
    void rehash(const std::vector<double>& values) {
        resize(m_slots.size() * 4);
        for (size_t id = 0; id < values.size(); ++id) {
            const uint64_t key = bits(values[id]);
            size_t slot = hash(key);
            while (m_slots[slot] >= 0) {
                slot = (slot + 1) & m_mask;
            }
            m_slots[slot] = static_cast<int32_t>(id);
            m_keys[slot] = key;
        }
    }

    std::vector<int32_t> m_slots;
    std::vector<uint64_t> m_keys;
    size_t m_mask = 0;
    int m_shift = 64;
};

}  // namespace

double giniOfSorted(const std::vector<double>& ascending) {
    const size_t n = ascending.size();
    if (n <= 1) {
        return 0.0;
    }
    double weighted = 0.0, total = 0.0;
    for (size_t i = 0; i < n; ++i) {
        weighted += (2.0 * static_cast<double>(i + 1) - static_cast<double>(n) - 1.0) * ascending[i];
        total += ascending[i];
    }
    if (!(total > 0.0)) {
        return 0.0;
    }
    return std::clamp(weighted / (static_cast<double>(n) * total), 0.0, 1.0);
}

std::vector<double> lorenzOfSorted(const std::vector<double>& ascending, int32_t points) {
    if (points < 2) {
        throw Error(fmt::format("Lorenz curve: need at least 2 points, got {}", points));
    }
    const size_t n = ascending.size();
    std::vector<double> prefix(n + 1, 0.0);
    for (size_t i = 0; i < n; ++i) {
        prefix[i + 1] = prefix[i] + ascending[i];
    }
    std::vector<double> y(static_cast<size_t>(points), 0.0);
    const double total = prefix[n];
    for (int32_t k = 0; k < points; ++k) {
        const double x = static_cast<double>(k) / static_cast<double>(points - 1);
        if (n == 0 || !(total > 0.0)) {
            y[static_cast<size_t>(k)] = x;  // nothing to be unequal about
            continue;
        }
        const double t = x * static_cast<double>(n);
        const auto whole = std::min(static_cast<size_t>(t), n);
        const double frac = whole < n ? t - static_cast<double>(whole) : 0.0;
        const double cum = prefix[whole] + (whole < n ? frac * ascending[whole] : 0.0);
        y[static_cast<size_t>(k)] = std::clamp(cum / total, 0.0, 1.0);
    }
    y.back() = 1.0;
    return y;
}

RewardLevelTable::RewardLevelTable(const TargetView& targets) {
    if (targets.empty()) {
        throw Error("weighting: there are no training targets (empty dataset, or every user is held out)");
    }
    targets.validate();
    if (targets.size > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
        throw Error(fmt::format("weighting: {} training targets, at most {} are supported", targets.size,
                                std::numeric_limits<int32_t>::max()));
    }
    const size_t n = targets.size;
    const auto numItems = static_cast<size_t>(targets.numItems);
    m_numTargets = static_cast<int64_t>(n);

    // Pass 1: distinct rewards in first-seen order.
    m_targetLevel.resize(n);
    std::vector<double> firstSeen;
    {
        LevelIndex index;
        double lastReward = std::numeric_limits<double>::quiet_NaN();
        int32_t lastLevel = -1;
        for (size_t k = 0; k < n; ++k) {
            const double r = targets.reward[k];
            if (r != lastReward) {  // ratings repeat; skip the hash for runs of one value
                lastLevel = index.find(r, firstSeen);
                lastReward = r;
            }
            m_targetLevel[k] = lastLevel;
        }
    }
    const size_t numLevels = firstSeen.size();
    std::vector<int32_t> byValue(numLevels);
    std::iota(byValue.begin(), byValue.end(), 0);
    std::sort(byValue.begin(), byValue.end(), [&](int32_t a, int32_t b) {
        return firstSeen[static_cast<size_t>(a)] < firstSeen[static_cast<size_t>(b)];
    });
    std::vector<int32_t> remap(numLevels);
    m_levelReward.resize(numLevels);
    for (size_t l = 0; l < numLevels; ++l) {
        remap[static_cast<size_t>(byValue[l])] = static_cast<int32_t>(l);
        m_levelReward[l] = firstSeen[static_cast<size_t>(byValue[l])];
    }

    // Pass 2: final level ids, counts per level and per item.
    m_levelCount.assign(numLevels, 0);
    m_itemCount.assign(numItems, 0);
    for (size_t k = 0; k < n; ++k) {
        const int32_t level = remap[static_cast<size_t>(m_targetLevel[k])];
        m_targetLevel[k] = level;
        ++m_levelCount[static_cast<size_t>(level)];
        ++m_itemCount[static_cast<size_t>(targets.item[k])];
    }

    // Item × level cells.
    m_itemOffsets.assign(numItems + 1, 0);
    if (static_cast<int64_t>(numItems) * static_cast<int64_t>(numLevels) <= kMaxDenseCells) {
        std::vector<int32_t> dense(numItems * numLevels, 0);
        for (size_t k = 0; k < n; ++k) {
            ++dense[static_cast<size_t>(targets.item[k]) * numLevels + static_cast<size_t>(m_targetLevel[k])];
        }
        for (size_t i = 0; i < numItems; ++i) {
            for (size_t l = 0; l < numLevels; ++l) {
                if (const int32_t c = dense[i * numLevels + l]; c > 0) {
                    m_cells.push_back({static_cast<int32_t>(l), c});
                }
            }
            m_itemOffsets[i + 1] = static_cast<int64_t>(m_cells.size());
        }
    } else {
        // Many distinct rewards: bucket the targets' levels by item (counting sort), then sort and run-length
        // encode each bucket.
        std::vector<int64_t> start(numItems + 1, 0);
        for (size_t i = 0; i < numItems; ++i) {
            start[i + 1] = start[i] + m_itemCount[i];
        }
        std::vector<int32_t> bucket(n);
        std::vector<int64_t> fill(start.begin(), start.end() - 1);
        for (size_t k = 0; k < n; ++k) {
            bucket[static_cast<size_t>(fill[static_cast<size_t>(targets.item[k])]++)] = m_targetLevel[k];
        }
        for (size_t i = 0; i < numItems; ++i) {
            const auto b = bucket.begin() + start[i], e = bucket.begin() + start[i + 1];
            std::sort(b, e);
            for (auto it = b; it != e;) {
                auto next = std::upper_bound(it, e, *it);
                m_cells.push_back({*it, static_cast<int32_t>(next - it)});
                it = next;
            }
            m_itemOffsets[i + 1] = static_cast<int64_t>(m_cells.size());
        }
    }
    m_cells.shrink_to_fit();

    // Mean rewards on rewards scaled into [−1, 1], so sums of rewards near ±DBL_MAX cannot overflow.
    const double scale = std::max({std::abs(m_levelReward.front()), std::abs(m_levelReward.back()), 1.0});
    m_itemMeanReward.assign(numItems, 0.0);
    double total = 0.0;
    for (size_t i = 0; i < numItems; ++i) {
        double sum = 0.0;
        for (auto c = m_itemOffsets[i]; c < m_itemOffsets[i + 1]; ++c) {
            const auto& cell = m_cells[static_cast<size_t>(c)];
            sum += static_cast<double>(cell.count) * (m_levelReward[static_cast<size_t>(cell.level)] / scale);
        }
        total += sum;
        if (m_itemCount[i] > 0) {
            m_itemMeanReward[i] = sum / static_cast<double>(m_itemCount[i]) * scale;
        }
    }
    m_meanReward = total / static_cast<double>(n) * scale;

    m_popularityOrder.resize(numItems);
    std::iota(m_popularityOrder.begin(), m_popularityOrder.end(), 0);
    std::stable_sort(m_popularityOrder.begin(), m_popularityOrder.end(), [&](int32_t a, int32_t b) {
        return m_itemCount[static_cast<size_t>(a)] > m_itemCount[static_cast<size_t>(b)];
    });

    m_uniformShare.resize(numItems);
    for (size_t i = 0; i < numItems; ++i) {
        m_uniformShare[i] = static_cast<double>(m_itemCount[i]) / static_cast<double>(n);
    }
    m_uniformSorted = m_uniformShare;
    std::sort(m_uniformSorted.begin(), m_uniformSorted.end());
    m_uniformGini = giniOfSorted(m_uniformSorted);
}

std::vector<double> RewardLevelTable::uniformLorenz(int32_t points) const {
    return lorenzOfSorted(m_uniformSorted, points);
}

void RewardLevelTable::fillTargetWeights(const WeightScheme& scheme, float* out) const {
    const LevelWeights lw = levelWeights(scheme);
    std::vector<float> perLevel(lw.size());
    for (size_t l = 0; l < lw.size(); ++l) {
        const double w = lw.weight[l];
        perLevel[l] = w > 0.0 ? static_cast<float>(
                                    std::clamp(w, static_cast<double>(FLT_MIN), static_cast<double>(FLT_MAX)))
                              : 0.0f;
    }
    for (size_t k = 0; k < m_targetLevel.size(); ++k) {
        out[k] = perLevel[static_cast<size_t>(m_targetLevel[k])];
    }
}

}  // namespace tiltbench
