#include "process/engine_process.h"

#include <QJsonDocument>
#include <QTimer>
#include <algorithm>
#include <variant>

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "common/error.h"
#include "engine/locator.h"

namespace tiltbench {

namespace {
constexpr int kTeardownWaitMs = 5000;
constexpr int kPollMs = 100;
constexpr int kKeptLogLines = 20;

QStringList toQt(const engine::Arguments& arguments) {
    QStringList out;
    for (const auto& a : arguments) {
        out << QString::fromStdString(a);
    }
    return out;
}
}  // namespace

EngineProcess::EngineProcess(QObject* parent)
    : QObject(parent), m_process(new QProcess(this)), m_killTimer(new QTimer(this)) {
    qRegisterMetaType<engine::Event>();
    qRegisterMetaType<EngineOutcome>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
#ifdef __linux__
    // Should this process die without cleaning up (a crash, a kill), the child gets the same SIGINT as from
    // Cancel: it records its run as cancelled instead of working on, unwatched.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGINT); });
#endif
    m_killTimer->setSingleShot(true);
    // The asynchronous path (start()); runToEnd() reads the same process itself and these stay silent.
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        if (m_async) {
            readStderr(false);
        }
    });
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] {
        if (m_async) {
            m_stdout += m_process->readAllStandardOutput();
        }
    });
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        if (m_async && m_running) {
            m_killTimer->stop();
            finish(outcomeOf(exitCode, status));
        }
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (!m_async || !m_running || error != QProcess::FailedToStart) {
            return;  // crashes and the like also end in finished()
        }
        EngineOutcome outcome;
        outcome.status = m_cancelling ? EngineOutcome::Cancelled : EngineOutcome::Failed;
        outcome.error = tr("Could not start %1: %2").arg(m_process->program(), m_process->errorString());
        finish(outcome);
    });
    connect(m_killTimer, &QTimer::timeout, this, [this] {
        if (m_process->state() != QProcess::NotRunning) {
            Q_EMIT logLine(tr("tiltbench-cli did not stop after %1 s; killing it (a run will read as "
                              "interrupted and can still be resumed from its last finished epoch)")
                               .arg(kKillAfterMs / 1000));
            m_process->kill();
        }
    });
}

