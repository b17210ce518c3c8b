#include "train_events.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <limits>

namespace tiltbench {

namespace {
double number(const QJsonObject& o, const char* key) {
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

std::optional<TrainStreamEvent> parseTrainStreamLine(const QByteArray& line) {
    const QByteArray text = line.trimmed();
    if (!text.startsWith('{')) {
        return std::nullopt;
    }
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    const QString kind = o.value(QStringLiteral("event")).toString();
    if (kind.isEmpty()) {
        return std::nullopt;
    }
    TrainStreamEvent e;
    e.runId = static_cast<qint64>(o.value(QStringLiteral("run_id")).toDouble(0.0));
    if (kind == QStringLiteral("run")) {
        e.kind = TrainStreamEvent::Run;
    } else if (kind == QStringLiteral("progress")) {
        e.kind = TrainStreamEvent::Progress;
        TrainProgressEvent& p = e.progress;
        p.stage = o.value(QStringLiteral("stage")).toString();
        p.epoch = o.value(QStringLiteral("epoch")).toInt();
        p.epochs = o.value(QStringLiteral("epochs")).toInt();
        p.step = static_cast<qint64>(o.value(QStringLiteral("step")).toDouble());
        p.stepsPerEpoch = static_cast<qint64>(o.value(QStringLiteral("steps_per_epoch")).toDouble());
        p.loss = number(o, "loss");
        p.examplesPerSecond = number(o, "examples_per_second");
        p.etaSeconds = number(o, "eta_seconds");
        p.elapsedSeconds = number(o, "elapsed_seconds");
        p.done = static_cast<qint64>(o.value(QStringLiteral("done")).toDouble());
        p.total = static_cast<qint64>(o.value(QStringLiteral("total")).toDouble());
    } else if (kind == QStringLiteral("epoch")) {
        e.kind = TrainStreamEvent::Epoch;
        TrainEpochEvent& ep = e.epoch;
        ep.epoch = o.value(QStringLiteral("epoch")).toInt();
        ep.trainLoss = number(o, "train_loss");
        ep.validNdcg10 = number(o, "valid_ndcg@10");
        ep.validHr10 = number(o, "valid_hr@10");
        ep.trainSeconds = number(o, "train_seconds");
        ep.seconds = number(o, "seconds");
    } else if (kind == QStringLiteral("waiting_for_workspace")) {
        // Another process holds the workspace's write lock: shown as a progress stage (a status text). The
        // trainer keeps the epochs' records in memory meanwhile, or the command waits for its next write.
        e.kind = TrainStreamEvent::Progress;
        const int pending = o.value(QStringLiteral("pending_epochs")).toInt();
        const double seconds = number(o, "seconds");
        e.progress.stage =
            pending > 0
                ? QStringLiteral(
                      "waiting for the workspace (another process is writing to it; training goes "
                      "on, the records of %1 epoch(s) wait in memory)")
                      .arg(pending)
                : QStringLiteral("waiting for the workspace (another process is writing to it%1)")
                      .arg(seconds >= 0.0 ? QStringLiteral(", %1 s").arg(std::lround(seconds)) : QString());
    } else if (kind == QStringLiteral("finished")) {
        e.kind = TrainStreamEvent::Finished;
        e.status = o.value(QStringLiteral("status")).toString();
        e.error = o.value(QStringLiteral("error")).toString();
        e.epochsDone = o.value(QStringLiteral("epochs_done")).toInt();
    }
    return e;
}

}  // namespace tiltbench
