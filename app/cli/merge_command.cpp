// The CLI's `merge`: finished runs of other workspaces into one dataset of this one (train/run_merge.h).
// Registered in cli_commands.cpp; torch-free, so the light executable runs it.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_commands.h"
#include "json_output.h"
#include "store/workspace.h"
#include "terminal_progress.h"
#include "train/run_merge.h"

namespace tiltbench::cli {

int Commands::runMerge() {
    Workspace ws(m_workspace, OpenMode::OpenExisting);
    MergeOptions options;
    options.dataset = m_dataset;
    options.sources = m_mergeSources;
    options.dryRun = m_dryRun;
    TerminalProgress progress;
    const MergeResult r = mergeRuns(ws, options, progress.callback());
    progress.finish();
    if (m_json) {
        nlohmann::json sources = nlohmann::json::array();
        for (const MergeSourceReport& s : r.sources)
            sources.push_back(
                {{"workspace", s.path}, {"datasets", s.datasets}, {"unfinished_runs", s.unfinished}});
        nlohmann::json runs = nlohmann::json::array();
        for (const MergedRun& m : r.runs) {
            runs.push_back({{"workspace", m.source},
                            {"source_run_id", m.sourceRun},
                            {"run_id", m.targetRun},
                            {"model", m.model},
                            {"copied", !m.existing}});
        }
        std::cout << jsonText({{"workspace", m_workspace},
                               {"dataset", r.dataset},
                               {"fingerprint", r.fingerprint},
                               {"dry_run", r.dryRun},
                               {"copied", r.copied},
                               {"sources", sources},
                               {"runs", runs}})
                  << "\n";
        return 0;
    }
    std::cout << fmt::format("Dataset '{}' (content fingerprint {}){}\n", r.dataset, r.fingerprint,
                             r.dryRun ? " — dry run, nothing written" : "");
    for (const MergeSourceReport& s : r.sources) {
        std::cout << fmt::format(
            "  from {}: dataset {}{}\n", s.path, fmt::join(s.datasets, ", "),
            s.unfinished ? fmt::format(" ({} unfinished runs left behind)", s.unfinished) : std::string());
    }
    for (const MergedRun& m : r.runs) {
        std::cout << fmt::format("  {} run {:>4} ({}) -> {}\n", m.source, m.sourceRun, m.model,
                                 m.existing
                                     ? fmt::format("already here as run {}", m.targetRun)
                                     : fmt::format("{}run {}", r.dryRun ? "would be " : "", m.targetRun));
    }
    std::cout << fmt::format("{} {} run(s), {} already present\n", r.dryRun ? "Would copy" : "Copied",
                             r.copied, r.runs.size() - r.copied);
    return 0;
}

}  // namespace tiltbench::cli
