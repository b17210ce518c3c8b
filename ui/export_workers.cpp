#include "export_workers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <algorithm>
#include <functional>
#include <utility>

#include <signal.h>

#include "common/error.h"

namespace tiltbench {

namespace {
constexpr int kPollMs = 100;
constexpr int kStopWaitMs = 10000;
constexpr int kExitCancelled = 130;

// Runs `cliPath arguments` to the end, forwarding the `{"event":"progress"}` lines of its stderr to
// `onProgress` and sending SIGINT when `cancelled()` turns true (then throws Cancelled). Returns the JSON
// object on stdout; throws Error with the CLI's own message (its JSON "error", else its last stderr line)
// when it fails.
QJsonObject runCliJson(const QString& cliPath, const QStringList& arguments,
                       const std::function<bool()>& cancelled,
                       const std::function<void(const QJsonObject&)>& onProgress) {
    if (cliPath.isEmpty()) {
        throw Error(
            "tiltbench-cli was not found: exports need it (it loads the model; this window never loads "
            "LibTorch). Build the target tiltbench-cli or set TILTBENCH_CLI to its path.");
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(cliPath, arguments);
    if (!process.waitForStarted()) {
        throw Error("could not start tiltbench-cli (" + cliPath.toStdString() +
                    "): " + process.errorString().toStdString());
    }
    QByteArray stderrBuffer;
    QString lastLogLine;
    const auto drainStderr = [&](bool all) {
        stderrBuffer += process.readAllStandardError();
        qsizetype newline = -1;
        while ((newline = stderrBuffer.indexOf('\n')) >= 0 || (all && !stderrBuffer.isEmpty())) {
            const qsizetype end = newline >= 0 ? newline : stderrBuffer.size();
            const QByteArray line = stderrBuffer.left(end).trimmed();
            stderrBuffer.remove(0, newline >= 0 ? end + 1 : end);
            if (line.isEmpty()) {
                continue;
            }
            const QJsonObject event =
                line.startsWith('{') ? QJsonDocument::fromJson(line).object() : QJsonObject();
            if (event.value(QStringLiteral("event")).toString() == QStringLiteral("progress")) {
                onProgress(event);
            } else if (event.isEmpty()) {
                lastLogLine = QString::fromUtf8(line);
            }
        }
    };
    bool interrupted = false;
    while (!process.waitForFinished(kPollMs)) {
        if (process.state() == QProcess::NotRunning) {
            break;
        }
        drainStderr(false);
        if (!interrupted && cancelled()) {
            interrupted = true;
            ::kill(static_cast<pid_t>(process.processId()), SIGINT);
            if (!process.waitForFinished(kStopWaitMs)) {
                process.kill();
                process.waitForFinished(kStopWaitMs);
            }
            break;
        }
    }
    drainStderr(true);
    const QJsonObject out = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    if (interrupted ||
        (process.exitStatus() == QProcess::NormalExit && process.exitCode() == kExitCancelled)) {
        throw Cancelled();
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        QString error = out.value(QStringLiteral("error")).toString();
        if (error.isEmpty()) {
            error = lastLogLine;
        }
        if (error.isEmpty()) {
            error = process.exitStatus() == QProcess::NormalExit
                        ? QStringLiteral("tiltbench-cli exited with code %1").arg(process.exitCode())
                        : QStringLiteral("tiltbench-cli stopped unexpectedly");
        }
        throw Error(error.toStdString());
    }
    return out;
}

}  // namespace

ExportWorker::ExportWorker(ExportRequestUi request) : m_request(std::move(request)) {}

QString ExportWorker::description() const {
    return tr("Exporting run %1 as %2").arg(m_request.runId).arg(m_request.format);
}

void ExportWorker::execute() {
    const QStringList arguments = {QStringLiteral("export"),
                                   QStringLiteral("--workspace"),
                                   m_request.workspacePath,
                                   QStringLiteral("--run"),
                                   QString::number(m_request.runId),
                                   QStringLiteral("--format"),
                                   m_request.format,
                                   QStringLiteral("--out"),
                                   m_request.outPath,
                                   QStringLiteral("--k"),
                                   QString::number(m_request.k),
                                   QStringLiteral("--json"),
                                   QStringLiteral("--progress-jsonl"),
                                   QStringLiteral("stderr")};
    const ProgressCallback progress = progressCallback();
    bool stop = false;
    const QJsonObject out = runCliJson(
        m_request.cliPath, arguments, [this, &stop] { return stop || isCancelRequested(); },
        [&](const QJsonObject& event) {
            Progress p;
            p.stage = event.value(QStringLiteral("stage")).toString().toStdString();
            p.done = static_cast<uint64_t>(std::max(0.0, event.value(QStringLiteral("done")).toDouble()));
            p.total = static_cast<uint64_t>(std::max(0.0, event.value(QStringLiteral("total")).toDouble()));
            if (progress && !progress(p)) {
                stop = true;
            }
        });
    ExportOutcome outcome;
    outcome.request = m_request;
    for (const QJsonValue& file : out.value(QStringLiteral("files")).toArray()) {
        outcome.files << file.toString();
    }
    if (outcome.files.isEmpty()) {
        outcome.files << m_request.outPath;
    }
    outcome.rows = static_cast<qint64>(out.value(QStringLiteral("rows")).toDouble());
    outcome.users = static_cast<qint64>(out.value(QStringLiteral("users")).toDouble());
    outcome.seconds = out.value(QStringLiteral("seconds")).toDouble();
    Q_EMIT finished(outcome);
}

RecommendWorker::RecommendWorker(QString cliPath, QString workspacePath, qint64 runId, QString user, int k)
    : m_cliPath(std::move(cliPath)),
      m_workspacePath(std::move(workspacePath)),
      m_runId(runId),
      m_user(std::move(user)),
      m_k(k) {}

QString RecommendWorker::description() const {
    return tr("Top-%1 of user %2 from run %3").arg(m_k).arg(m_user).arg(m_runId);
}

void RecommendWorker::execute() {
    reportStage(tr("scoring user %1").arg(m_user));
    const QJsonObject out = runCliJson(
        m_cliPath,
        {QStringLiteral("recommend"), QStringLiteral("--workspace"), m_workspacePath, QStringLiteral("--run"),
         QString::number(m_runId), QStringLiteral("--user"), m_user, QStringLiteral("--k"),
         QString::number(m_k), QStringLiteral("--json")},
        [this] { return isCancelRequested(); }, [](const QJsonObject&) {});
    RecommendOutcome outcome = parseRecommendJson(QJsonDocument(out).toJson());
    outcome.runId = m_runId;
    if (outcome.user.isEmpty()) {
        outcome.user = m_user;
    }
    Q_EMIT finished(outcome);
}

RecommendOutcome parseRecommendJson(const QByteArray& json) {
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    RecommendOutcome out;
    out.user = o.value(QStringLiteral("user")).toString();
    const auto text = [](const QJsonValue& v) {
        return v.isDouble() ? QString::number(v.toDouble(), 'g', 17) : v.toString();
    };
    int rank = 0;
    for (const QJsonValue& value : o.value(QStringLiteral("items")).toArray()) {
        const QJsonObject item = value.toObject();
        RecommendationRow row;
        row.rank = item.value(QStringLiteral("rank")).toInt(++rank);
        rank = row.rank;
        row.item = text(item.value(QStringLiteral("item")));
        row.title = item.value(QStringLiteral("title")).toString();
        row.score = item.value(QStringLiteral("score")).toDouble();
        out.rows << row;
    }
    for (const QJsonValue& value : o.value(QStringLiteral("history")).toArray()) {
        out.history << text(value);
    }
    return out;
}

}  // namespace tiltbench
