#include "runtime_probe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace tiltbench {

RuntimeProbe::RuntimeProbe(QObject* parent) : QObject(parent) {
    qRegisterMetaType<RuntimeSummary>();
}

RuntimeProbe::~RuntimeProbe() {
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->blockSignals(true);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

bool RuntimeProbe::isRunning() const {
    return m_process && m_process->state() != QProcess::NotRunning;
}

RuntimeSummary RuntimeProbe::parse(const QByteArray& json) {
    RuntimeSummary s;
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        s.error = tr("tiltbench-cli runtime did not print JSON");
        return s;
    }
    const QJsonObject o = doc.object();
    s.ok = true;
    s.tiltbenchVersion = o.value(QStringLiteral("tiltbench_version")).toString();
    s.torchVersion = o.value(QStringLiteral("torch_version")).toString();
    s.cudaAvailable = o.value(QStringLiteral("cuda_available")).toBool();
    s.cudaDevices = o.value(QStringLiteral("cuda_devices")).toInt();
    s.hardwareThreads = o.value(QStringLiteral("hardware_threads")).toInt();
    for (const QJsonValue& d : o.value(QStringLiteral("devices")).toArray()) {
        s.devices << d.toString();
    }
    if (s.devices.isEmpty()) {
        s.devices << QStringLiteral("cpu");
    }
    return s;
}

void RuntimeProbe::probe(const QString& cliPath) {
    if (isRunning()) {
        return;
    }
    if (cliPath.isEmpty()) {
        m_last = RuntimeSummary{};
        m_last.error = tr("tiltbench-cli was not found");
        Q_EMIT finished(m_last);
        return;
    }
    if (!m_process) {
        m_process = new QProcess(this);
        connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
            RuntimeSummary s;
            if (status == QProcess::NormalExit && exitCode == 0) {
                s = parse(m_process->readAllStandardOutput());
            } else {
                s.error = tr("tiltbench-cli runtime failed: %1")
                              .arg(QString::fromUtf8(m_process->readAllStandardError()).trimmed());
            }
            s.cliPath = m_process->program();
            m_last = s;
            Q_EMIT finished(s);
        });
        connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart) {
                RuntimeSummary s;
                s.cliPath = m_process->program();
                s.error = tr("Could not start %1: %2").arg(m_process->program(), m_process->errorString());
                m_last = s;
                Q_EMIT finished(s);
            }
        });
    }
    m_process->start(cliPath, {QStringLiteral("runtime"), QStringLiteral("--json")});
}

}  // namespace tiltbench
