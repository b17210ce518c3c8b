#pragma once
// TrainRequest: one run as the Train page queues it — the engine's request (engine/requests.h: dataset,
// model, weighting, evaluation and SASRec settings, each declared once in core) with what the page shows of
// it. A SASRec run becomes the argument list of a child `tiltbench-cli train` (LibTorch stays out of the GUI
// process), a closed-form run a ClosedFormRunConfig for runClosedForm on a worker thread.
#include <QString>
#include <QStringList>

#include "engine/requests.h"

namespace tiltbench {

struct TrainRequest : engine::TrainRequest {
    TrainRequest() { run.scheme = WeightScheme::exp(1.0); }

    // The engine's defaults (SasrecRunConfig's) with exp λ = 1.
    static TrainRequest withEngineDefaults();

    QString datasetName() const { return QString::fromStdString(run.dataset); }
    QString modelName() const { return QString::fromStdString(model); }
    // "sasrec · exp λ = 0.5 · mean", "resume run 7"
    QString describe() const;
    QString weightingText() const;
    // `train -w WORKSPACE … --json --progress-jsonl stderr` (without the program).
    engine::Arguments arguments(const QString& workspacePath) const;
    QStringList cliArguments(const QString& workspacePath) const;
};

}  // namespace tiltbench
