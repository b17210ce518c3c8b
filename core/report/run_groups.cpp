#include "report/run_groups.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/error.h"
#include "model/sasrec_config.h"
#include "store/workspace.h"
#include "train/reward_run.h"
#include "train/reward_source.h"

namespace tiltbench {

namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool isAggregate(const std::string& name) {
    return name.rfind("coverage", 0) == 0 || name.rfind("gini", 0) == 0 || name.rfind("entropy", 0) == 0;
}

EvalResult storedResult(const std::vector<MetricRow>& rows, const std::vector<PerUserMetric>& perUser,
                        const std::string& split, uint64_t splitHash) {
    EvalResult r;
    r.protocol.targets = split;
    r.protocol.splitHash = splitHash;
    for (const MetricRow& row : rows) {
        if (row.epoch != -1 || row.split != split)
            continue;
        MetricValue m;
        m.name = row.name;
        m.value = row.value;
        m.lo = row.lo;
        m.hi = row.hi;
        m.aggregate = isAggregate(row.name) ? Aggregate::Coverage : Aggregate::None;
        r.metrics.push_back(m);
    }
    // Each metric is stored over the users it is defined for (the *_high ones over users with a high-reward
    // target); here every metric is laid over the union of users, NaN where a user has no value.
    std::set<int32_t> all;
    for (const PerUserMetric& m : perUser) {
        if (m.split == split && m.values.size() == m.users.size())
            all.insert(m.users.begin(), m.users.end());
    }
    r.users.assign(all.begin(), all.end());
    for (const PerUserMetric& m : perUser) {
        if (m.split != split || m.values.size() != m.users.size())
            continue;
        std::vector<double> values(r.users.size(), kNaN);
        for (size_t i = 0; i < m.users.size(); ++i) {
            const auto at = std::lower_bound(r.users.begin(), r.users.end(), m.users[i]);
            values[static_cast<size_t>(at - r.users.begin())] = m.values[i];
        }
        r.perUserNames.push_back(m.name);
        r.perUserValues.push_back(std::move(values));
    }
    return r;
}

uint64_t parseHash(const json& config) {
    const auto it = config.find("split_hash");
    if (it == config.end() || !it->is_string())
        return 0;
    try {
        return std::stoull(it->get<std::string>(), nullptr, 16);
    } catch (const std::exception&) {
        return 0;
    }
}

// How deeply `text`'s brackets nest, strings skipped: a bound checked before a stored config is parsed.
int nestingDepth(const std::string& text) {
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    for (const char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            deepest = std::max(deepest, ++depth);
        else if (c == '}' || c == ']')
            --depth;
    }
    return deepest;
}

}  // namespace

std::string configurationName(const WeightScheme& s) {
    if (s.kind == WeightKind::Exp)
        return std::isinf(s.lambda) ? "exp λ = ∞ (SFT)" : fmt::format("exp λ = {}", formatLambda(s.lambda));
    if (s.kind == WeightKind::Linear)
        return fmt::format("linear ε = {}", formatLambda(s.epsilon));
    if (s.kind == WeightKind::Uniform)
        return "uniform (SFT)";
    return s.describe();
}

std::string configurationName(const RunGroup& group) {
    return group.method.empty() ? configurationName(group.scheme) : group.method;
}

std::string runMethodName(const json& config, const WeightScheme& scheme,
                          const std::map<int64_t, std::string>& rewardModels) {
    const std::string objective = config.value("objective", std::string("weighted"));
    const std::string source = config.value("reward_source", std::string("logged"));
    std::string rhat;
    if (source != "logged") {
        rhat = "r̂ " + source;
        const RewardSource parsed = RewardSource::parse(source);
        const auto model = rewardModels.find(parsed.modelRun);
        rhat = fmt::format("r̂ run {}{}", parsed.modelRun,
                           model == rewardModels.end() ? std::string() : " (" + model->second + ")");
    }
    // A baseline's learning rate is one of its settings, tuned like β: in its name, not in the experiment.
    const std::string lr = formatLambda(config.value("lr", 1e-3));
    if (objective == "dpo")
        return fmt::format("DPO β = {}, lr {} · {}", formatLambda(config.value("dpo_beta", 0.1)), lr, rhat);
    if (objective == "ppo")
        return fmt::format("PPO β_KL = {}, K = {}, lr {} · {}", formatLambda(config.value("kl_beta", 0.05)),
                           config.value("ppo_samples", 4), lr, rhat);
    return rhat.empty() ? std::string() : configurationName(scheme) + " · " + rhat;
}

