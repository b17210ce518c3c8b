#pragma once
// RuntimeProbe: asks the CLI what this build can train on (`tiltbench-cli runtime --json`: LibTorch
// version, CUDA devices, CPU threads) in a child process — the GUI cannot ask LibTorch itself, since it never
// loads it. Runs in an EngineProcess; asynchronous; `finished` arrives once per probe().
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

namespace tiltbench {

class EngineProcess;

struct RuntimeSummary {
    bool ok = false;
    QString error;  // !ok: why (no CLI, it failed)
    QString cliPath;
    QString tiltbenchVersion;
    QString torchVersion;
    bool cudaAvailable = false;
    int cudaDevices = 0;
    int hardwareThreads = 0;
    QStringList devices;  // "cpu", "cuda", "cuda:1", …
};

class RuntimeProbe : public QObject {
    Q_OBJECT
  public:
    explicit RuntimeProbe(QObject* parent = nullptr);

    void probe(const QString& cliPath);
    bool isRunning() const;
    const RuntimeSummary& last() const { return m_last; }

    // Parses the CLI's JSON (exposed for tests).
    static RuntimeSummary parse(const QByteArray& json);

  Q_SIGNALS:
    void finished(const tiltbench::RuntimeSummary& summary);

  private:
    EngineProcess* m_engine;
    QString m_program;
    RuntimeSummary m_last;
};

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::RuntimeSummary)
