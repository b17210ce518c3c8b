#include "train/post_training.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"
#include "model/sasrec_config.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace tiltbench {

SasrecRunConfig checkFinishedSasrecRun(Workspace& ws, const DatasetInfo& dataset, const Split& split,
                                       int64_t id, const std::string& option, const std::string& purpose) {
    const auto fail = [id, &option](const std::string& why) {
        return Error(fmt::format("{} {}: {}", option, id, why));
    };
    RunRecord parent;
    try {
        parent = RunStore(ws).run(id);
    } catch (const Error&) {
        throw fail("the workspace has no such run");
    }
    if (!isSequentialModel(parent.model))
        throw fail(fmt::format("run {} is a '{}' run; {} a sasrec or hstu run", id, parent.model, purpose));
    if (parent.status != "done")
        throw fail(fmt::format("run {} is {}, not done: {} a finished run", id, parent.status, purpose));
    if (parent.datasetId != dataset.id) {
        throw fail(fmt::format("run {} was trained on another dataset ('{}'), this run uses '{}'", id,
                               ws.dataset(parent.datasetId).name, dataset.name));
    }
    SasrecRunConfig p = SasrecRunConfig::fromJson(parent.config);
    if (p.model != parent.model)
        throw fail(fmt::format("run {} is recorded as '{}' but its config describes a '{}' model", id,
                               parent.model, p.model));
    const auto recorded =
        nlohmann::json::parse(parent.config, nullptr, false);  // an object: fromJson read it
    if (recorded.value("split_hash", std::string()) != split.hashHex()) {
        throw fail(fmt::format("run {} was trained on another split ({}); this run's split is {}", id,
                               recorded.value("split_description", std::string("unknown")),
                               split.description()));
    }
    if (recorded.contains("num_items") && recorded["num_items"].is_number_integer() &&
        recorded["num_items"].get<int64_t>() != split.numItems())
        throw fail(fmt::format("run {} has {} items, this split {}", id, recorded["num_items"].get<int64_t>(),
                               split.numItems()));
    return p;
}

void checkPostTrainingParent(Workspace& ws, const DatasetInfo& dataset, const Split& split,
                             const SasrecRunConfig& config) {
    const int64_t id = config.initFrom;
    if (id <= 0)
        return;
    const SasrecRunConfig p =
        checkFinishedSasrecRun(ws, dataset, split, id, "--init-from", "post-training starts from");
    const auto fail = [id](const std::string& why) {
        return Error(fmt::format("--init-from {}: {}", id, why));
    };
    const auto differs = [&](const char* what, int64_t theirs, int64_t ours) {
        if (theirs != ours)
            throw fail(fmt::format("run {} has {} {}, this run {}: the architecture must match", id, what,
                                   theirs, ours));
    };
    if (p.model != config.model)
        throw fail(fmt::format("run {} is a {} model, this run {}: the architecture must match", id, p.model,
                               config.model));
    differs("dim", p.dim, config.dim);
    differs("blocks", p.blocks, config.blocks);
    differs("heads", p.heads, config.heads);
    differs("max length", p.maxLen, config.maxLen);
}

}  // namespace tiltbench
