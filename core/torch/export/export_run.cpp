#include "torch/export/export_run.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "eval/split.h"
#include "model/sasrec_config.h"
#include "torch/runtime/runtime.h"
#include "train/run_split.h"
#include "weighting/target_view.h"

namespace tiltbench {

void requireExportable(const RunRecord& run) {
    if (!isSequentialModel(run.model) && run.model != "popularity" && run.model != "markov" &&
        run.model != "itemmean")
        throw Error(
            fmt::format("run {} is a '{}' run: Tiltbench cannot export that model", run.id, run.model));
    if (run.status == "done")
        return;
    std::string advice;
    if (run.status == "running")
        advice = "wait until it has finished";
    else if (isSequentialModel(run.model))
        advice = fmt::format("finish it with `tiltbench-cli train --resume {}`, or train it again", run.id);
    else
        advice = "train it again and export the new run";
    throw Error(fmt::format("run {} is {}: only finished (done) runs can be exported; {}", run.id, run.status,
                            advice));
}

const Scorer& ExportedRun::scorer() const {
    if (isSasrec()) {
        if (!m_sasrecScorer)
            m_sasrecScorer = std::make_unique<SasrecScorer>(*sasrec);
        return *m_sasrecScorer;
    }
    return *policy;
}

std::unique_ptr<ExportedRun> loadRunForExport(Workspace& ws, int64_t runId, const std::string& device,
                                              const ProgressCallback& progress) {
    auto out = std::make_unique<ExportedRun>();
    RunStore store(ws);
    out->run = store.run(runId);
    const RunRecord& run = out->run;
    const bool sasrec = isSequentialModel(run.model);
    requireExportable(run);
    out->dataset = ws.dataset(run.datasetId);
    reportProgress(progress, {"loading " + out->dataset.name, 0, 0, ""});
    out->log = ws.loadLog(out->dataset.id, progress);

    const Split split = recordedSplit(out->log, run, out->dataset.name,
                                      "so the model's item ids no longer match it; train the model again");
    out->splitHash = split.hashHex();
    out->splitDescription = split.description();
    for (const auto& m : store.metrics(runId)) {
        if (m.epoch == -1 && m.split == "test")
            out->testMetrics[m.name] = m.value;
        else if (m.epoch == -1 && m.split == "valid")
            out->validMetrics[m.name] = m.value;
    }

    reportProgress(progress, {"loading the model", 0, 0, ""});
    if (sasrec) {
        out->sasrecConfig = SasrecRunConfig::fromJson(run.config);
        out->scheme = out->sasrecConfig.scheme;
        out->checkpointEpoch = sasrecCheckpointEpoch(ws, runId);
        out->sasrec = std::make_unique<SasrecModel>(loadSasrecCheckpoint(ws, runId, device));
        if (out->sasrec->config().numItems != out->log.numItems()) {
            throw Error(fmt::format("run {}: the model has {} items, dataset '{}' now has {}", runId,
                                    out->sasrec->config().numItems, out->dataset.name, out->log.numItems()));
        }
    } else {
        out->closedForm = ClosedFormRunConfig::fromJson(run.config);
        out->scheme = out->closedForm.scheme;
        out->policyData = PolicyData::build(viewOf(split.training(), split.numItems()),
                                            out->closedForm.model == PolicyKind::Markov);
        out->policy = fitClosedFormPolicy(out->closedForm.model, out->policyData, out->closedForm.scheme,
                                          out->closedForm.params);
    }
    return out;
}

nlohmann::json exportMetadata(const ExportedRun& r) {
    nlohmann::json j;
    j["format_version"] = 1;
    j["tiltbench_version"] = versionString();
    j["run_id"] = r.run.id;
    j["model"] = r.run.model;
    j["dataset"] = r.dataset.name;
    j["split"] = r.splitDescription;
    j["split_hash"] = r.splitHash;
    j["weighting"] = nlohmann::json::parse(r.scheme.toJson());
    j["scheme"] = formatWeightKind(r.scheme.kind);
    j["lambda"] = std::isfinite(r.scheme.lambda) ? nlohmann::json(r.scheme.lambda) : nlohmann::json("inf");
    j["normalization"] = formatWeightNormalization(r.scheme.normalization);
    nlohmann::json hp;
    if (r.isSasrec()) {
        const SasrecRunConfig& c = r.sasrecConfig;
        const auto stored = nlohmann::json::parse(r.run.config, nullptr, false);
        hp = {{"dim", c.dim},
              {"blocks", c.blocks},
              {"heads", c.heads},
              {"max_len", c.maxLen},
              {"dropout", c.dropout},
              {"epochs", c.epochs},
              {"batch_size", c.batchSize},
              {"length_buckets", c.lengthBuckets},
              {"lr", c.lr},
              {"weight_decay", c.weightDecay},
              {"optimizer", "adam"},
              {"patience", c.patience},
              {"seed", c.seed},
              {"precision", stored.is_object() ? stored.value("precision", c.precision) : c.precision}};
        j["checkpoint_epoch"] = r.checkpointEpoch;
    } else {
        hp = {{"markov_smoothing", r.closedForm.params.markovSmoothing},
              {"itemmean_prior", r.closedForm.params.itemMeanPrior}};
    }
    j["hyperparameters"] = hp;
    j["metrics"] = {{"test", r.testMetrics}, {"valid", r.validMetrics}};
    return j;
}

}  // namespace tiltbench
