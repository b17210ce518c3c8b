#include "cli_json.h"

#include <QJsonDocument>
#include <QProcess>

#include <signal.h>

#include "common/error.h"

namespace tiltbench {

namespace {
constexpr int kPollMs = 100;
constexpr int kStopWaitMs = 10000;
constexpr int kExitCancelled = 130;

}  // namespace

QJsonObject runCliJson(const QString& cliPath, const QStringList& arguments,
                       const std::function<bool()>& cancelled,
                       const std::function<void(const QJsonObject&)>& onProgress) {
    if (cliPath.isEmpty()) {
        throw Error(
            "tiltbench-cli was not found: this needs it (it loads the model; this window never loads "
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
                if (onProgress) {
                    onProgress(event);
                }
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

}  // namespace tiltbench
