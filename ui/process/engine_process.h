#pragma once
// EngineProcess: the GUI's one link to the engine — a child `tiltbench-cli` driven by the engine protocol
// (core/engine/protocol.h: a typed request becomes its arguments; its stderr carries events beside log lines;
// its stdout ends with the reply). The GUI process never loads LibTorch, so everything that needs it (SASRec
// training, previews, top-10 lists, exports, the runtime probe) runs here.
//
// Two ways to run, one line reader and one outcome rule:
//   start()     asynchronous, on the GUI thread: output arrives through the event loop, `event` and `logLine`
//               are emitted per line, `finished` exactly once per start, always last.
//   runToEnd()  blocking, on a worker thread: the same signals (direct), and the outcome returned.
// Cancel sends SIGINT, which the CLI turns into a clean stop (a run is recorded as cancelled and stays
// resumable); a child that has not exited after kKillAfterMs is killed. On Linux a child also gets SIGINT if
// this process dies first. The destructor interrupts a running child and waits briefly: no orphans.
#include <QByteArray>
#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <functional>

#include "engine/protocol.h"
#include "engine/requests.h"

class QTimer;

namespace tiltbench {

struct EngineOutcome {
    enum Status { Done, Cancelled, Failed };
    Status status = Failed;
    QJsonObject reply;  // the JSON object on stdout (Done: the result)
    QString error;      // Failed: the CLI's own message, else its last log line, else the exit code
    // From the stream: the run's id (0 = none), and the `finished` event's epochs_done when it had one.
    qint64 runId = 0;
    int epochsDone = -1;
};

class EngineProcess : public QObject {
    Q_OBJECT
  public:
    static constexpr int kKillAfterMs = 15000;

    explicit EngineProcess(QObject* parent = nullptr);
    ~EngineProcess() override;

    // tiltbench-cli as the one locator finds it (engine/locator.h); empty when it is not there.
    static QString locateCli();
    // What the user should do when locateCli() is empty: where it looked and how to fix it.
    static QString cliNotFoundMessage();

    // Returns false (and emits nothing) when a child is already running. An empty program fails at once
    // (`finished` with cliNotFoundMessage()).
    bool start(const QString& program, const engine::Arguments& arguments);
    // Blocking (worker threads): runs the child to its end and returns how it ended; SIGINT once `cancelled`
    // returns true.
    EngineOutcome runToEnd(const QString& program, const engine::Arguments& arguments,
                           const std::function<bool()>& cancelled);
    void cancel();
    bool isRunning() const { return m_running; }
    bool isCancelling() const { return m_cancelling; }
    qint64 processId() const;

  Q_SIGNALS:
    void event(const tiltbench::engine::Event& event);
    void logLine(const QString& line);
    void finished(const tiltbench::EngineOutcome& outcome);

  private:
    void prepare(const QString& program, const engine::Arguments& arguments);
    void readStderr(bool all);
    void handleLine(const QByteArray& line);
    EngineOutcome outcomeOf(int exitCode, QProcess::ExitStatus status);
    void finish(const EngineOutcome& outcome);

    QProcess* m_process;
    QTimer* m_killTimer;
    QByteArray m_stderrBuffer;
    QByteArray m_stdout;
    QStringList m_logTail;  // the log's last lines, for a failure without a message
    bool m_running = false;
    bool m_cancelling = false;
    bool m_warnedVersion = false;
    bool m_async = false;  // started with start(): the QProcess signals drive it
    qint64 m_runId = 0;
    int m_epochsDone = -1;
    QString m_finishedError;  // from the `finished` event
};

// Runs `arguments` to the end on a worker thread and returns the reply; forwards progress events to
// `onProgress`. Throws Cancelled once `cancelled()` turned true (after the child stopped), Error with the
// CLI's message when it failed or cliNotFoundMessage() when `program` is empty.
QJsonObject runEngine(const QString& program, const engine::Arguments& arguments,
                      const std::function<bool()>& cancelled,
                      const std::function<void(const engine::ProgressEvent&)>& onProgress = {});

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::engine::Event)
Q_DECLARE_METATYPE(tiltbench::EngineOutcome)