std::vector<StoredRun> loadFinishedRuns(Workspace& ws, int64_t datasetId) {
    const RunStore store(ws);
    std::vector<StoredRun> runs;
    std::map<int64_t, std::string> rewardModels;
    for (const RunRecord& rec : store.runs(datasetId))
        if (isRewardModelRun(rec.model))
            rewardModels[rec.id] = rec.model;
    // An RLHF baseline's learning rate is its own setting: it joins the experiment that matches it in
    // everything else (resolved after the loop, once the experiments are known).
    std::vector<size_t> onlineRuns;
    for (const RunRecord& rec : store.runs(datasetId)) {
        if (rec.status != "done" || isRewardModelRun(rec.model))  // reward models recommend nothing
            continue;
        StoredRun r;
        r.record = rec;
        // A stored config is untrusted: too deeply nested, not an object, or with a field of the wrong type,
        // and the run is left out (never the whole report).
        if (nestingDepth(rec.config) > 32)
            continue;
        r.config = json::parse(rec.config, nullptr, false);
        if (!r.config.is_object())
            continue;
        try {
            r.scheme = WeightScheme::fromJson(r.config.value("weighting", json::object()).dump());
            const auto seed = r.config.find("seed");
            if (seed != r.config.end() && !seed->is_number_unsigned())
                continue;
            r.seed = seed != r.config.end() ? seed->get<uint64_t>() : 0;
            if (isSequentialModel(rec.model))
                r.method = runMethodName(r.config, r.scheme, rewardModels);
        } catch (const Error&) {
            continue;
        } catch (const json::exception&) {
            continue;
        }
        r.parent = r.config.contains("init_from") && r.config["init_from"].is_number_integer()
                       ? std::max<int64_t>(0, r.config["init_from"].get<int64_t>())
                       : 0;
        json key = r.config;
        for (const char* k : {"weighting", "seed", "init_from", "threads", "threads_requested", "device",
                              "device_requested", "bootstrap_resamples", "torch_version", "tiltbench_version",
                              "precision_requested", "merged_from"})
            key.erase(k);
        // What a configuration trains on — its reward source and objective with the objective's options — is
        // part of its configuration (r.method), not of the experiment: exp on a learned reward, DPO and PPO
        // from the same parents with the same budget are compared with that experiment's SFT baseline.
        const bool online = key.value("objective", json("weighted")) != json("weighted");
        for (const char* k : {"reward_source", "objective", "dpo_beta", "dpo_pairs", "ppo_samples",
                              "ppo_clip", "kl_beta", "ppo_epochs"})
            key.erase(k);
        if (online)
            onlineRuns.push_back(runs.size());
        key["model"] = rec.model;
        key["post_trained"] = r.parent > 0;
        r.experiment = key.dump();
        const uint64_t hash = parseHash(r.config);
        const auto rows = store.metrics(rec.id);
        const auto perUser = store.perUserMetrics(rec.id);
        r.test = storedResult(rows, perUser, "test", hash);
        r.valid = storedResult(rows, perUser, "valid", hash);
        r.profile = storedPopularityProfile(rows);
        runs.push_back(std::move(r));
    }
    std::map<std::string, std::string> withoutLr;  // a weighted experiment's key without its lr → the key
    for (const StoredRun& r : runs) {
        if (r.config.value("objective", json("weighted")) != json("weighted"))
            continue;
        json key = json::parse(r.experiment);
        key.erase("lr");
        withoutLr.emplace(key.dump(), r.experiment);
    }
    for (const size_t index : onlineRuns) {
        json key = json::parse(runs[index].experiment);
        key.erase("lr");
        const auto it = withoutLr.find(key.dump());
        if (it != withoutLr.end())
            runs[index].experiment = it->second;
    }
    return runs;
}

std::vector<RunGroup> groupRuns(const std::vector<StoredRun>& runs) {
    std::vector<RunGroup> groups;
    for (const StoredRun& r : runs) {
        const std::string scheme = r.scheme.toJson();
        auto it = std::find_if(groups.begin(), groups.end(), [&](const RunGroup& g) {
            return g.experiment == r.experiment && g.scheme.toJson() == scheme && g.method == r.method;
        });
        if (it == groups.end()) {
            groups.push_back({r.experiment, r.record.model, r.scheme, r.method, {}});
            it = groups.end() - 1;
        }
        it->bySeed.emplace(r.seed, &r);
    }
    return groups;
}

SeededDifference compareGroups(const RunGroup& a, const RunGroup& b, const std::string& metric, bool test,
                               const BootstrapConfig& bootstrap, int* sharedSeeds) {
    std::vector<SeedPairSeries> pairs;
    for (const auto& [seed, ra] : a.bySeed) {
        const auto it = b.bySeed.find(seed);
        if (it == b.bySeed.end())
            continue;
        const EvalResult& ea = test ? ra->test : ra->valid;
        const EvalResult& eb = test ? it->second->test : it->second->valid;
        const auto* va = ea.perUser(metric);
        const auto* vb = eb.perUser(metric);
        if (!va || !vb || ea.users != eb.users)
            continue;
        pairs.push_back({ea.users, *va, *vb});
    }
    if (sharedSeeds)
        *sharedSeeds = static_cast<int>(pairs.size());
    SeededDifference none;
    none.diff = none.lo = none.hi = none.config = none.baseline = kNaN;
    if (pairs.empty())
        return none;
    // Seeds must share their user lists; a mismatch (another split) is reported as no comparison.
    for (const auto& p : pairs) {
        if (p.users != pairs.front().users)
            return none;
    }
    return compareAcrossSeeds(pairs, bootstrap);
}

SeededDifference groupMean(const RunGroup& c, const std::string& metric, bool test,
                           const BootstrapConfig& bootstrap) {
    std::vector<SeedPairSeries> series;
    for (const auto& [seed, r] : c.bySeed) {
        const EvalResult& e = test ? r->test : r->valid;
        const auto* v = e.perUser(metric);
        if (!v)
            continue;
        std::vector<double> zero(v->size(), 0.0);
        series.push_back({e.users, *v, zero});
    }
    SeededDifference none;
    none.diff = none.lo = none.hi = kNaN;
    if (series.empty())
        return none;
    for (const auto& s : series) {
        if (s.users != series.front().users)
            return none;
    }
    return compareAcrossSeeds(series, bootstrap);
}

double groupMeanValue(const RunGroup& c, const std::string& metric, bool test) {
    double sum = 0.0;
    int n = 0;
    for (const auto& [seed, r] : c.bySeed) {
        const double v = (test ? r->test : r->valid).value(metric);
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    }
    return n ? sum / n : kNaN;
}

}  // namespace tiltbench
