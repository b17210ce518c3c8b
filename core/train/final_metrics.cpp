#include "train/final_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "eval/metrics.h"

namespace tiltbench {

void appendFinalMetrics(const EvalResult& result, const std::string& split, std::vector<MetricRow>& rows,
                        std::vector<PerUserMetric>& perUser) {
    for (const auto& m : result.metrics) {
        if (!std::isfinite(m.value))
            continue;
        rows.push_back({-1, split, m.name, m.value, m.lo, m.hi});
    }
    for (size_t k = 0; k < result.perUserNames.size(); ++k) {
        PerUserMetric p{split, result.perUserNames[k], {}, {}};
        const auto& values = result.perUserValues[k];
        for (size_t j = 0; j < values.size(); ++j) {
            if (std::isnan(values[j]))
                continue;
            p.users.push_back(result.users[j]);
            p.values.push_back(values[j]);
        }
        if (!p.users.empty())
            perUser.push_back(std::move(p));
    }
}

void appendPopularityProfile(const EvalResult& test, const std::vector<int64_t>& trainingCount,
                             std::vector<MetricRow>& rows) {
    if (test.kMax <= 0 || test.users.empty() || trainingCount.empty())
        return;
    const int k = std::min(10, test.kMax);
    const auto numItems = static_cast<int32_t>(trainingCount.size());
    const std::vector<int64_t> recommended =
        metrics::recommendationCounts(test.topItems, test.kMax, k, numItems);
    const PopularityProfile p = popularityProfile(trainingCount, recommended, 10);
    const double nan = std::nan("");
    const auto add = [&](const std::string& name, double value) {
        rows.push_back({-1, kProfileSplit, name, value, nan, nan});
    };
    add("k", k);
    add("lists", static_cast<double>(test.users.size()));
    for (size_t g = 0; g < p.groups.size(); ++g) {
        const std::string n = fmt::format("{:02}", g + 1);
        add("top10_share_g" + n, p.groups[g].recommendedShare);
        add("training_share_g" + n, p.groups[g].trainingShare);
        add("min_count_g" + n, static_cast<double>(p.groups[g].minCount));
        add("max_count_g" + n, static_cast<double>(p.groups[g].maxCount));
    }
}

std::optional<StoredProfile> storedPopularityProfile(const std::vector<MetricRow>& rows) {
    std::map<std::string, double> v;
    for (const MetricRow& r : rows) {
        if (r.split == kProfileSplit && r.epoch == -1 && std::isfinite(r.value))
            v[r.name] = r.value;
    }
    if (!v.count("k") || !v.count("lists"))
        return std::nullopt;
    StoredProfile out;
    const double k = v["k"], lists = v["lists"];
    if (!(k >= 1 && k <= 10 && k == std::floor(k)) || !(lists >= 0 && lists <= 9e15))
        return std::nullopt;  // a crafted value is not shown
    out.k = static_cast<int>(k);
    out.lists = static_cast<int64_t>(lists);
    for (int g = 1; g <= 10; ++g) {
        const std::string n = fmt::format("{:02}", g);
        const auto share = v.find("top10_share_g" + n), training = v.find("training_share_g" + n),
                   lo = v.find("min_count_g" + n), hi = v.find("max_count_g" + n);
        if (share == v.end() || training == v.end() || lo == v.end() || hi == v.end())
            break;
        PopularityGroup group;
        group.recommendedShare = std::clamp(share->second, 0.0, 1.0);
        group.trainingShare = std::clamp(training->second, 0.0, 1.0);
        group.minCount = static_cast<int64_t>(std::clamp(lo->second, 0.0, 9e15));
        group.maxCount = static_cast<int64_t>(std::clamp(hi->second, 0.0, 9e15));
        out.profile.groups.push_back(group);
    }
    if (out.profile.groups.empty())
        return std::nullopt;
    return out;
}

}  // namespace tiltbench
