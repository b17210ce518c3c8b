#pragma once
// Report: one dataset's recorded runs as one self-contained HTML document a person would rather look at than
// read — inline SVG plots and CSS, no script, nothing fetched. For every experiment (runs that share all
// settings but their weighting, seed and parent: one sweep, or several sweeps over seeds) it shows each
// metric against λ with the two-level interval of its mean over seeds, the paired difference against the SFT
// baseline of the same seed (train/sweep_summary.h), the best exp λ — chosen on validation — against every
// other weighting, a verdict for each of the method's claims, ESS/N against λ on the dataset, and the
// protocol, the machine and the command of every run. Torch-free: `tiltbench-cli report` and the GUI's
// Compare page make it.
#include <cstdint>
#include <string>

namespace tiltbench {

class Workspace;

struct ReportOptions {
    std::string dataset;
    int resamples = 1000;  // bootstrap resamples of every interval (0 = none)
    uint64_t seed = 1;
    std::string machine;      // where the report was made, e.g. "host · 2 cores"; empty = not said
    std::string generatedAt;  // UTC timestamp; empty = not said
};

// Throws Error for an unknown dataset or a bad option. A dataset without finished runs gives a report saying
// so.
std::string buildReport(Workspace& ws, const ReportOptions& options);

}  // namespace tiltbench
