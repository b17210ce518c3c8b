#include "process/train_process.h"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>

#include "process/engine_process.h"
#include "shared/meta_types.h"

namespace tiltbench {

namespace {
QMap<QString, double> metricsOf(const QJsonObject& metrics) {
    QMap<QString, double> out;
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        if (it.value().isDouble()) {
            out.insert(it.key(), it.value().toDouble());
        }
    }
    return out;
}
}  // namespace

TrainProcess::TrainProcess(QObject* parent) : QObject(parent), m_engine(new EngineProcess(this)) {
    registerMetaTypes();
    connect(m_engine, &EngineProcess::event, this, &TrainProcess::onEvent);
    connect(m_engine, &EngineProcess::logLine, this, &TrainProcess::logLine);
    connect(m_engine, &EngineProcess::finished, this, [this](const EngineOutcome& e) {
        TrainOutcome outcome;
        outcome.runId = m_runId;
        // The epochs recorded in the workspace (what a resume continues from) when the stream said so: an
        // epoch event comes before its records are written, and a cancel while they wait may drop them.
        outcome.epochsDone = e.epochsDone >= 0 ? e.epochsDone : m_epochsDone;
        outcome.error = e.error;
        switch (e.status) {
            case EngineOutcome::Done: {
                outcome.status = TrainOutcome::Done;
                if (outcome.runId == 0) {
                    outcome.runId = static_cast<qint64>(e.reply.value(QStringLiteral("run_id")).toDouble());
                }
                const QJsonObject metrics = e.reply.value(QStringLiteral("metrics")).toObject();
                outcome.test = metricsOf(metrics.value(QStringLiteral("test")).toObject());
                outcome.valid = metricsOf(metrics.value(QStringLiteral("valid")).toObject());
                outcome.seconds = e.reply.value(QStringLiteral("seconds")).toDouble();
                outcome.epochsDone =
                    std::max(outcome.epochsDone,
                             static_cast<int>(e.reply.value(QStringLiteral("epochs")).toArray().size()));
                break;
            }
            case EngineOutcome::Cancelled:
                outcome.status = TrainOutcome::Cancelled;
                break;
            case EngineOutcome::Failed:
                outcome.status = TrainOutcome::Failed;
                break;
        }
        Q_EMIT finished(outcome);
    });
}

bool TrainProcess::start(const QString& program, const engine::Arguments& arguments) {
    if (m_engine->isRunning()) {
        return false;
    }
    m_runId = 0;
    m_epochsDone = 0;
    return m_engine->start(program, arguments);
}

bool TrainProcess::isRunning() const {
    return m_engine->isRunning();
}

void TrainProcess::cancel() {
    m_engine->cancel();
}

bool TrainProcess::isCancelling() const {
    return m_engine->isCancelling();
}

qint64 TrainProcess::processId() const {
    return m_engine->processId();
}

void TrainProcess::onEvent(const engine::Event& event) {
    if (const auto* run = std::get_if<engine::RunEvent>(&event)) {
        if (run->runId > 0 && run->runId != m_runId) {
            m_runId = run->runId;
            Q_EMIT runCreated(m_runId);
        }
    } else if (const auto* f = std::get_if<engine::FinishedEvent>(&event)) {
        if (f->runId > 0 && m_runId == 0) {
            m_runId = f->runId;
            Q_EMIT runCreated(m_runId);
        }
    } else if (const auto* e = std::get_if<engine::EpochEvent>(&event)) {
        const TrainEpochEvent epoch = trainEpochEvent(*e);
        m_epochsDone = std::max(m_epochsDone, epoch.epoch);
        Q_EMIT epochFinished(epoch);
    } else if (auto progress = trainProgressEvent(event)) {
        Q_EMIT progressed(*progress);
    }
}

}  // namespace tiltbench
