#include "eval/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/error.h"

namespace tiltbench {

namespace metrics {

double hitRate(int64_t rank, int k) {
    return rank >= 1 && rank <= k ? 1.0 : 0.0;
}

double ndcg(int64_t rank, int k) {
    return rank >= 1 && rank <= k ? 1.0 / std::log2(static_cast<double>(rank) + 1.0) : 0.0;
}

double reciprocalRank(int64_t rank, int k) {
    return rank >= 1 && rank <= k ? 1.0 / static_cast<double>(rank) : 0.0;
}

double coverage(const std::vector<int64_t>& counts) {
    if (counts.empty())
        return 0.0;
    const auto used = std::count_if(counts.begin(), counts.end(), [](int64_t c) { return c > 0; });
    return static_cast<double>(used) / static_cast<double>(counts.size());
}

double gini(std::vector<int64_t> counts) {
    const auto n = static_cast<double>(counts.size());
    const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), int64_t{0}));
    if (counts.empty() || total <= 0.0)
        return 0.0;
    std::sort(counts.begin(), counts.end());
    double sum = 0.0;
    for (size_t j = 0; j < counts.size(); ++j) {
        sum += (2.0 * static_cast<double>(j + 1) - n - 1.0) * static_cast<double>(counts[j]);
    }
    return sum / (n * total);
}

double entropy(const std::vector<int64_t>& counts) {
    const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), int64_t{0}));
    if (total <= 0.0)
        return 0.0;
    double h = 0.0;
    for (const auto c : counts) {
        if (c > 0) {
            const double p = static_cast<double>(c) / total;
            h -= p * std::log2(p);
        }
    }
    return h;
}

std::vector<int64_t> recommendationCounts(const std::vector<int32_t>& lists, int kMax, int k,
                                          int32_t numItems, const std::vector<uint32_t>* multiplicity) {
    std::vector<int64_t> counts(static_cast<size_t>(std::max(numItems, 0)), 0);
    if (kMax <= 0)
        return counts;
    const size_t users = lists.size() / static_cast<size_t>(kMax);
    const auto take = static_cast<size_t>(std::min(k, kMax));
    for (size_t u = 0; u < users; ++u) {
        const int64_t m = multiplicity ? (*multiplicity)[u] : 1;
        if (m == 0)
            continue;
        const int32_t* list = lists.data() + u * static_cast<size_t>(kMax);
        for (size_t j = 0; j < take && list[j] >= 0; ++j) {
            counts[static_cast<size_t>(list[j])] += m;
        }
    }
    return counts;
}

double randomExposureNdcg(std::vector<std::pair<float, double>> scoredRewards, double minReward) {
    const auto gain = [minReward](double r) { return std::exp2(r - minReward) - 1.0; };
    const auto scoreOf = [](float s) { return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s; };
    // Model order: score descending, ties with the lower gain first (pessimistic).
    std::sort(scoredRewards.begin(), scoredRewards.end(), [&](const auto& a, const auto& b) {
        const float sa = scoreOf(a.first), sb = scoreOf(b.first);
        if (sa != sb)
            return sa > sb;
        return a.second < b.second;
    });
    std::vector<double> gains;
    gains.reserve(scoredRewards.size());
    double dcg = 0.0;
    for (size_t p = 0; p < scoredRewards.size(); ++p) {
        const double g = gain(scoredRewards[p].second);
        gains.push_back(g);
        dcg += g / std::log2(static_cast<double>(p) + 2.0);
    }
    std::sort(gains.begin(), gains.end(), std::greater<double>());
    double idcg = 0.0;
    for (size_t p = 0; p < gains.size(); ++p) {
        idcg += gains[p] / std::log2(static_cast<double>(p) + 2.0);
    }
    if (!(idcg > 0.0))
        return std::numeric_limits<double>::quiet_NaN();
    return dcg / idcg;
}

std::pair<double, double> percentileInterval(std::vector<double>& samples, double level) {
    if (samples.empty()) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan};
    }
    std::sort(samples.begin(), samples.end());
    const auto quantile = [&samples](double q) {
        const double h = q * static_cast<double>(samples.size() - 1);
        const auto lo = static_cast<size_t>(std::floor(h));
        const size_t hi = std::min(lo + 1, samples.size() - 1);
        return samples[lo] + (h - static_cast<double>(lo)) * (samples[hi] - samples[lo]);
    };
    const double tail = (1.0 - level) / 2.0;
    return {quantile(tail), quantile(1.0 - tail)};
}

}  // namespace metrics

ItemStatistics ItemStatistics::fromTraining(const TrainingTargets& training, int32_t numItems,
                                            double priorStrength, double headShare) {
    if (!(priorStrength >= 0.0) || !std::isfinite(priorStrength))
        throw Error(fmt::format("metrics: item-mean prior strength must be ≥ 0, got {}", priorStrength));
    if (!(headShare >= 0.0 && headShare <= 1.0))
        throw Error(fmt::format("metrics: head share must lie in [0, 1], got {}", headShare));
    ItemStatistics s;
    s.priorStrength = priorStrength;
    s.headShare = headShare;
    const auto items = static_cast<size_t>(std::max(numItems, 0));
    s.count.assign(items, 0);
    std::vector<double> sum(items, 0.0);
    double total = 0.0;
    for (size_t k = 0; k < training.size(); ++k) {
        const auto i = static_cast<size_t>(training.item[k]);
        ++s.count[i];
        sum[i] += training.reward[k];
        total += training.reward[k];
    }
    s.globalMean = training.size() > 0 ? total / static_cast<double>(training.size()) : 0.0;
    s.shrunkMean.resize(items);
    for (size_t i = 0; i < items; ++i) {
        const double denom = static_cast<double>(s.count[i]) + priorStrength;
        // α = 0 and an unseen item: no evidence at all, so the global mean is the only honest value.
        s.shrunkMean[i] = denom > 0.0 ? (sum[i] + priorStrength * s.globalMean) / denom : s.globalMean;
    }
    std::vector<int32_t> order(items);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&s](int32_t a, int32_t b) {
        return s.count[static_cast<size_t>(a)] > s.count[static_cast<size_t>(b)];
    });
    const auto head = static_cast<size_t>(std::ceil(headShare * static_cast<double>(items) - 1e-9));
    s.longTail.assign(items, 1);
    for (size_t r = 0; r < std::min(head, items); ++r) {
        s.longTail[static_cast<size_t>(order[r])] = 0;
    }
    return s;
}

namespace {

template <typename F>
double listMean(const int32_t* list, int k, F&& value) {
    if (k <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (int j = 0; j < k; ++j) {
        sum += value(static_cast<size_t>(list[j]));
    }
    return sum / static_cast<double>(k);
}

}  // namespace

double ItemStatistics::averagePopularity(const int32_t* list, int k) const {
    return listMean(list, k, [this](size_t i) { return static_cast<double>(count[i]); });
}

double ItemStatistics::longTailShare(const int32_t* list, int k) const {
    return listMean(list, k, [this](size_t i) { return static_cast<double>(longTail[i]); });
}

double ItemStatistics::meanItemReward(const int32_t* list, int k) const {
    return listMean(list, k, [this](size_t i) { return shrunkMean[i]; });
}

}  // namespace tiltbench