EngineProcess::~EngineProcess() {
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

QString EngineProcess::locateCli() {
    return QString::fromStdString(engine::locate(engine::cliSearch()));
}

QString EngineProcess::cliNotFoundMessage() {
    return QString::fromStdString(engine::notFoundMessage(engine::cliSearch()));
}

qint64 EngineProcess::processId() const {
    return m_process->processId();
}

void EngineProcess::prepare(const QString& program, const engine::Arguments& arguments) {
    m_stderrBuffer.clear();
    m_stdout.clear();
    m_logTail.clear();
    m_runId = 0;
    m_epochsDone = -1;
    m_cancelling = false;
    m_finishedError.clear();
    m_running = true;
    m_process->setProgram(program);
    m_process->setArguments(toQt(arguments));
}

bool EngineProcess::start(const QString& program, const engine::Arguments& arguments) {
    if (m_running) {
        return false;
    }
    prepare(program, arguments);
    if (program.isEmpty()) {
        EngineOutcome outcome;
        outcome.error = cliNotFoundMessage();
        QTimer::singleShot(0, this, [this, outcome] { finish(outcome); });
        return true;
    }
    m_async = true;  // output and the end arrive through the event loop (the connections made once above)
    m_process->start();
    return true;
}

EngineOutcome EngineProcess::runToEnd(const QString& program, const engine::Arguments& arguments,
                                      const std::function<bool()>& cancelled) {
    EngineOutcome outcome;
    if (m_running) {
        outcome.error = tr("tiltbench-cli is already running");
        return outcome;
    }
    prepare(program, arguments);
    m_async = false;
    if (program.isEmpty()) {
        outcome.error = cliNotFoundMessage();
        finish(outcome);
        return outcome;
    }
    m_process->start();
    if (!m_process->waitForStarted()) {
        outcome.error = tr("Could not start %1: %2").arg(program, m_process->errorString());
        finish(outcome);
        return outcome;
    }
    while (!m_process->waitForFinished(kPollMs)) {
        if (m_process->state() == QProcess::NotRunning) {
            break;
        }
        m_stdout += m_process->readAllStandardOutput();
        readStderr(false);
        if (!m_cancelling && cancelled && cancelled()) {
            m_cancelling = true;
            ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
            if (!m_process->waitForFinished(kKillAfterMs)) {
                m_process->kill();
                m_process->waitForFinished(kTeardownWaitMs);
            }
            break;
        }
    }
    outcome = outcomeOf(m_process->exitCode(), m_process->exitStatus());
    finish(outcome);
    return outcome;
}

void EngineProcess::cancel() {
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

void EngineProcess::readStderr(bool all) {
    m_stderrBuffer += m_process->readAllStandardError();
    qsizetype newline = -1;
    while ((newline = m_stderrBuffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_stderrBuffer.left(newline);
        m_stderrBuffer.remove(0, newline + 1);
        handleLine(line);
    }
    if (all && !m_stderrBuffer.isEmpty()) {
        handleLine(m_stderrBuffer);
        m_stderrBuffer.clear();
    }
}

void EngineProcess::handleLine(const QByteArray& raw) {
    // A terminal's progress line ends in "\r\033[K"; none is written to a pipe, but be safe.
    const QByteArray line = raw.trimmed();
    if (line.isEmpty()) {
        return;
    }
    const engine::ParsedLine parsed = engine::parseLine(std::string_view(line.constData(), line.size()));
    if (!parsed.isEvent) {
        const QString text = QString::fromUtf8(line);
        m_logTail << text;
        if (m_logTail.size() > kKeptLogLines) {
            m_logTail.removeFirst();
        }
        Q_EMIT logLine(text);
        return;
    }
    if (!parsed.event) {
        if (parsed.version > engine::kProtocolVersion && !m_warnedVersion) {
            m_warnedVersion = true;
            Q_EMIT logLine(tr("tiltbench-cli speaks engine protocol %1; this window understands %2: its "
                              "progress cannot be shown (use the tiltbench-cli built with this window)")
                               .arg(parsed.version)
                               .arg(engine::kProtocolVersion));
        }
        return;  // an event of a kind this version does not know: readers ignore it
    }
    if (const auto* run = std::get_if<engine::RunEvent>(&*parsed.event); run && run->runId > 0) {
        m_runId = run->runId;
    } else if (const auto* f = std::get_if<engine::FinishedEvent>(&*parsed.event)) {
        m_finishedError = QString::fromStdString(f->error);
        if (f->runId > 0 && m_runId == 0) {
            m_runId = f->runId;
        }
        if (f->epochsDone) {
            m_epochsDone = *f->epochsDone;
        }
    }
    Q_EMIT event(*parsed.event);
}

EngineOutcome EngineProcess::outcomeOf(int exitCode, QProcess::ExitStatus status) {
    m_stdout += m_process->readAllStandardOutput();
    readStderr(true);
    EngineOutcome outcome;
    outcome.runId = m_runId;
    outcome.epochsDone = m_epochsDone;
    outcome.reply = QJsonDocument::fromJson(m_stdout).object();
    const engine::Reply reply = engine::parseReply(std::string_view(m_stdout.constData(), m_stdout.size()));
    if (status == QProcess::NormalExit && exitCode == 0) {
        outcome.status = EngineOutcome::Done;
    } else if ((status == QProcess::NormalExit && exitCode == engine::kExitCancelled) ||
               (m_cancelling && status == QProcess::CrashExit)) {
        outcome.status = EngineOutcome::Cancelled;
    } else {
        outcome.status = EngineOutcome::Failed;
        QString error = QString::fromStdString(reply.error);
        if (error.isEmpty()) {
            error = m_finishedError;
        }
        if (error.isEmpty()) {
            error = status == QProcess::CrashExit
                        ? tr("tiltbench-cli stopped unexpectedly (%1)").arg(m_process->errorString())
                        : tr("tiltbench-cli exited with code %1").arg(exitCode);
            if (!m_logTail.isEmpty()) {
                error += QStringLiteral(": ") + m_logTail.last();
            }
        }
        outcome.error = error;
    }
    return outcome;
}

void EngineProcess::finish(const EngineOutcome& outcome) {
    if (!m_running) {
        return;
    }
    m_running = false;
    m_cancelling = false;
    Q_EMIT finished(outcome);
}

QJsonObject runEngine(const QString& program, const engine::Arguments& arguments,
                      const std::function<bool()>& cancelled,
                      const std::function<void(const engine::ProgressEvent&)>& onProgress) {
    EngineProcess process;
    if (onProgress) {
        QObject::connect(&process, &EngineProcess::event, [&onProgress](const engine::Event& e) {
            if (const auto* p = std::get_if<engine::ProgressEvent>(&e)) {
                onProgress(*p);
            }
        });
    }
    const EngineOutcome outcome = process.runToEnd(program, arguments, cancelled);
    switch (outcome.status) {
        case EngineOutcome::Done:
            return outcome.reply;
        case EngineOutcome::Cancelled:
            throw Cancelled();
        case EngineOutcome::Failed:
            break;
    }
    throw Error(outcome.error.toStdString());
}

}  // namespace tiltbench
