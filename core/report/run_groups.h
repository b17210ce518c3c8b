#pragma once
// Run groups: a dataset's finished runs read back from the workspace and grouped the way an experiment over
// seeds is read — an *experiment* is the runs whose configs agree once weighting, seed, parent and machine
// details are removed; a *group* (configuration) is an experiment's runs with one weighting, one per seed. A
// group's value of a metric is its mean over seeds, with the two-level interval of eval/seeded_comparison.h;
// two groups compare over the seeds they share, paired by seed and user. The report and the Compare page's
// "group seeds" view use it. Torch-free.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "eval/eval_result.h"
#include "eval/seeded_comparison.h"
#include "store/run_store.h"
#include "train/final_metrics.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

class Workspace;

struct StoredRun {
    RunRecord record;
    nlohmann::json config;
    WeightScheme scheme;
    uint64_t seed = 0;
    int64_t parent = 0;      // init_from; 0 = trained from scratch
    std::string experiment;  // the settings it shares with its experiment (JSON text)
    // What it trains on besides its scheme, as a configuration name (runMethodName); empty for the method
    // itself — the reward-weighted loss on logged rewards.
    std::string method;
    EvalResult test, valid;  // from the stored final metrics and per-user values (no lists, no protocol text)
    std::optional<StoredProfile> profile;
};

// The finished runs of the dataset, in run order; a run whose config does not read is left out.
std::vector<StoredRun> loadFinishedRuns(Workspace& ws, int64_t datasetId);

struct RunGroup {
    std::string experiment;
    std::string model;
    WeightScheme scheme;
    std::string method;                           // StoredRun::method
    std::map<uint64_t, const StoredRun*> bySeed;  // a repeated seed keeps its first run
};

// One group per (experiment, weighting, method), in order of their first run. The groups point into `runs`.
std::vector<RunGroup> groupRuns(const std::vector<StoredRun>& runs);

// "exp λ = 0.5", "exp λ = ∞ (SFT)", "linear ε = 0.01", …
std::string configurationName(const WeightScheme& scheme);
// The group's name: its method's when it has one, else its scheme's.
std::string configurationName(const RunGroup& group);
// A SASRec run's configuration name when it is not the method on logged rewards: "exp λ = 2 · r̂ run 12
// (reward:mf)" for a learned reward, "DPO β = 0.1, lr 0.001 · r̂ run 12 (reward:mf)", "PPO β_KL = 0.05, K = 4,
// lr 0.001 · …" (a baseline's learning rate is in its name, not in the experiment key); empty otherwise.
// `rewardModels` names the reward-model runs (id → "reward:mf"). Throws nlohmann::json::exception for a field
// of the wrong type.
std::string runMethodName(const nlohmann::json& config, const WeightScheme& scheme,
                          const std::map<int64_t, std::string>& rewardModels);

// The mean over the group's seeds of `metric` on test (or validation) targets with its two-level interval
// (diff/lo/hi of the result; NaN when no run has per-user values of it).
SeededDifference groupMean(const RunGroup& group, const std::string& metric, bool test,
                           const BootstrapConfig& bootstrap);
// The plain mean over seeds of the stored value (aggregates such as coverage too); NaN when none.
double groupMeanValue(const RunGroup& group, const std::string& metric, bool test);
// a − b over the seeds both have, paired by seed and user; NaN when they share no seed or no user list.
SeededDifference compareGroups(const RunGroup& a, const RunGroup& b, const std::string& metric, bool test,
                               const BootstrapConfig& bootstrap, int* sharedSeeds = nullptr);

}  // namespace tiltbench
