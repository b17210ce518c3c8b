#pragma once
// Bootstrap: uncertainty for evaluation figures, from the per-user values an EvalResult keeps. Intervals
// resample the evaluated users with replacement (seeded, so a seed names the same interval everywhere);
// paired comparisons resample the *same* users for both results, which cancels the between-user variance that
// two independent intervals would double-count — the right test for "did λ = 0.5 beat λ = ∞ on this split".
// Only per-user metrics (means over users) get intervals. The list-level aggregates (coverage, gini, entropy)
// do not: a resample holds fewer distinct users than the sample, so its coverage can never exceed the
// sample's and its Gini is biased upward, and a percentile interval of such a statistic does not even contain
// the estimate. Their lo/hi stay NaN; comparisons report their plain difference. Formulas: eval/metrics.h.
#include <cstdint>
#include <string>
#include <vector>

#include "eval/eval_result.h"

namespace tiltbench {

struct BootstrapConfig {
    int resamples = 1000;  // 0 = no intervals (they come out NaN)
    uint64_t seed = 1;
    double level = 0.95;
    int threads = 0;  // 0 = hardware_concurrency; results do not depend on it
};

// Fills lo/hi of every metric of `result` (and the protocol's bootstrap fields). Throws Error for a bad
// config.
void attachIntervals(EvalResult& result, const BootstrapConfig& config = {});

struct MetricDifference {
    std::string name;
    double a = 0.0;     // value in the first result
    double b = 0.0;     // value in the second result
    double diff = 0.0;  // a − b, over users where both are defined (per-user metrics) or of the aggregates
    double lo = 0.0;    // paired bootstrap interval of diff (NaN for aggregates)
    double hi = 0.0;
    int64_t users = 0;  // users contributing to diff
};

struct PairedComparison {
    std::string protocol;  // a's protocol line, plus the bootstrap used
    std::vector<MetricDifference> metrics;
    const MetricDifference* find(const std::string& name) const;
};

// a − b for every metric the two results share. Throws Error unless both evaluated the same users' targets on
// the same split (same split hash, target set and user list).
PairedComparison comparePaired(const EvalResult& a, const EvalResult& b, const BootstrapConfig& config = {});

}  // namespace tiltbench
