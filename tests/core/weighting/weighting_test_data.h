#pragma once
// Small training-target sets for the weighting and closed-form policy tests: written by hand, or drawn
// with a fixed seed (no dependence on the platform's <random> distributions).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "weighting/target_columns.h"

namespace tiltbench::test {

struct TargetRow {
    int32_t item;
    double reward;
    int32_t prevItem = -1;
};

inline TargetColumns makeTargets(int32_t numItems, const std::vector<TargetRow>& rows) {
    TargetColumns t;
    t.numItems = numItems;
    for (const auto& r : rows) {
        t.item.push_back(r.item);
        t.reward.push_back(r.reward);
        t.prevItem.push_back(r.prevItem);
    }
    return t;
}

// `n` targets over `numItems` items, skewed popularity, integer ratings 1..5 that depend on the item (so
// tilting changes the item shares), sequences of ~10 targets chained by prevItem.
inline TargetColumns randomTargets(int64_t n, int32_t numItems, uint64_t seed = 7) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    auto uniform01 = [&] { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); };
    TargetColumns t;
    t.numItems = numItems;
    int32_t prev = -1;
    for (int64_t k = 0; k < n; ++k) {
        const double u = uniform01();
        const auto item = static_cast<int32_t>(static_cast<double>(numItems) * u * u);  // skewed to low ids
        const double quality = static_cast<double>((item * 7919) % 5);                  // 0..4 per item
        const double rating = std::min(5.0, std::max(1.0, std::floor(quality + 3.0 * uniform01()) - 0.0));
        t.item.push_back(item);
        t.reward.push_back(rating);
        t.prevItem.push_back(k % 10 == 0 ? -1 : prev);
        prev = item;
    }
    return t;
}

}  // namespace tiltbench::test
