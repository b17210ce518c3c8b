#pragma once
// TrainProcess: one `tiltbench-cli train … --json --progress-jsonl stderr` child, watched from the GUI
// thread without ever blocking it: QProcess delivers output through the event loop, each complete stderr
// line is either a progress event (parsed into a plain struct and emitted) or a log line, and stdout holds
// the final JSON. Cancel sends SIGINT, which the CLI turns into a clean stop between two batches (the run is
// recorded as cancelled and keeps the state of its last finished epoch, so it can be resumed); if the child
// has not exited after kKillAfterMs it is killed (the run then reads as interrupted — still resumable). On
// Linux the child also gets SIGINT if this process dies first.
// `finished` always comes last, exactly once per start.
#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>

#include "train_events.h"

class QTimer;

namespace tiltbench {

class TrainProcess : public QObject {
    Q_OBJECT
  public:
    static constexpr int kKillAfterMs = 15000;

    explicit TrainProcess(QObject* parent = nullptr);
    // A child still running is interrupted and waited for (at most a few seconds): no orphan outlives the
    // window.
    ~TrainProcess() override;

    // Returns false (and emits nothing) when a child is already running.
    bool start(const QString& program, const QStringList& arguments);
    bool isRunning() const { return m_running; }
    void cancel();
    bool isCancelling() const { return m_cancelling; }
    qint64 runId() const { return m_runId; }
    qint64 processId() const;

  Q_SIGNALS:
    void runCreated(qint64 runId);
    void progressed(const tiltbench::TrainProgressEvent& event);
    void epochFinished(const tiltbench::TrainEpochEvent& event);
    void logLine(const QString& line);
    void finished(const tiltbench::TrainOutcome& outcome);

  private:
    void readStderr();
    void handleLine(const QByteArray& line);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void finish(TrainOutcome outcome);

    QProcess* m_process;
    QTimer* m_killTimer;
    QByteArray m_stderrBuffer;
    QByteArray m_stdout;
    QStringList m_errorLines;  // the log's last lines, for a failure without a message
    bool m_running = false;
    bool m_cancelling = false;
    qint64 m_runId = 0;
    int m_epochsDone = 0;
    QString m_finishedError;  // from the "finished" event
};

}  // namespace tiltbench
