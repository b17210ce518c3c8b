#pragma once
// JobRunner: the one place a page's background work goes through (the shape of QGIS's QgsTaskManager: one
// object starts, tracks, cancels and emits; results always arrive on the GUI thread). A page owns one runner;
// each kind of job has a named slot ("load", "baseline", "detail", …), and per slot:
//   - at most one job runs; start() on a busy slot cancels the running job and starts the new one as soon as
//     the old one has stopped ("latest wins"; a job waiting for its turn is replaced by a newer one);
//   - only the slot's latest job may deliver: a handler connected with on() is called for the slot's current
//     job only, never for a superseded, cancelled or dropped one — no page keeps generation counters;
//   - the runner owns the slot's status text, and its text follows the job's state: "<what>…" when the job
//     starts (or waits for its turn), "<what> — <stage> 45 %" while it reports progress, and when it stops
//     (done, failed, cancelled) the outcome its handler reported with report() — or nothing, so no stale
//     "loading…" outlives its job; a dropped job's text is cleared at once. A page shows statusText()
//     (statusTextChanged): the newest text of any of its slots, cleared only by the slot that wrote it.
// Destroying the runner cancels every job and waits for its thread: a job never outlives its page.
#include <QHash>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <functional>
#include <type_traits>

#include "jobs/worker.h"

namespace tiltbench {

class JobHandle;

class JobRunner : public QObject {
    Q_OBJECT
  public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // Takes ownership of `worker` (no parent) and runs it in `slot`: now, or once the slot's running job has
    // stopped (that job is cancelled and its results dropped). Connect handlers with on() first.
    void start(const QString& slot, Worker* worker);

    // Calls `handler(args…)` on the GUI thread when `worker` emits `signal` — only while `worker` is its
    // slot's latest job. For result signals, `Worker::failed` and `Worker::cancelled` alike; `handler` takes
    // the signal's arguments or none.
    template <typename W, typename S, typename... Args, typename F>
    void on(W* worker, void (S::*signal)(Args...), F handler) {
        const quint64 id = idOf(worker);
        connect(worker, signal, this, [this, id, handler](Args... args) {
            if (!isCurrent(id)) {
                return;
            }
            if constexpr (std::is_invocable_v<F, Args...>) {
                handler(args...);
            } else {
                handler();  // as with connect(), a handler may ignore the signal's arguments
            }
        });
    }

    // Cancels the slot's running job and forgets a waiting one; nothing of either is delivered any more (the
    // page's input changed: their results would be stale).
    void cancel(const QString& slot);
    // Asks the slot's running job to stop (the user pressed Cancel): it stays the slot's latest job, so its
    // `cancelled` — or the result it finished meanwhile — is still delivered.
    void stop(const QString& slot);
    // Every slot.
    void cancelAll();
    // The slot's current job (running or waiting for its turn) exists and has not been cancelled.
    bool isActive(const QString& slot) const;
    // A thread of the slot still runs (possibly a cancelled job winding down).
    bool isRunning(const QString& slot) const;
    bool isBusy() const;  // any slot running
    // The slot's running job was asked to stop and has not stopped yet.
    bool isCancelling(const QString& slot) const;
    // What the slot's latest job does (Worker::description), for "Importing 'ml-100k': writing".
    QString description(const QString& slot) const;
    // Blocks until every job has stopped. Teardown and tests only.
    void waitForAll();

    // The page's word on the slot: from a result handler, the job's outcome ("Exported run 3 in 2 s") — shown
    // now and kept when the job stops; with no job in the slot, a message of its own ("Could not read the
    // runs: …"), shown now. A later job in the slot replaces it.
    void report(const QString& slot, const QString& text);
    // The page's status line: the newest non-empty text of any slot; when that slot's text is cleared, the
    // line falls back to the next newest (a finished detail job's progress gives way to "Reference curves…").
    QString statusText() const { return m_statusText; }

  Q_SIGNALS:
    void statusChanged(const QString& slot, const QString& text);
    void statusTextChanged(const QString& text);
    void progress(const QString& slot, qint64 done, qint64 total, const QString& stage);
    // The slot's job stopped (done, failed or cancelled) and nothing waits in the slot.
    void idle(const QString& slot);

  private:
    struct Slot {
        JobHandle* handle = nullptr;
        quint64 current = 0;  // id of the job that may deliver; 0 = none
        QPointer<Worker> waiting;
        QString description;
        QString outcome;  // what report() said of the running job; shown again when it stops
    };

    quint64 idOf(Worker* worker);
    bool isCurrent(quint64 id) const;
    Slot& slotOf(const QString& name);
    void launch(const QString& name, Worker* worker);
    void onStopped(const QString& name);
    void setSlotStatus(const QString& name, const QString& text);

    QHash<QString, Slot> m_slots;
    quint64 m_nextId = 1;
    QString m_statusText;
    QHash<QString, QPair<quint64, QString>> m_texts;  // slot → (when it was written, its text)
    quint64 m_textSeq = 0;
};

}  // namespace tiltbench
