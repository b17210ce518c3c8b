#include "pages/train/train_events.h"

#include <cmath>
#include <limits>

namespace tiltbench {

namespace {
QString waitingText(const engine::WaitingEvent& w) {
    // Another process holds the workspace's write lock: shown as a status text. The trainer keeps the
    // epochs' records in memory meanwhile, or the command waits for its next write.
    if (w.pendingEpochs > 0) {
        return QStringLiteral(
                   "waiting for the workspace (another process is writing to it; training goes on, the "
                   "records of %1 epoch(s) wait in memory)")
            .arg(w.pendingEpochs);
    }
    return QStringLiteral("waiting for the workspace (another process is writing to it%1)")
        .arg(w.seconds >= 0.0 ? QStringLiteral(", %1 s").arg(std::lround(w.seconds)) : QString());
}
}  // namespace

std::optional<TrainProgressEvent> trainProgressEvent(const engine::Event& event) {
    TrainProgressEvent p;
    if (const auto* e = std::get_if<engine::ProgressEvent>(&event)) {
        p.stage = QString::fromStdString(e->stage);
        p.epoch = e->epoch;
        p.epochs = e->epochs;
        p.step = e->step;
        p.stepsPerEpoch = e->stepsPerEpoch;
        p.loss = e->loss;
        p.examplesPerSecond = e->examplesPerSecond;
        p.etaSeconds = e->etaSeconds;
        p.elapsedSeconds = e->elapsedSeconds;
        p.done = static_cast<qint64>(e->done);
        p.total = static_cast<qint64>(e->total);
        return p;
    }
    if (const auto* w = std::get_if<engine::WaitingEvent>(&event)) {
        p.stage = waitingText(*w);
        return p;
    }
    return std::nullopt;
}

TrainEpochEvent trainEpochEvent(const engine::EpochEvent& e) {
    TrainEpochEvent out;
    out.epoch = e.epoch;
    out.trainLoss = e.trainLoss;
    out.validNdcg10 = e.validNdcg10;
    out.validHr10 = e.validHr10;
    out.validProxyReward10 = e.validProxyReward10;
    out.validKlRef = e.validKlRef;
    out.validTrueReward10 = e.validTrueReward10;
    out.trainSeconds = e.trainSeconds;
    out.seconds = e.seconds;
    return out;
}

std::optional<TrainStreamEvent> parseTrainStreamLine(const QByteArray& line) {
    const QByteArray text = line.trimmed();
    const engine::ParsedLine parsed = engine::parseLine(std::string_view(text.constData(), text.size()));
    if (!parsed.isEvent) {
        return std::nullopt;
    }
    TrainStreamEvent e;
    if (!parsed.event) {
        return e;  // Other
    }
    const engine::Event& event = *parsed.event;
    if (const auto* run = std::get_if<engine::RunEvent>(&event)) {
        e.kind = TrainStreamEvent::Run;
        e.runId = run->runId;
    } else if (const auto* epoch = std::get_if<engine::EpochEvent>(&event)) {
        e.kind = TrainStreamEvent::Epoch;
        e.epoch = trainEpochEvent(*epoch);
    } else if (const auto* f = std::get_if<engine::FinishedEvent>(&event)) {
        e.kind = TrainStreamEvent::Finished;
        e.runId = f->runId;
        e.status = QString::fromLatin1(engine::statusName(f->status));
        e.error = QString::fromStdString(f->error);
        e.epochsDone = f->epochsDone.value_or(0);
    } else if (auto progress = trainProgressEvent(event)) {
        e.kind = TrainStreamEvent::Progress;
        e.progress = *progress;
    }
    return e;
}

}  // namespace tiltbench
