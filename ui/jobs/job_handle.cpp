#include "jobs/job_handle.h"

#include <QThread>

#include "jobs/worker.h"

namespace tiltbench {

JobHandle::JobHandle(QObject* parent) : QObject(parent) {}

JobHandle::~JobHandle() {
    if (m_cancel) {
        m_cancel->store(true);
    }
    // Earlier jobs' threads may still be winding down after done(); destroying a running QThread aborts.
    for (QThread* thread : findChildren<QThread*>()) {
        thread->wait();
    }
}

bool JobHandle::start(Worker* worker) {
    if (m_running) {
        delete worker;
        return false;
    }
    auto* thread = new QThread(this);
    thread->setObjectName(QStringLiteral("tiltbench-job"));
    worker->moveToThread(thread);
    connect(thread, &QThread::started, worker, &Worker::run);
    // Direct: quit() is thread-safe, and a GUI thread blocked in waitForStopped() could not deliver it.
    connect(worker, &Worker::done, thread, &QThread::quit, Qt::DirectConnection);
    connect(worker, &Worker::done, this, &JobHandle::onWorkerDone, Qt::QueuedConnection);
    connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_thread = thread;
    m_cancel = worker->cancelFlag();
    m_description = worker->description();
    m_running = true;
    thread->start();
    return true;
}

void JobHandle::cancel() {
    if (m_running && m_cancel) {
        m_cancel->store(true);
    }
}

bool JobHandle::isCancelling() const {
    return m_running && m_cancel && m_cancel->load();
}

void JobHandle::waitForStopped() {
    for (QThread* thread : findChildren<QThread*>()) {
        thread->wait();
    }
}

void JobHandle::onWorkerDone() {
    m_running = false;
    Q_EMIT stopped();
}

}  // namespace tiltbench
