#pragma once
// TrainProcess: one training run in a child `tiltbench-cli train` (EngineProcess), its engine events turned
// into the Train page's structs: the run id once it exists, progress, finished epochs, and the outcome with
// the final metrics from the reply. `finished` always comes last, exactly once per start. Cancel: see
// EngineProcess (SIGINT; the run is recorded as cancelled and stays resumable).
#include <QObject>

#include "engine/requests.h"
#include "pages/train/train_events.h"

namespace tiltbench {

class EngineProcess;

class TrainProcess : public QObject {
    Q_OBJECT
  public:
    static constexpr int kKillAfterMs = 15000;

    explicit TrainProcess(QObject* parent = nullptr);

    // Returns false (and emits nothing) when a child is already running.
    bool start(const QString& program, const engine::Arguments& arguments);
    bool isRunning() const;
    void cancel();
    bool isCancelling() const;
    qint64 runId() const { return m_runId; }
    qint64 processId() const;

  Q_SIGNALS:
    void runCreated(qint64 runId);
    void progressed(const tiltbench::TrainProgressEvent& event);
    void epochFinished(const tiltbench::TrainEpochEvent& event);
    void logLine(const QString& line);
    void finished(const tiltbench::TrainOutcome& outcome);

  private:
    void onEvent(const engine::Event& event);

    EngineProcess* m_engine;
    qint64 m_runId = 0;
    int m_epochsDone = 0;
};

}  // namespace tiltbench
