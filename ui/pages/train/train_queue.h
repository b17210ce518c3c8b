#pragma once
// TrainQueue: the Train page's runs, one at a time, in the order they were queued. A SASRec run goes to a
// TrainProcess (a child tiltbench-cli: LibTorch never enters the GUI process), a closed-form run to a
// ClosedFormTrainWorker on a JobRunner thread. Every entry moves pending → running → done | failed |
// cancelled; a cancelled pending entry never starts. The queue reports the running entry's progress, epochs,
// log and outcome as plain structs; it never blocks the GUI thread. The workspace is a path: the child and
// the worker open their own connections.
#include <QDateTime>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "pages/train/train_events.h"
#include "pages/train/train_request.h"

namespace tiltbench {

class JobRunner;
class TrainProcess;

struct QueueEntry {
    enum Status { Pending, Running, Done, Failed, Cancelled };
    int id = 0;  // stable, 1-based, in queueing order
    TrainRequest request;
    Status status = Pending;
    qint64 runId = 0;
    QString error;
    QString progressText;   // "epoch 2/30 · step 40/80"
    double fraction = 0.0;  // of the whole run; −1 = unknown
    int epochsDone = 0;
    // A sweep's runs share a sweep number (0: queued alone) and know their place in it (1-based).
    int sweep = 0;
    int sweepIndex = 0;
    int sweepSize = 0;
    int resumedAs = 0;     // the id of the entry that resumes this cancelled run (0: none)
    TrainOutcome outcome;  // when finished
    QDateTime queuedAt;
    QDateTime startedAt;
    QDateTime finishedAt;
};

QString queueStatusText(QueueEntry::Status status);

class TrainQueue : public QObject {
    Q_OBJECT
  public:
    explicit TrainQueue(QObject* parent = nullptr);
    ~TrainQueue() override;

    // Only while idle (the page refuses a workspace switch during a run).
    void setWorkspacePath(const QString& path);
    QString workspacePath() const { return m_workspacePath; }
    void setCliPath(const QString& path) { m_cliPath = path; }
    QString cliPath() const { return m_cliPath; }

    // Queues and, when nothing runs, starts it from the event loop. Returns the entry's id.
    int enqueue(const TrainRequest& request);
    // Queues the requests as one sweep (they can be cancelled together). Returns the entries' ids.
    QList<int> enqueueSweep(const QList<TrainRequest>& requests);
    // Queues the resumption of a cancelled SASRec run; the entries that ran it point at the new one. Refused
    // (−1, *why set) while the run is already running or waiting to resume.
    int enqueueResume(const TrainRequest& request, QString* why = nullptr);
    // A pending entry becomes cancelled; the running one is asked to stop (SIGINT / cancel flag).
    void cancel(int id);
    // Every pending entry, then the running one.
    void cancelAll();
    // A sweep's pending entries and, when it belongs to the sweep, the running one.
    void cancelSweep(int sweep);
    // The pending entries of the running entry's sweep (0 outside a sweep).
    int pendingInSweep(int sweep) const;
    // Seconds left in a sweep: the running run's own estimate plus, for each of its pending runs, the mean
    // duration of its finished runs (or, before any has finished, the running run's projected total).
    // NaN when nothing is known yet.
    double sweepSecondsLeft(int sweep, double runningElapsed, double runningEta) const;
    // Drops finished entries from the list (done, failed, cancelled).
    void clearFinished();

    bool isBusy() const { return m_current >= 0; }
    bool isCancelling() const;
    bool hasPending() const;
    const std::vector<QueueEntry>& entries() const { return m_entries; }
    int rowOf(int id) const;  // −1 when absent
    const QueueEntry* runningEntry() const;

  Q_SIGNALS:
    // Pairs for item models: the "about to" signal comes before the list changes.
    void aboutToAddEntry(int row);
    void entryAdded(int row);
    void entryChanged(int row);
    void aboutToResetEntries();
    void entriesReset();
    void runStarted(int row);
    void runCreated(int row, qint64 runId);
    void progressed(int row, const tiltbench::TrainProgressEvent& event);
    void epochFinished(int row, const tiltbench::TrainEpochEvent& event);
    void logLine(const QString& line);
    void runFinished(int row, const tiltbench::TrainOutcome& outcome);
    void idle();  // nothing runs and nothing will start

  private:
    void startNext();
    void startSasrec(QueueEntry& entry);
    void startClosedForm(QueueEntry& entry);
    void onProgress(const TrainProgressEvent& event);
    void onOutcome(const TrainOutcome& outcome);
    void onClosedFormStopped();
    void finishCurrent(const TrainOutcome& outcome);

    QString m_workspacePath;
    QString m_cliPath;
    std::vector<QueueEntry> m_entries;
    int m_current = -1;  // row of the running entry
    int m_nextId = 1;
    int m_nextSweep = 1;
    TrainProcess* m_process;
    static inline const QString kFitJob = QStringLiteral("fit");
    JobRunner* m_jobs;                               // closed-form fits (ui/jobs/job_runner.h)
    std::shared_ptr<TrainOutcome> m_pendingOutcome;  // the closed-form worker's, until its thread stops
    bool m_closedFormResult = false;                 // the worker reported an outcome before it stopped
};

}  // namespace tiltbench
