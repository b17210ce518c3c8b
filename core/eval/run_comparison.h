#pragma once
// RunComparison: one recorded run against another (the baseline) from what the workspace stores — final
// metrics with their intervals and the per-user values of every per-user metric — so the Compare page can
// show any run as a difference from a pinned baseline without re-ranking anything. Per-user metrics get a
// paired bootstrap interval of the difference (the same resampled users for both runs, over the users where
// both runs have a value; see eval/bootstrap.h), the list-level aggregates (coverage, gini, entropy) their
// plain difference with no interval. Two runs are only comparable when they were evaluated on the same split:
// their recorded split hashes must agree.
#include <cstdint>
#include <string>
#include <vector>

#include "eval/bootstrap.h"
#include "store/run_store.h"

namespace tiltbench {

struct RunComparison {
    int64_t runId = 0;
    int64_t baselineId = 0;
    std::string split;                      // "valid" | "test"
    std::vector<MetricDifference> metrics;  // a = the run, b = the baseline, diff = a − b

    const MetricDifference* find(const std::string& name) const;
};

// From stored rows (RunStore::metrics / perUserMetrics): every final (epoch −1) metric of `split` that both
// runs have. Throws Error for a bad bootstrap config.
RunComparison compareStoredRuns(const std::vector<MetricRow>& runMetrics,
                                const std::vector<PerUserMetric>& runPerUser,
                                const std::vector<MetricRow>& baselineMetrics,
                                const std::vector<PerUserMetric>& baselinePerUser, const std::string& split,
                                const BootstrapConfig& config = {});

// Reads both runs from `store`. Throws Error when a run is absent or the two were evaluated on different
// splits (their configs' "split_hash" differ).
RunComparison compareRuns(const RunStore& store, int64_t runId, int64_t baselineId, const std::string& split,
                          const BootstrapConfig& config = {});

}  // namespace tiltbench
