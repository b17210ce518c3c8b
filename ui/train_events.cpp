#include "train_events.h"

#include <QJsonDocument>
#include <QJsonObject>
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
    } else if (kind == QStringLiteral("finished")) {
        e.kind = TrainStreamEvent::Finished;
        e.status = o.value(QStringLiteral("status")).toString();
        e.error = o.value(QStringLiteral("error")).toString();
        e.epochsDone = o.value(QStringLiteral("epochs_done")).toInt();
    }
    return e;
}

}  // namespace tiltbench
