#include "torch/train/run_evaluation.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "data/ground_truth.h"
#include "eval/evaluator.h"
#include "torch/model/sasrec.h"
#include "torch/runtime/runtime.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"
#include "train/reward_run.h"
#include "train/run_split.h"

namespace tiltbench {

RunEvaluation reevaluateRun(Workspace& ws, int64_t runId, const std::string& device, int threads,
                            const ProgressCallback& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    RunStore store(ws);
    RunEvaluation out;
    out.run = store.run(runId);
    const RunRecord& run = out.run;
    if (isRewardModelRun(run.model))
        throw Error(
            fmt::format("run {} is a reward model ('{}'): it recommends nothing to evaluate; its figures "
                        "are those of `tiltbench-cli reward`",
                        runId, run.model));
    const bool sasrec = isSequentialModel(run.model);
    // A closed-form run has no checkpoint: only a finished one is known to have a config that fits.
    if (!sasrec && run.status != "done") {
        throw Error(
            fmt::format("run {} is {} and has no checkpoint: only finished runs of '{}' can be "
                        "re-evaluated (train it again instead)",
                        runId, run.status, run.model));
    }
    const DatasetInfo info = ws.dataset(run.datasetId);
    out.dataset = info.name;

    reportProgress(progress, {"loading " + info.name, 0, 0, ""});
    const InteractionLog log = ws.loadLog(info.id, progress);
    const Split split = recordedSplit(log, run, info.name, "so its figures cannot be reproduced");

    TrueRewardFunction trueReward;
    std::optional<GroundTruth> truth;
    if (auto record = ws.loadGroundTruth(info.id)) {
        truth = GroundTruth::fromRecord(*record);
        trueReward = [&truth](int32_t u, int32_t i) { return truth->expectedReward(u, i); };
    }

    if (sasrec) {
        const SasrecRunConfig config = SasrecRunConfig::fromJson(run.config);
        out.weightingJson = config.scheme.toJson();
        // By default the thread count the run was trained with: the figures then match to the last bit.
        setThreads(threads > 0 ? threads : config.threads);
        out.checkpointEpoch = sasrecCheckpointEpoch(ws, runId);
        if (out.checkpointEpoch == 0) {
            throw Error(
                fmt::format("run {} is {} and has no checkpoint (it stopped before its first epoch "
                            "ended): there is nothing to evaluate",
                            runId, run.status));
        }
        const SasrecModel model = loadSasrecCheckpoint(ws, runId, device);
        const SasrecScorer scorer(model);
        const Evaluator evaluator(log, split,
                                  sasrecEvalConfig(config, config.bootstrapResamples, trueReward));
        out.valid = evaluator.evaluate(scorer, EvalSet::Validation, progress);
        out.test = evaluator.evaluate(scorer, EvalSet::Test, progress);
    } else {
        ClosedFormRunConfig config = ClosedFormRunConfig::fromJson(run.config);
        config.threads = threads;
        out.weightingJson = config.scheme.toJson();
        ClosedFormRunResult r;
        fitAndEvaluateClosedForm(log, split, config, trueReward, progress, r);
        out.valid = std::move(r.valid);
        out.test = std::move(r.test);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace tiltbench
