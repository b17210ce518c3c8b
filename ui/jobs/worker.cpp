#include "jobs/worker.h"

#include <exception>

#include "common/error.h"
#include "shared/meta_types.h"

namespace tiltbench {

namespace {
constexpr qint64 kProgressIntervalMs = 50;
}

Worker::Worker(QObject* parent) : QObject(parent) {
    registerMetaTypes();
}

void Worker::cancel() {
    m_cancel->store(true);
}

bool Worker::isCancelRequested() const {
    return m_cancel->load();
}

void Worker::run() {
    try {
        if (isCancelRequested()) {
            throw Cancelled();
        }
        execute();
    } catch (const Cancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
    } catch (...) {
        Q_EMIT failed(tr("%1 failed with an unknown error.").arg(description()));
    }
    Q_EMIT done();
}

ProgressCallback Worker::progressCallback() {
    return [this](const Progress& p) { return forwardProgress(p); };
}

void Worker::reportStage(const QString& stage) {
    m_lastStage = stage;
    m_sinceEmit.start();
    Q_EMIT progress(0, 0, stage);
}

bool Worker::forwardProgress(const Progress& p) {
    const QString stage = QString::fromStdString(p.stage);
    const bool finished = p.total > 0 && p.done >= p.total;
    // Every core call would flood the GUI thread's queue on a 20 M-row import; a stage change or the end of a
    // stage is always worth showing.
    if (stage != m_lastStage || finished || !m_sinceEmit.isValid() ||
        m_sinceEmit.elapsed() >= kProgressIntervalMs) {
        m_lastStage = stage;
        m_sinceEmit.start();
        Q_EMIT progress(static_cast<qint64>(p.done), static_cast<qint64>(p.total), stage);
    }
    return !isCancelRequested();
}

}  // namespace tiltbench
