#include "eval/run_comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace tiltbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::map<std::string, double> finalValues(const std::vector<MetricRow>& rows, const std::string& split) {
    std::map<std::string, double> out;
    for (const auto& m : rows) {
        if (m.epoch == -1 && m.split == split)
            out[m.name] = m.value;
    }
    return out;
}

std::map<std::string, const PerUserMetric*> perUserOf(const std::vector<PerUserMetric>& all,
                                                      const std::string& split) {
    std::map<std::string, const PerUserMetric*> out;
    for (const auto& p : all) {
        if (p.split == split)
            out[p.name] = &p;
    }
    return out;
}

// An EvalResult holding only what comparePaired reads: the users (the union of both runs', so the two
// results share one user list), one per-user series per metric with NaN where the run has no value, and
// the metrics' stored values.
EvalResult asResult(const std::vector<int32_t>& users, const std::vector<std::string>& names,
                    const std::map<std::string, const PerUserMetric*>& perUser,
                    const std::map<std::string, double>& values, const std::string& split) {
    EvalResult r;
    r.protocol.targets = split;
    r.users = users;
    for (const auto& name : names) {
        const PerUserMetric& p = *perUser.at(name);
        std::vector<double> series(users.size(), kNaN);
        for (size_t j = 0; j < p.users.size(); ++j) {
            const auto it = std::lower_bound(users.begin(), users.end(), p.users[j]);
            series[static_cast<size_t>(it - users.begin())] = p.values[j];
        }
        r.perUserNames.push_back(name);
        r.perUserValues.push_back(std::move(series));
        MetricValue m;
        m.name = name;
        m.value = values.count(name) ? values.at(name) : kNaN;
        r.metrics.push_back(m);
    }
    return r;
}

std::string splitHashOf(const RunRecord& run) {
    const auto j = nlohmann::json::parse(run.config, nullptr, false);
    if (!j.is_object() || !j.contains("split_hash") || !j["split_hash"].is_string())
        return {};
    return j["split_hash"].get<std::string>();
}

}  // namespace

const MetricDifference* RunComparison::find(const std::string& name) const {
    for (const auto& m : metrics) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

RunComparison compareStoredRuns(const std::vector<MetricRow>& runMetrics,
                                const std::vector<PerUserMetric>& runPerUser,
                                const std::vector<MetricRow>& baselineMetrics,
                                const std::vector<PerUserMetric>& baselinePerUser, const std::string& split,
                                const BootstrapConfig& config) {
    RunComparison out;
    out.split = split;
    const auto aValues = finalValues(runMetrics, split), bValues = finalValues(baselineMetrics, split);
    const auto aUsers = perUserOf(runPerUser, split), bUsers = perUserOf(baselinePerUser, split);

    std::vector<std::string> paired;
    std::vector<int32_t> users;
    for (const auto& [name, a] : aUsers) {
        const auto b = bUsers.find(name);
        if (b == bUsers.end())
            continue;
        paired.push_back(name);
        users.insert(users.end(), a->users.begin(), a->users.end());
        users.insert(users.end(), b->second->users.begin(), b->second->users.end());
    }
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());

    std::map<std::string, MetricDifference> byName;
    if (!paired.empty()) {
        const EvalResult a = asResult(users, paired, aUsers, aValues, split);
        const EvalResult b = asResult(users, paired, bUsers, bValues, split);
        for (auto& d : comparePaired(a, b, config).metrics)
            byName[d.name] = d;
    }
    // Aggregates, and any metric stored without per-user values: the plain difference.
    for (const auto& [name, a] : aValues) {
        const auto b = bValues.find(name);
        if (b == bValues.end() || byName.count(name))
            continue;
        MetricDifference d;
        d.name = name;
        d.a = a;
        d.b = b->second;
        d.diff = a - b->second;
        d.lo = d.hi = kNaN;
        byName[name] = d;
    }
    // In the order the run stored its metrics.
    for (const auto& m : runMetrics) {
        if (m.epoch != -1 || m.split != split)
            continue;
        const auto it = byName.find(m.name);
        if (it != byName.end()) {
            out.metrics.push_back(it->second);
            byName.erase(it);
        }
    }
    return out;
}

RunComparison compareRuns(const RunStore& store, int64_t runId, int64_t baselineId, const std::string& split,
                          const BootstrapConfig& config) {
    const RunRecord run = store.run(runId), baseline = store.run(baselineId);
    const std::string a = splitHashOf(run), b = splitHashOf(baseline);
    if (a != b) {
        throw Error(
            fmt::format("runs {} and {} were evaluated on different splits ({} vs {}): a paired "
                        "comparison needs the same users and targets",
                        runId, baselineId, a.empty() ? "unknown" : a, b.empty() ? "unknown" : b));
    }
    RunComparison out =
        compareStoredRuns(store.metrics(runId), store.perUserMetrics(runId), store.metrics(baselineId),
                          store.perUserMetrics(baselineId), split, config);
    out.runId = runId;
    out.baselineId = baselineId;
    return out;
}

}  // namespace tiltbench
