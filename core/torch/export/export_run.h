#pragma once
// ExportedRun: a finished run made ready to export — its record, its dataset's log (item and user ids,
// titles, histories), the final test metrics, and the model itself: a SASRec run's best checkpoint, or a
// closed-form policy refitted from its stored config (the fit is deterministic, so it is the policy the run
// measured). Loading refuses runs that are not `done` and runs whose dataset no longer gives the split they
// were trained on, so an export never pairs a model with the wrong item ids. Private to core/export.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/progress.h"
#include "data/interaction_log.h"
#include "eval/scorer.h"
#include "model/closed_form_policy.h"
#include "store/dataset_info.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "torch/model/sasrec.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"

namespace tiltbench {

struct ExportedRun {
    RunRecord run;
    DatasetInfo dataset;
    InteractionLog log;
    std::string splitHash;
    std::string splitDescription;
    WeightScheme scheme;
    std::map<std::string, double> testMetrics;   // final figures of the test targets
    std::map<std::string, double> validMetrics;  // and of the validation targets

    bool isSasrec() const { return isSequentialModel(run.model); }
    // SASRec
    SasrecRunConfig sasrecConfig;
    int checkpointEpoch = 0;
    std::unique_ptr<SasrecModel> sasrec;
    // closed-form
    ClosedFormRunConfig closedForm;
    PolicyData policyData;
    std::unique_ptr<Scorer> policy;

    // The model as a Scorer over the whole catalogue.
    const Scorer& scorer() const;

  private:
    mutable std::unique_ptr<SasrecScorer> m_sasrecScorer;
};

// Throws Error naming the run when its model cannot be exported or it is not `done` (saying what to do).
void requireExportable(const RunRecord& run);

// Throws Error naming the run when it is absent, not `done` (saying what to do instead), its model is
// unknown, it has no checkpoint, or its dataset changed since it was trained. `device` only matters for
// SASRec runs.
std::unique_ptr<ExportedRun> loadRunForExport(Workspace& ws, int64_t runId, const std::string& device,
                                              const ProgressCallback& progress);

// What every export says about the run, as JSON: format_version, tiltbench_version, run_id, model, dataset,
// split (description and hash), weighting (WeightScheme JSON) with scheme / lambda / normalization spelled
// out, hyperparameters, checkpoint_epoch (SASRec), metrics {"test": {…}, "valid": {…}}. λ = ∞ is the string
// "inf".
nlohmann::json exportMetadata(const ExportedRun& run);

}  // namespace tiltbench
