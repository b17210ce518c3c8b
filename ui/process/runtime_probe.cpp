#include "process/runtime_probe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "process/engine_process.h"

namespace tiltbench {

RuntimeProbe::RuntimeProbe(QObject* parent) : QObject(parent), m_engine(new EngineProcess(this)) {
    qRegisterMetaType<RuntimeSummary>();
    connect(m_engine, &EngineProcess::finished, this, [this](const EngineOutcome& outcome) {
        RuntimeSummary s;
        if (outcome.status == EngineOutcome::Done) {
            s = parse(QJsonDocument(outcome.reply).toJson(QJsonDocument::Compact));
        } else {
            s.error = tr("tiltbench-cli runtime failed: %1").arg(outcome.error);
        }
        s.cliPath = m_program;
        m_last = s;
        Q_EMIT finished(s);
    });
}

bool RuntimeProbe::isRunning() const {
    return m_engine->isRunning();
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
    m_program = cliPath;
    m_engine->start(cliPath, engine::RuntimeRequest().arguments());
}

}  // namespace tiltbench
