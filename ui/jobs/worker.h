#pragma once
// Worker: the base of every background job the UI runs (import, load + summarise, generate, delete). A worker
// is moved to its own QThread (see JobHandle) and does its work in `run()`, which wraps the job in try/catch
// so that no exception ever escapes into Qt's event loop: a tiltbench::Cancelled becomes `cancelled()`, any
// other error becomes `failed(message)`. Subclasses emit their own result signal with a plain struct. Every
// outcome ends with `done()`, the signal that stops the thread.
//
// Cancelling is a flag, not a signal: the GUI thread sets it with `cancel()` and the core job sees it at its
// next progress report (the progress callback returns false), then rolls back and throws Cancelled.
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "common/progress.h"

namespace tiltbench {

class Worker : public QObject {
    Q_OBJECT
  public:
    explicit Worker(QObject* parent = nullptr);

    // Thread-safe; takes effect at the job's next progress report.
    void cancel();
    bool isCancelRequested() const;
    // The flag itself, shared so that the owner can cancel without touching a worker that its thread may be
    // deleting at that moment.
    std::shared_ptr<std::atomic<bool>> cancelFlag() const { return m_cancel; }

    // What the job does, for messages such as "Importing 'ml-100k'".
    virtual QString description() const = 0;

  public Q_SLOTS:
    void run();

  Q_SIGNALS:
    // `total` 0 = unknown. Throttled: at most about 20 per second, plus every change of stage.
    void progress(qint64 done, qint64 total, const QString& stage);
    void failed(const QString& message);
    void cancelled();
    void done();

  protected:
    // The job itself; runs on the worker thread. Throw to fail; emit the result signal on success.
    virtual void execute() = 0;

    // A callback for core jobs: forwards (throttled) progress and reports the cancel flag.
    ProgressCallback progressCallback();
    void reportStage(const QString& stage);

  private:
    bool forwardProgress(const Progress& p);

    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
    QElapsedTimer m_sinceEmit;
    QString m_lastStage;
};

}  // namespace tiltbench
