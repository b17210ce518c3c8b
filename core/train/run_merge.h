#pragma once
// Merge (issue 18): bring the finished runs of other workspaces — a sweep's shards trained on other machines
// (`sweep --shard I/N`) — into one workspace's dataset, so that the report, the Compare page and `runs` see
// them together. Torch-free.
//
// - Datasets are matched by content, not by name: the source's datasets whose fingerprint
//   (data/fingerprint.h) is the target dataset's, and whose contents then compare equal, give their runs.
//   A source without one is refused, naming both fingerprints.
// - Only finished (`done`) runs are carried; others are counted and left.
// - Every carried run's stored config must read as its model's config (the checks `--resume` and `eval`
// make),
//   and its split hash must be the one the target dataset gives for that split: runs on another split are
//   refused.
// - Run links — a post-trained run's parent (`init_from`), the reward model of `reward_source` model:RUN, a
//   reward head's `state_run` — are renumbered to the target's ids; a link to a run that is not carried (not
//   finished, another dataset, missing) is refused.
// - A run whose settings equal a finished run's already in the target (machine details — threads, device,
//   versions — aside) is not copied again: its links point to the target's run. So merging a workspace twice
//   adds nothing, and two shards' copies of one SFT parent become one.
// - Carried runs record where they came from (`merged_from`: source file name and run id) in their config.
// - Everything is one transaction: a refusal leaves the target exactly as it was. The sources are only read.
#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "store/workspace.h"

namespace tiltbench {

struct MergeOptions {
    std::string dataset;               // the target workspace's dataset
    std::vector<std::string> sources;  // workspace files to take runs from, in order
    bool dryRun = false;               // check and plan everything, write nothing
};

struct MergedRun {
    std::string source;     // the source workspace's path
    int64_t sourceRun = 0;  // its id there
    int64_t targetRun = 0;  // its id in the target (the existing run's when `existing`)
    std::string model;
    bool existing = false;  // an equal finished run was already in the target: not copied
};

struct MergeSourceReport {
    std::string path;
    std::vector<std::string> datasets;  // its datasets with the target's content (their names there)
    size_t unfinished = 0;              // runs left behind: not finished
};

struct MergeResult {
    std::string dataset;
    std::string fingerprint;  // the target dataset's content fingerprint
    std::vector<MergeSourceReport> sources;
    std::vector<MergedRun> runs;  // in the order they were carried
    size_t copied = 0;
    bool dryRun = false;
};

// Throws Error (the target unchanged) naming the source file, run and field where anything is refused.
MergeResult mergeRuns(Workspace& target, const MergeOptions& options, const ProgressCallback& progress = {});

}  // namespace tiltbench
