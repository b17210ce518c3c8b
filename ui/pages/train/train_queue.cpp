#include "pages/train/train_queue.h"

#include <QMetaObject>
#include <cmath>

#include "jobs/job_runner.h"
#include "pages/train/closed_form_train_worker.h"
#include "process/engine_process.h"
#include "process/train_process.h"
#include "shared/formatting.h"
#include "shared/meta_types.h"

namespace tiltbench {

QString queueStatusText(QueueEntry::Status status) {
    switch (status) {
        case QueueEntry::Pending:
            return TrainQueue::tr("pending");
        case QueueEntry::Running:
            return TrainQueue::tr("running");
        case QueueEntry::Done:
            return TrainQueue::tr("done");
        case QueueEntry::Failed:
            return TrainQueue::tr("failed");
        case QueueEntry::Cancelled:
            return TrainQueue::tr("cancelled");
    }
    return {};
}

TrainQueue::TrainQueue(QObject* parent)
    : QObject(parent), m_process(new TrainProcess(this)), m_jobs(new JobRunner(this)) {
    registerMetaTypes();
    connect(m_process, &TrainProcess::runCreated, this, [this](qint64 runId) {
        if (m_current >= 0) {
            m_entries[static_cast<size_t>(m_current)].runId = runId;
            Q_EMIT entryChanged(m_current);
            Q_EMIT runCreated(m_current, runId);
        }
    });
    connect(m_process, &TrainProcess::progressed, this, &TrainQueue::onProgress);
    connect(m_process, &TrainProcess::epochFinished, this, [this](const TrainEpochEvent& e) {
        if (m_current >= 0) {
            m_entries[static_cast<size_t>(m_current)].epochsDone = e.epoch;
            Q_EMIT epochFinished(m_current, e);
        }
    });
    connect(m_process, &TrainProcess::logLine, this, &TrainQueue::logLine);
    connect(m_process, &TrainProcess::finished, this, &TrainQueue::onOutcome);
    connect(m_jobs, &JobRunner::idle, this, &TrainQueue::onClosedFormStopped);
}

TrainQueue::~TrainQueue() = default;

void TrainQueue::setWorkspacePath(const QString& path) {
    m_workspacePath = path;
}

int TrainQueue::enqueue(const TrainRequest& request) {
    QueueEntry entry;
    entry.id = m_nextId++;
    entry.request = request;
    entry.queuedAt = QDateTime::currentDateTimeUtc();
    entry.fraction = 0.0;
    Q_EMIT aboutToAddEntry(static_cast<int>(m_entries.size()));
    m_entries.push_back(entry);
    Q_EMIT entryAdded(static_cast<int>(m_entries.size()) - 1);
    if (m_current < 0) {
        // From the event loop, so that a sweep is queued whole before its first run starts (or fails).
        QMetaObject::invokeMethod(this, &TrainQueue::startNext, Qt::QueuedConnection);
    }
    return entry.id;
}

QList<int> TrainQueue::enqueueSweep(const QList<TrainRequest>& requests) {
    const int sweep = m_nextSweep++;
    QList<int> ids;
    for (const TrainRequest& request : requests) {
        const int id = enqueue(request);
        QueueEntry& e = m_entries[static_cast<size_t>(rowOf(id))];
        e.sweep = sweep;
        e.sweepIndex = static_cast<int>(ids.size()) + 1;
        e.sweepSize = static_cast<int>(requests.size());
        ids << id;
    }
    return ids;
}

int TrainQueue::enqueueResume(const TrainRequest& request, QString* why) {
    const qint64 runId = request.resumeRunId.value_or(0);
    if (runId <= 0) {
        if (why) {
            *why = tr("No run to resume was given.");
        }
        return -1;
    }
    for (const QueueEntry& e : m_entries) {
        const bool active = e.status == QueueEntry::Pending || e.status == QueueEntry::Running;
        if (active && (e.request.resumeRunId.value_or(0) == runId || e.runId == runId)) {
            if (why) {
                *why =
                    e.status == QueueEntry::Running
                        ? tr("Run %1 is running (queue entry #%2).").arg(runId).arg(e.id)
                        : tr("Run %1 is already waiting to resume (queue entry #%2).").arg(runId).arg(e.id);
            }
            return -1;
        }
    }
    const int id = enqueue(request);
    for (size_t r = 0; r < m_entries.size(); ++r) {
        QueueEntry& e = m_entries[r];
        if (e.id != id && e.runId == runId && e.status == QueueEntry::Cancelled && e.resumedAs == 0) {
            e.resumedAs = id;
            e.progressText = tr("resumed as #%1").arg(id);
            Q_EMIT entryChanged(static_cast<int>(r));
        }
    }
    return id;
}

int TrainQueue::rowOf(int id) const {
    for (size_t r = 0; r < m_entries.size(); ++r) {
        if (m_entries[r].id == id) {
            return static_cast<int>(r);
        }
    }
    return -1;
}

const QueueEntry* TrainQueue::runningEntry() const {
    return m_current >= 0 ? &m_entries[static_cast<size_t>(m_current)] : nullptr;
}

bool TrainQueue::hasPending() const {
    for (const QueueEntry& e : m_entries) {
        if (e.status == QueueEntry::Pending) {
            return true;
        }
    }
    return false;
}

bool TrainQueue::isCancelling() const {
    return m_current >= 0 && (m_process->isCancelling() || m_jobs->isCancelling(kFitJob));
}

void TrainQueue::cancel(int id) {
    const int row = rowOf(id);
    if (row < 0) {
        return;
    }
    QueueEntry& e = m_entries[static_cast<size_t>(row)];
    if (e.status == QueueEntry::Pending) {
        e.status = QueueEntry::Cancelled;
        e.finishedAt = QDateTime::currentDateTimeUtc();
        e.progressText = tr("cancelled before it started");
        Q_EMIT entryChanged(row);
        if (m_current < 0 && !hasPending()) {
            Q_EMIT idle();
        }
    } else if (e.status == QueueEntry::Running) {
        e.progressText = tr("cancelling…");
        Q_EMIT entryChanged(row);
        if (e.request.isSasrec()) {
            m_process->cancel();
        } else {
            m_jobs->stop(kFitJob);  // the job stays current: its outcome (cancelled) still arrives
        }
    }
}

void TrainQueue::cancelAll() {
    for (const QueueEntry& e : std::vector<QueueEntry>(m_entries)) {
        if (e.status == QueueEntry::Pending) {
            cancel(e.id);
        }
    }
    if (m_current >= 0) {
        cancel(m_entries[static_cast<size_t>(m_current)].id);
    }
}

void TrainQueue::cancelSweep(int sweep) {
    if (sweep <= 0) {
        return;
    }
    for (const QueueEntry& e : std::vector<QueueEntry>(m_entries)) {
        if (e.sweep == sweep && e.status == QueueEntry::Pending) {
            cancel(e.id);
            const int row = rowOf(e.id);
            m_entries[static_cast<size_t>(row)].progressText = tr("cancelled with its sweep");
            Q_EMIT entryChanged(row);
        }
    }
    if (m_current >= 0 && m_entries[static_cast<size_t>(m_current)].sweep == sweep) {
        cancel(m_entries[static_cast<size_t>(m_current)].id);
    }
}

int TrainQueue::pendingInSweep(int sweep) const {
    int n = 0;
    for (const QueueEntry& e : m_entries) {
        n += sweep > 0 && e.sweep == sweep && e.status == QueueEntry::Pending ? 1 : 0;
    }
    return n;
}

double TrainQueue::sweepSecondsLeft(int sweep, double runningElapsed, double runningEta) const {
    double finishedSeconds = 0.0;
    int finished = 0;
    for (const QueueEntry& e : m_entries) {
        if (e.sweep == sweep && e.status == QueueEntry::Done && e.startedAt.isValid() &&
            e.finishedAt.isValid()) {
            finishedSeconds += static_cast<double>(e.startedAt.msecsTo(e.finishedAt)) / 1000.0;
            ++finished;
        }
    }
    const int pending = pendingInSweep(sweep);
    const double running = std::isfinite(runningEta) ? std::max(runningEta, 0.0) : std::nan("");
    double perRun = finished > 0 ? finishedSeconds / finished : std::nan("");
    if (!std::isfinite(perRun) && std::isfinite(running) && std::isfinite(runningElapsed)) {
        perRun = runningElapsed + running;
    }
    if (pending == 0) {
        return running;
    }
    if (!std::isfinite(perRun) || !std::isfinite(running)) {
        return std::nan("");
    }
    return running + pending * perRun;
}

void TrainQueue::clearFinished() {
    const int currentId = m_current >= 0 ? m_entries[static_cast<size_t>(m_current)].id : -1;
    std::vector<QueueEntry> kept;
    for (const QueueEntry& e : m_entries) {
        if (e.status == QueueEntry::Pending || e.status == QueueEntry::Running) {
            kept.push_back(e);
        }
    }
    Q_EMIT aboutToResetEntries();
    m_entries = std::move(kept);
    m_current = currentId >= 0 ? rowOf(currentId) : -1;
    Q_EMIT entriesReset();
}

void TrainQueue::startNext() {
    if (m_current >= 0) {
        return;
    }
    int row = -1;
    for (size_t r = 0; r < m_entries.size(); ++r) {
        if (m_entries[r].status == QueueEntry::Pending) {
            row = static_cast<int>(r);
            break;
        }
    }
    if (row < 0) {
        Q_EMIT idle();
        return;
    }
    m_current = row;
    QueueEntry& e = m_entries[static_cast<size_t>(row)];
    e.status = QueueEntry::Running;
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.progressText = tr("starting…");
    e.fraction = -1.0;
    Q_EMIT entryChanged(row);
    Q_EMIT runStarted(row);
    if (e.request.isSasrec()) {
        startSasrec(e);
    } else {
        startClosedForm(e);
    }
}

void TrainQueue::startSasrec(QueueEntry& entry) {
    if (m_cliPath.isEmpty()) {
        TrainOutcome outcome;
        outcome.error = EngineProcess::cliNotFoundMessage();
        finishCurrent(outcome);
        return;
    }
    Q_EMIT logLine(
        tr("$ tiltbench-cli %1").arg(entry.request.cliArguments(m_workspacePath).join(QLatin1Char(' '))));
    m_process->start(m_cliPath, entry.request.arguments(m_workspacePath));
}

void TrainQueue::startClosedForm(QueueEntry& entry) {
    ClosedFormRunConfig config;
    try {
        config = entry.request.closedFormConfig();
        config.scheme.validate();
    } catch (const std::exception& e) {
        TrainOutcome outcome;
        outcome.error = QString::fromStdString(e.what());
        finishCurrent(outcome);
        return;
    }
    Q_EMIT logLine(
        tr("Fitting %1 on '%2' in-process (%3)")
            .arg(entry.request.modelName(), entry.request.datasetName(), entry.request.weightingText()));
    auto* worker = new ClosedFormTrainWorker(m_workspacePath, config);
    m_closedFormResult = false;
    auto outcome = std::make_shared<TrainOutcome>();
    m_jobs->on(worker, &Worker::progress, [this](qint64 done, qint64 total, const QString& stage) {
        TrainProgressEvent e;
        e.stage = stage;
        e.done = done;
        e.total = total;
        onProgress(e);
    });
    m_jobs->on(worker, &ClosedFormTrainWorker::runRecorded, [this](qint64 runId) {
        if (m_current >= 0) {
            m_entries[static_cast<size_t>(m_current)].runId = runId;
            Q_EMIT entryChanged(m_current);
            Q_EMIT runCreated(m_current, runId);
        }
    });
    m_jobs->on(worker, &ClosedFormTrainWorker::finished, [this, outcome](const TrainOutcome& o) {
        *outcome = o;
        m_closedFormResult = true;
    });
    m_jobs->on(worker, &Worker::failed, [this, outcome](const QString& message) {
        outcome->status = TrainOutcome::Failed;
        outcome->error = message;
        m_closedFormResult = true;
    });
    m_jobs->on(worker, &Worker::cancelled, [this, outcome] {
        outcome->status = TrainOutcome::Cancelled;
        m_closedFormResult = true;
    });
    m_pendingOutcome = outcome;
    m_jobs->start(kFitJob, worker);
}

void TrainQueue::onClosedFormStopped() {
    if (m_current < 0 || !m_pendingOutcome) {
        return;
    }
    TrainOutcome outcome = *m_pendingOutcome;
    m_pendingOutcome.reset();
    if (!m_closedFormResult) {
        outcome.status = TrainOutcome::Failed;
        outcome.error = tr("the fit stopped without a result");
    }
    if (outcome.runId == 0) {
        outcome.runId = m_entries[static_cast<size_t>(m_current)].runId;
    }
    finishCurrent(outcome);
}

void TrainQueue::onProgress(const TrainProgressEvent& p) {
    if (m_current < 0) {
        return;
    }
    QueueEntry& e = m_entries[static_cast<size_t>(m_current)];
    if (p.epochs > 0) {
        const double steps = static_cast<double>(std::max<qint64>(p.stepsPerEpoch, 1));
        double epochsDone = p.epoch - 1 + static_cast<double>(p.step) / steps;
        if (p.stage != QStringLiteral("training")) {
            epochsDone = p.epoch;
        }
        e.fraction = p.stage == QStringLiteral("testing") ? 1.0 : std::clamp(epochsDone / p.epochs, 0.0, 1.0);
        e.progressText =
            p.stage == QStringLiteral("training")
                ? tr("epoch %1/%2 · step %3/%4").arg(p.epoch).arg(p.epochs).arg(p.step).arg(p.stepsPerEpoch)
                : tr("epoch %1/%2 · %3").arg(p.epoch).arg(p.epochs).arg(p.stage);
    } else {
        e.fraction = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : -1.0;
        e.progressText = p.total > 0 ? tr("%1 %2/%3").arg(p.stage).arg(p.done).arg(p.total) : p.stage;
    }
    if (isCancelling()) {
        e.progressText = tr("cancelling…");
    }
    Q_EMIT entryChanged(m_current);
    Q_EMIT progressed(m_current, p);
}

void TrainQueue::onOutcome(const TrainOutcome& outcome) {
    if (m_current >= 0) {
        finishCurrent(outcome);
    }
}

void TrainQueue::finishCurrent(const TrainOutcome& outcome) {
    const int row = m_current;
    QueueEntry& e = m_entries[static_cast<size_t>(row)];
    e.outcome = outcome;
    if (outcome.runId > 0) {
        e.runId = outcome.runId;
    }
    e.epochsDone = outcome.epochsDone;  // recorded epochs (the outcome's count is authoritative)
    e.finishedAt = QDateTime::currentDateTimeUtc();
    switch (outcome.status) {
        case TrainOutcome::Done: {
            e.status = QueueEntry::Done;
            e.fraction = 1.0;
            const double ndcg = outcome.test.value(QStringLiteral("ndcg@10"), std::nan(""));
            const double high = outcome.test.value(QStringLiteral("ndcg_high@10"), std::nan(""));
            e.progressText = tr("test NDCG@10 %1 · high-reward %2")
                                 .arg(std::isfinite(ndcg) ? formatReal(ndcg, 4) : QStringLiteral("—"),
                                      std::isfinite(high) ? formatReal(high, 4) : QStringLiteral("—"));
            break;
        }
        case TrainOutcome::Cancelled:
            e.status = QueueEntry::Cancelled;
            e.progressText = e.request.isSasrec() && e.epochsDone > 0
                                 ? tr("cancelled after %n epoch(s); resumable", nullptr, e.epochsDone)
                                 : tr("cancelled");
            break;
        case TrainOutcome::Failed:
            e.status = QueueEntry::Failed;
            e.error = outcome.error;
            e.progressText = outcome.error;
            break;
    }
    m_current = -1;
    Q_EMIT entryChanged(row);
    Q_EMIT runFinished(row, outcome);
    // From the event loop: the next start must not run inside the handlers of this one's end.
    QMetaObject::invokeMethod(this, &TrainQueue::startNext, Qt::QueuedConnection);
}

}  // namespace tiltbench
