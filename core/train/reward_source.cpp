#include "train/reward_source.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "reward/reward_model.h"
#include "store/run_store.h"
#include "train/reward_run.h"

namespace tiltbench {

RewardSource RewardSource::parse(const std::string& text) {
    if (text == "logged")
        return {};
    const std::string prefix = "model:";
    if (text.rfind(prefix, 0) == 0 && text.size() > prefix.size() && text.size() <= prefix.size() + 18 &&
        text.find_first_not_of("0123456789", prefix.size()) == std::string::npos) {
        const int64_t run = std::stoll(text.substr(prefix.size()));
        if (run > 0)
            return RewardSource{run};
    }
    throw Error(
        fmt::format("--reward-source must be 'logged' or 'model:RUN' with RUN the id of a reward-model "
                    "run (tiltbench-cli reward), got '{}'",
                    text));
}

std::string RewardSource::format() const {
    return logged() ? std::string("logged") : fmt::format("model:{}", modelRun);
}

std::unique_ptr<RewardModel> sourcedRewardModel(Workspace& ws, const RewardSource& source,
                                                const DatasetInfo& info, const Split& split) {
    if (source.logged())
        return nullptr;
    const RunStore runs(ws);
    const std::string what = fmt::format("--reward-source model:{}", source.modelRun);
    RunRecord run;
    try {
        run = runs.run(source.modelRun);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", what, e.what()));
    }
    if (!isRewardModelRun(run.model))
        throw Error(
            fmt::format("{}: run {} is a '{}' run, not a reward model (train one with "
                        "`tiltbench-cli reward`)",
                        what, run.id, run.model));
    if (run.datasetId != info.id)
        throw Error(
            fmt::format("{}: run {} was fitted on another dataset than '{}'", what, run.id, info.name));
    if (run.status != "done")
        throw Error(fmt::format("{}: run {} is {}, not done", what, run.id, run.status));
    const nlohmann::json cfg = nlohmann::json::parse(run.config, nullptr, false);
    const auto hash = cfg.is_object() ? cfg.find("split_hash") : cfg.end();
    if (!cfg.is_object() || hash == cfg.end() || !hash->is_string() ||
        hash->get<std::string>() != split.hashHex())
        throw Error(
            fmt::format("{}: run {} was fitted on another split of '{}' than this run's ({}): its "
                        "predictions would not belong to these training targets",
                        what, run.id, info.name, split.description()));
    const std::string bytes = runs.modelBlob(run.id);
    if (bytes.empty())
        throw Error(fmt::format("{}: run {} has no stored fit (fit it again with `tiltbench-cli reward`)",
                                what, run.id));
    return loadRewardModel(bytes, split.numUsers(), split.numItems(),
                           fmt::format("run {}: checkpoints.blob", run.id));
}

std::vector<double> sourcedTrainingRewards(Workspace& ws, const RewardSource& source, const DatasetInfo& info,
                                           const Split& split) {
    const TrainingTargets& t = split.training();
    const auto model = sourcedRewardModel(ws, source, info, split);
    if (!model)
        return t.reward;
    std::vector<double> rewards(t.size());
    for (size_t k = 0; k < t.size(); ++k) {
        rewards[k] = model->predict(t.user[k], t.item[k]);
        if (!std::isfinite(rewards[k]))
            throw Error(fmt::format("--reward-source model:{}: run {} predicts a reward that is not finite",
                                    source.modelRun, source.modelRun));
    }
    return rewards;
}

}  // namespace tiltbench
