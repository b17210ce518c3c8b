#include "train_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <algorithm>

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "meta_types.h"

namespace tiltbench {

namespace {
constexpr int kExitCancelled = 130;
constexpr int kTeardownWaitMs = 5000;
constexpr int kKeptErrorLines = 20;

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

TrainProcess::TrainProcess(QObject* parent)
    : QObject(parent), m_process(new QProcess(this)), m_killTimer(new QTimer(this)) {
    registerMetaTypes();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
#ifdef __linux__
    // Should this process die without cleaning up (a crash, a kill), the child gets the same SIGINT as from
    // Cancel: it records its run as cancelled instead of training on, unwatched.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGINT); });
#endif
    m_killTimer->setSingleShot(true);
    connect(m_killTimer, &QTimer::timeout, this, [this] {
        if (m_process->state() != QProcess::NotRunning) {
            Q_EMIT logLine(tr("tiltbench-cli did not stop after %1 s; killing it (the run will read as "
                              "interrupted and can still be resumed from its last finished epoch)")
                               .arg(kKillAfterMs / 1000));
            m_process->kill();
        }
    });
    connect(m_process, &QProcess::readyReadStandardError, this, &TrainProcess::readStderr);
    connect(m_process, &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process->readAllStandardOutput(); });
    connect(m_process, &QProcess::finished, this, &TrainProcess::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &TrainProcess::onError);
}

TrainProcess::~TrainProcess() {
    if (m_process->state() != QProcess::NotRunning) {
        // Teardown only (the window is going away): block briefly so the child records its run as cancelled
        // rather than being left behind.
        m_process->blockSignals(true);
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
        if (!m_process->waitForFinished(kTeardownWaitMs)) {
            m_process->kill();
            m_process->waitForFinished(kTeardownWaitMs);
        }
    }
}

qint64 TrainProcess::processId() const {
    return m_process->processId();
}

bool TrainProcess::start(const QString& program, const QStringList& arguments) {
    if (m_running) {
        return false;
    }
    m_stderrBuffer.clear();
    m_stdout.clear();
    m_errorLines.clear();
    m_runId = 0;
    m_epochsDone = 0;
    m_cancelling = false;
    m_finishedError.clear();
    m_running = true;
    m_process->start(program, arguments);
    return true;
}

void TrainProcess::cancel() {
    if (!m_running || m_cancelling) {
        return;
    }
    m_cancelling = true;
    const qint64 pid = m_process->processId();
    if (pid > 0) {
        ::kill(static_cast<pid_t>(pid), SIGINT);
        m_killTimer->start(kKillAfterMs);
    } else {
        m_process->kill();  // not started yet
    }
}

void TrainProcess::readStderr() {
    m_stderrBuffer += m_process->readAllStandardError();
    int newline = -1;
    while ((newline = static_cast<int>(m_stderrBuffer.indexOf('\n'))) >= 0) {
        const QByteArray line = m_stderrBuffer.left(newline);
        m_stderrBuffer.remove(0, newline + 1);
        handleLine(line);
    }
}

void TrainProcess::handleLine(const QByteArray& raw) {
    // A terminal's progress line ends in "\r\033[K"; none is written to a pipe, but be safe.
    const QByteArray line = raw.trimmed();
    if (line.isEmpty()) {
        return;
    }
    const auto event = parseTrainStreamLine(line);
    if (!event) {
        const QString text = QString::fromUtf8(line);
        m_errorLines << text;
        if (m_errorLines.size() > kKeptErrorLines) {
            m_errorLines.removeFirst();
        }
        Q_EMIT logLine(text);
        return;
    }
    switch (event->kind) {
        case TrainStreamEvent::Run:
            if (event->runId > 0 && event->runId != m_runId) {
                m_runId = event->runId;
                Q_EMIT runCreated(m_runId);
            }
            break;
        case TrainStreamEvent::Progress:
            Q_EMIT progressed(event->progress);
            break;
        case TrainStreamEvent::Epoch:
            m_epochsDone = std::max(m_epochsDone, event->epoch.epoch);
            Q_EMIT epochFinished(event->epoch);
            break;
        case TrainStreamEvent::Finished:
            m_finishedError = event->error;
            if (event->runId > 0 && m_runId == 0) {
                m_runId = event->runId;
                Q_EMIT runCreated(m_runId);
            }
            // The epochs recorded in the workspace (what a resume continues from): an epoch event comes
            // before its records are written, and a cancel while they wait for the workspace may drop them.
            m_epochsDone = event->epochsDone;
            break;
        case TrainStreamEvent::Other:
            break;
    }
}

void TrainProcess::onFinished(int exitCode, QProcess::ExitStatus status) {
    m_killTimer->stop();
    m_stdout += m_process->readAllStandardOutput();
    readStderr();
    if (!m_stderrBuffer.isEmpty()) {
        handleLine(m_stderrBuffer);
        m_stderrBuffer.clear();
    }
    TrainOutcome outcome;
    outcome.runId = m_runId;
    outcome.epochsDone = m_epochsDone;
    const QJsonObject result = QJsonDocument::fromJson(m_stdout).object();
    if (status == QProcess::NormalExit && exitCode == 0) {
        outcome.status = TrainOutcome::Done;
        if (outcome.runId == 0) {
            outcome.runId = static_cast<qint64>(result.value(QStringLiteral("run_id")).toDouble());
        }
        const QJsonObject metrics = result.value(QStringLiteral("metrics")).toObject();
        outcome.test = metricsOf(metrics.value(QStringLiteral("test")).toObject());
        outcome.valid = metricsOf(metrics.value(QStringLiteral("valid")).toObject());
        outcome.seconds = result.value(QStringLiteral("seconds")).toDouble();
        outcome.epochsDone = std::max(
            outcome.epochsDone, static_cast<int>(result.value(QStringLiteral("epochs")).toArray().size()));
    } else if ((status == QProcess::NormalExit && exitCode == kExitCancelled) ||
               (m_cancelling && status == QProcess::CrashExit)) {
        outcome.status = TrainOutcome::Cancelled;
    } else {
        outcome.status = TrainOutcome::Failed;
        QString error = result.value(QStringLiteral("error")).toString();
        if (error.isEmpty()) {
            error = m_finishedError;
        }
        if (error.isEmpty()) {
            error = status == QProcess::CrashExit
                        ? tr("tiltbench-cli stopped unexpectedly (%1)").arg(m_process->errorString())
                        : tr("tiltbench-cli exited with code %1").arg(exitCode);
            if (!m_errorLines.isEmpty()) {
                error += QStringLiteral(": ") + m_errorLines.last();
            }
        }
        outcome.error = error;
    }
    finish(outcome);
}

void TrainProcess::onError(QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) {
        return;  // crashes and the like also end in finished()
    }
    TrainOutcome outcome;
    outcome.status = m_cancelling ? TrainOutcome::Cancelled : TrainOutcome::Failed;
    outcome.error = tr("Could not start %1: %2").arg(m_process->program(), m_process->errorString());
    finish(outcome);
}

void TrainProcess::finish(TrainOutcome outcome) {
    if (!m_running) {
        return;
    }
    m_running = false;
    m_cancelling = false;
    Q_EMIT finished(outcome);
}

}  // namespace tiltbench
