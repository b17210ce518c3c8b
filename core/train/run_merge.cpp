#include "train/run_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "common/error.h"
#include "data/fingerprint.h"
#include "eval/split.h"
#include "model/closed_form_policy.h"
#include "store/run_store.h"
#include "train/closed_form_run.h"
#include "train/reward_run.h"
#include "train/reward_source.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {
namespace {

using json = nlohmann::json;

struct LoadedDataset {
    InteractionLog log;
    std::optional<GroundTruthRecord> truth;
    uint64_t fingerprint = 0;
};

LoadedDataset loadDataset(Workspace& ws, const DatasetInfo& info, const ProgressCallback& progress) {
    reportProgress(progress, {fmt::format("loading '{}' of {}", info.name, ws.path()), 0, 0, ""});
    LoadedDataset d;
    d.log = ws.loadLog(info.id);
    d.truth = ws.loadGroundTruth(info.id);
    d.fingerprint = datasetFingerprint(d.log, d.truth);
    return d;
}

// The run ids a stored config links to, by key: a post-trained run's parent, the reward model it reads, a
// reward head's SASRec run. Throws Error for a link that is not a positive id.
std::vector<std::pair<std::string, int64_t>> runLinks(const json& cfg) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const char* key : {"init_from", "state_run"}) {
        if (!cfg.contains(key))
            continue;
        const json& v = cfg.at(key);
        if (!v.is_number_integer() || v.get<int64_t>() < 0)
            throw Error(fmt::format("'{}' must be a run id (got {})", key, v.dump()));
        if (v.get<int64_t>() > 0)
            out.emplace_back(key, v.get<int64_t>());
    }
    if (cfg.contains("reward_source")) {
        if (!cfg.at("reward_source").is_string())
            throw Error("'reward_source' must be a string");
        const RewardSource source = RewardSource::parse(cfg.at("reward_source").get<std::string>());
        if (!source.logged())
            out.emplace_back("reward_source", source.modelRun);
    }
    return out;
}

void setLink(json& cfg, const std::string& key, int64_t id) {
    if (key == "reward_source")
        cfg[key] = RewardSource{id}.format();
    else
        cfg[key] = id;
}

// Two runs with equal keys trained the same thing: the settings without what describes the machine.
std::string sameRunKey(const std::string& model, json cfg) {
    for (const char* key : {"threads", "threads_requested", "device", "device_requested", "torch_version",
                            "tiltbench_version", "merged_from"})
        cfg.erase(key);
    return model + "\n" + cfg.dump();
}

// A stored config read as its model's (the checks every later reader makes); throws Error.
void checkStoredConfig(const RunRecord& r) {
    if (isSequentialModel(r.model))
        (void)SasrecRunConfig::fromJson(r.config);
    else if (isRewardModelRun(r.model))
        (void)RewardRunConfig::fromJson(r.config);
    else {
        (void)parsePolicyKind(r.model);
        (void)ClosedFormRunConfig::fromJson(r.config);
    }
}

struct PlannedRun {
    size_t source = 0;
    RunRecord record;
    json config;
    std::vector<std::pair<std::string, int64_t>> links;
};

}  // namespace

