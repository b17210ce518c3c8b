#pragma once
// JobHandle: runs one Worker at a time on a fresh QThread and tracks it from the GUI thread. The worker is
// deleted on its own thread when it is done, the thread right after; `stopped()` arrives (queued, on the GUI
// thread) after the worker's result signal. Destroying a handle while its job runs cancels the job and waits
// for it, so a job never outlives the widget that shows its results.
#include <QObject>
#include <QPointer>
#include <QString>
#include <atomic>
#include <memory>

class QThread;

namespace tiltbench {

class Worker;

class JobHandle : public QObject {
    Q_OBJECT
  public:
    explicit JobHandle(QObject* parent = nullptr);
    ~JobHandle() override;

    // Takes ownership of `worker` (which must have no parent) and starts it. Connect to the worker's result
    // signals before calling. Returns false, deleting the worker, if a job is already running.
    bool start(Worker* worker);
    bool isRunning() const { return m_running; }
    void cancel();
    bool isCancelling() const;
    QString description() const { return m_description; }

    // Blocks until the thread has stopped. Only for teardown; the GUI otherwise waits for stopped().
    void waitForStopped();

  Q_SIGNALS:
    void stopped();

  private:
    void onWorkerDone();

    QPointer<QThread> m_thread;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QString m_description;
    bool m_running = false;
};

}  // namespace tiltbench
