#pragma once
// SweepSummary: a sweep over seeds read as the paper's question asks — per configuration (scheme and λ), the
// mean over seeds of each figure and its paired difference against the SFT baseline of the same seed, with
// the two-level bootstrap interval of eval/seeded_comparison.h. The baseline of a seed is its uniform-weight
// run (exp at λ = ∞ is the same weighting), i.e. for a post-training sweep the λ = ∞ post-training run — same
// parent, same budget — so extra epochs are never mistaken for the effect of weighting. Torch-free: the CLI's
// sweep, the report and the Compare page use it on in-memory or stored results.
#include <cstdint>
#include <string>
#include <vector>

#include "eval/eval_result.h"
#include "eval/seeded_comparison.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct SeededRunFigures {
    int64_t runId = 0;
    uint64_t seed = 0;
    WeightScheme scheme;
    const EvalResult* figures =
        nullptr;  // the set the summary is about (test, usually); must outlive the call
    // Empty for the method (weighting of the logged rewards); otherwise the configuration's own name — a
    // learned reward ("exp λ = 2 · r̂ …") or another objective ("DPO β = 0.1 · r̂ …"). Runs group by scheme
    // and label; only an unlabelled uniform / λ = ∞ run is a baseline.
    std::string label;
};

struct SweepSummaryCell {
    std::string metric;
    double mean = 0.0;            // over the configuration's seeds
    bool paired = false;          // a per-user metric with a baseline in at least one of the seeds
    SeededDifference vsBaseline;  // meaningful when paired
};

struct SweepSummaryRow {
    WeightScheme scheme;
    std::string label;  // as SeededRunFigures::label
    bool isBaseline = false;
    std::vector<uint64_t> seeds;  // in run order
    std::vector<int64_t> runIds;
    std::vector<SweepSummaryCell> cells;  // one per asked metric the runs have
};

struct SweepSummary {
    bool hasBaseline = false;           // some seed has a uniform (or exp λ = ∞) run
    std::vector<SweepSummaryRow> rows;  // configurations in first-appearance order
};

// True for the weighting every seed's baseline uses: uniform, or exp with λ = ∞.
bool isSftWeighting(const WeightScheme& scheme);

// Groups `runs` by weighting. `metrics` names the figures wanted ("ndcg@10", "ndcg_high@10", …); a metric no
// run has is left out. Throws Error when a configuration and its baseline of one seed were evaluated on
// different users (another split).
SweepSummary summariseSweep(const std::vector<SeededRunFigures>& runs,
                            const std::vector<std::string>& metrics, const BootstrapConfig& bootstrap = {});

}  // namespace tiltbench