MergeResult mergeRuns(Workspace& target, const MergeOptions& options, const ProgressCallback& progress) {
    if (options.sources.empty())
        throw Error("merge: give at least one workspace to take runs from (--from FILE)");
    const DatasetInfo info = target.datasetByName(options.dataset);
    const LoadedDataset wanted = loadDataset(target, info, progress);

    MergeResult result;
    result.dataset = info.name;
    result.fingerprint = fingerprintHex(wanted.fingerprint);
    result.dryRun = options.dryRun;

    // Phase 1, reading only: the sources' matching datasets and finished runs, each config checked.
    std::vector<Workspace> sources;
    std::vector<PlannedRun> plan;
    std::map<std::string, std::string> splitHashes;  // split kind -> its hash on the target dataset
    for (size_t s = 0; s < options.sources.size(); ++s) {
        const std::string& path = options.sources[s];
        std::error_code ec;
        if (std::filesystem::equivalent(path, target.path(), ec))
            throw Error(fmt::format("merge: '{}' is the target workspace itself", path));
        for (size_t t = 0; t < s; ++t) {
            if (std::filesystem::equivalent(path, options.sources[t], ec))
                throw Error(
                    fmt::format("merge: '{}' is given twice (also as '{}')", path, options.sources[t]));
        }
        sources.emplace_back(path, OpenMode::ReadOnly);
        Workspace& src = sources.back();
        MergeSourceReport report;
        report.path = path;
        std::set<int64_t> matched;
        std::vector<std::string> others;
        for (const DatasetInfo& d : src.datasets()) {
            // Only a dataset of the same shape can have the same content: the others are not loaded.
            bool same = d.rows == info.rows && d.users == info.users && d.items == info.items;
            std::string fp = "not loaded: another shape";
            if (same) {
                const LoadedDataset candidate = loadDataset(src, d, progress);
                fp = fingerprintHex(candidate.fingerprint);
                same = candidate.fingerprint == wanted.fingerprint &&
                       sameContent(candidate.log, candidate.truth, wanted.log, wanted.truth);
            }
            if (same) {
                matched.insert(d.id);
                report.datasets.push_back(d.name);
            } else {
                others.push_back(fmt::format("'{}' ({} rows, {} users, {} items; fingerprint {})", d.name,
                                             d.rows, d.users, d.items, fp));
            }
        }
        if (matched.empty()) {
            throw Error(fmt::format(
                "merge: workspace '{}' has no dataset with the content of '{}' ({} rows, {} users, {} items; "
                "fingerprint {}); its datasets: {}",
                path, info.name, info.rows, info.users, info.items, result.fingerprint,
                others.empty() ? std::string("none") : fmt::format("{}", fmt::join(others, ", "))));
        }
        std::set<int64_t> finished;  // the runs this source can give: finished, on a matching dataset
        std::vector<RunRecord> runs;
        for (RunRecord& r : RunStore(src).runs()) {
            if (!matched.count(r.datasetId))
                continue;
            if (r.status != "done") {
                ++report.unfinished;
                continue;
            }
            finished.insert(r.id);
            runs.push_back(std::move(r));
        }
        for (RunRecord& r : runs) {
            const auto refuse = [&](const std::string& why) {
                return Error(fmt::format("merge: workspace '{}', run {} ({}): {}; nothing was merged", path,
                                         r.id, r.model, why));
            };
            PlannedRun p;
            p.source = s;
            try {
                checkStoredConfig(r);
                p.config = json::parse(r.config);
                p.links = runLinks(p.config);
            } catch (const Error& e) {
                throw refuse(e.what());
            } catch (const json::exception& e) {
                throw refuse(fmt::format("its stored config does not read ({})", e.what()));
            }
            for (const auto& [key, id] : p.links) {
                if (!finished.count(id) || id >= r.id)
                    throw refuse(
                        fmt::format("'{}' links run {}, which is not an earlier finished run of the same "
                                    "dataset there",
                                    key, id));
            }
            // The split it was trained and evaluated on must be the one the target dataset gives.
            const json& kind = p.config.contains("split") ? p.config.at("split") : json("leave-last-out");
            const json& hash = p.config.contains("split_hash") ? p.config.at("split_hash") : json();
            if (!kind.is_string() || !hash.is_string())
                throw refuse("its stored config has no split and split hash to check it against");
            auto known = splitHashes.find(kind.get<std::string>());
            if (known == splitHashes.end()) {
                SplitConfig split;
                try {
                    split.kind = SplitConfig::kindFromString(kind.get<std::string>());
                } catch (const Error& e) {
                    throw refuse(e.what());
                }
                known = splitHashes.emplace(kind.get<std::string>(), Split::make(wanted.log, split).hashHex())
                            .first;
            }
            if (hash.get<std::string>() != known->second) {
                throw refuse(
                    fmt::format("it was trained on another split (split hash {}; '{}' gives {} for split "
                                "{})",
                                hash.get<std::string>(), info.name, known->second, known->first));
            }
            // It joins the target's dataset, under that name (a later sweep there finds it by its settings).
            p.config["dataset"] = info.name;
            if (!json::parse(r.timings, nullptr, false).is_object())
                throw refuse("its stored timings are not a JSON object");
            p.record = std::move(r);
            plan.push_back(std::move(p));
        }
        result.sources.push_back(std::move(report));
    }

    // The target's finished runs of the dataset, by what they trained (the newest of equals).
    std::map<std::string, int64_t> present;
    for (const RunRecord& r : RunStore(target).runs(info.id)) {
        if (r.status != "done")
            continue;
        const json cfg = json::parse(r.config, nullptr, false);
        if (cfg.is_object())
            present[sameRunKey(r.model, cfg)] = std::max(present[sameRunKey(r.model, cfg)], r.id);
    }

    // Phase 2, one transaction: each planned run relinked, then found in the target or copied.
    std::map<std::pair<size_t, int64_t>, int64_t> renumbered;  // (source, run) -> target run
    size_t cursor = 0;
    std::optional<size_t> pending;  // the plan entry returned last, waiting for its new id
    const auto next = [&](const std::vector<int64_t>& ids) -> std::optional<CarriedRun> {
        if (pending) {
            PlannedRun& p = plan[*pending];
            renumbered[{p.source, p.record.id}] = ids.back();
            present[sameRunKey(p.record.model, p.config)] = ids.back();
            result.runs.push_back(
                {options.sources[p.source], p.record.id, ids.back(), p.record.model, false});
            ++result.copied;
            pending.reset();
        }
        for (; cursor < plan.size(); ++cursor) {
            PlannedRun& p = plan[cursor];
            for (const auto& [key, id] : p.links)
                setLink(p.config, key, renumbered.at({p.source, id}));
            const auto found = present.find(sameRunKey(p.record.model, p.config));
            if (found != present.end()) {
                renumbered[{p.source, p.record.id}] = found->second;
                result.runs.push_back(
                    {options.sources[p.source], p.record.id, found->second, p.record.model, true});
                continue;
            }
            reportProgress(progress, {"copying runs", cursor, plan.size(), "runs"});
            RunStore from(sources[p.source]);
            CarriedRun out;
            out.record = p.record;
            out.metrics = from.metrics(p.record.id);
            out.perUser = from.perUserMetrics(p.record.id);
            for (const PerUserMetric& m : out.perUser) {
                for (const int32_t u : m.users) {
                    if (u >= wanted.log.numUsers()) {
                        throw Error(
                            fmt::format("merge: workspace '{}', run {}: per-user metric '{}' ({}) names user "
                                        "{} of {}; nothing "
                                        "was merged",
                                        options.sources[p.source], p.record.id, m.name, m.split, u,
                                        wanted.log.numUsers()));
                    }
                }
            }
            out.checkpoints = from.checkpointRows(p.record.id);
            json stored = p.config;
            stored["merged_from"] = {
                {"workspace", std::filesystem::path(options.sources[p.source]).filename().string()},
                {"run", p.record.id}};
            out.record.config = stored.dump();
            pending = cursor++;
            return out;
        }
        return std::nullopt;
    };
    RunStore(target).addFinishedRuns(info.id, next, !options.dryRun);
    reportProgress(progress, {"copying runs", plan.size(), plan.size(), "runs"});
    return result;
}

}  // namespace tiltbench
