#pragma once
// TrainRequest: one run as the Train page queues it — dataset, model, weighting, evaluation and model
// settings — and how it is carried out: a SASRec run becomes the argument list of a child `tiltbench-cli
// train` (LibTorch stays out of the GUI process), a closed-form run a ClosedFormRunConfig for runClosedForm
// on a worker thread. Defaults are the engine's (SasrecRunConfig, PolicyParams, the CLI's seeds).
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

#include "model/closed_form_policy.h"
#include "train/closed_form_run.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct TrainRequest {
    QString dataset;
    QString model = QStringLiteral("sasrec");  // sasrec | popularity | markov | itemmean
    WeightScheme scheme = WeightScheme::exp(1.0);
    QString split = QStringLiteral("loo");  // loo | time
    int bootstrap = 1000;
    std::optional<uint64_t> seed;  // unset: the CLI's default (42 for SASRec, 1 for closed-form runs)
    int threads = 0;               // 0 = all cores
    PolicyParams params;           // closed-form

    // SASRec (SasrecRunConfig's defaults)
    int epochs = 200;
    int batchSize = 128;
    double lr = 1e-3;
    int dim = 64;
    int blocks = 2;
    int heads = 1;
    int maxLen = 200;
    double dropout = 0.2;
    int patience = 30;
    QString device = QStringLiteral("auto");  // auto | cpu | cuda | cuda:N

    std::optional<int64_t> resumeRunId;  // SASRec: continue this stopped run (the other settings are its own)

    // Fills the SASRec fields from SasrecRunConfig's defaults.
    static TrainRequest withEngineDefaults();

    bool isSasrec() const { return model == QStringLiteral("sasrec"); }
    // "sasrec · exp λ = 0.5 · mean", "resume run 7"
    QString describe() const;
    QString weightingText() const;
    // `train -w WORKSPACE … --json --progress-jsonl stderr` (without the program).
    QStringList cliArguments(const QString& workspacePath) const;
    ClosedFormRunConfig closedFormConfig() const;
};

}  // namespace tiltbench
