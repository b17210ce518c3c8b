#pragma once
// The plain structs a training run reports to the Train page, whether it runs in a child tiltbench-cli
// (SASRec: parsed from its --progress-jsonl lines) or on a worker thread (closed-form policies), and the
// parser for those lines. Missing or null numbers read as NaN.
#include <QMap>
#include <QMetaType>
#include <QString>
#include <limits>
#include <optional>

#include "engine/protocol.h"

namespace tiltbench {

struct TrainProgressEvent {
    QString stage;  // "training", "validating", "testing", or a closed-form stage ("loading ml", "ranking")
    int epoch = 0;  // 1-based; 0 for closed-form runs
    int epochs = 0;
    qint64 step = 0;
    qint64 stepsPerEpoch = 0;
    double loss = 0.0;  // running mean training loss of the epoch
    double examplesPerSecond = 0.0;
    double etaSeconds = 0.0;  // 0 = unknown
    double elapsedSeconds = 0.0;
    qint64 done = 0;  // closed-form stages: units done of total (0 = unknown)
    qint64 total = 0;
};

struct TrainEpochEvent {
    int epoch = 0;
    double trainLoss = 0.0;
    double validNdcg10 = 0.0;
    double validHr10 = 0.0;
    // Post-training runs: proxy and true reward of the top-10, KL to the parent (NaN when not measured).
    double validProxyReward10 = std::numeric_limits<double>::quiet_NaN();
    double validKlRef = std::numeric_limits<double>::quiet_NaN();
    double validTrueReward10 = std::numeric_limits<double>::quiet_NaN();
    double trainSeconds = 0.0;
    double seconds = 0.0;  // training + validation + checkpoint, wall clock
};

struct TrainOutcome {
    enum Status { Done, Cancelled, Failed };
    Status status = Failed;
    qint64 runId = 0;  // 0 = no run was recorded
    QString error;     // Failed: what went wrong
    int epochsDone = 0;
    double seconds = 0.0;
    QMap<QString, double> test;  // final test metrics (done runs)
    QMap<QString, double> valid;
};

// The engine's events (engine/protocol.h) as the Train page shows them. A progress event or a wait for the
// workspace (as a status text) becomes a TrainProgressEvent; anything else is empty.
std::optional<TrainProgressEvent> trainProgressEvent(const engine::Event& event);
TrainEpochEvent trainEpochEvent(const engine::EpochEvent& event);

// One line of `tiltbench-cli train --progress-jsonl`, read by engine::parseLine: which event it is and its
// fields.
struct TrainStreamEvent {
    enum Kind { Run, Progress, Epoch, Finished, Other };
    Kind kind = Other;
    qint64 runId = 0;  // Run, Finished
    QString status;    // Finished: done | cancelled | failed
    QString error;     // Finished
    int epochsDone = 0;
    TrainProgressEvent progress;
    TrainEpochEvent epoch;
};

// Parses one line; empty when it is not a JSON object with an "event" (a human-readable log line).
std::optional<TrainStreamEvent> parseTrainStreamLine(const QByteArray& line);

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::TrainProgressEvent)
Q_DECLARE_METATYPE(tiltbench::TrainEpochEvent)
Q_DECLARE_METATYPE(tiltbench::TrainOutcome)
