#include "train/run_split.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace tiltbench {

Split recordedSplit(const InteractionLog& log, const RunRecord& run, const std::string& datasetName,
                    const std::string& consequence) {
    const auto cfg = nlohmann::json::parse(run.config, nullptr, false);
    if (!cfg.is_object())
        throw Error(fmt::format("run {}: its stored config is not a JSON object", run.id));
    SplitConfig splitConfig;
    if (cfg.contains("split") && cfg["split"].is_string())
        splitConfig.kind = SplitConfig::kindFromString(cfg["split"].get<std::string>());
    Split split = Split::make(log, splitConfig);
    if (cfg.contains("split_hash") && !cfg["split_hash"].is_string())
        throw Error(fmt::format("run {}: its stored config has a split_hash that is not a string", run.id));
    const std::string recorded = cfg.value("split_hash", std::string());
    if (!recorded.empty() && recorded != split.hashHex()) {
        throw Error(fmt::format(
            "run {} was trained on another split of dataset '{}' (split hash {}, now {}): the dataset has "
            "changed since, {}",
            run.id, datasetName, recorded, split.hashHex(), consequence));
    }
    return split;
}

StartedRun startRunOnSplit(Workspace& ws, const DatasetInfo& info, const SplitConfig& splitConfig,
                           const std::string& model, const std::string& configJson,
                           const ProgressCallback& progress,
                           const std::function<void(const InteractionLog&, const Split&)>& beforeRecord) {
    reportProgress(progress, {"loading " + info.name, 0, 0, ""});
    InteractionLog log = ws.loadLog(info.id, progress);
    Split split = Split::make(log, splitConfig);
    if (beforeRecord)
        beforeRecord(log, split);
    nlohmann::json cfg = nlohmann::json::parse(configJson);
    cfg["split_hash"] = split.hashHex();
    cfg["split_description"] = split.description();
    const int64_t runId = RunStore(ws).createRun(info.id, model, cfg.dump(), "cpu");
    return {std::move(log), std::move(split), runId};
}

}  // namespace tiltbench
