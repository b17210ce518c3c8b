#include "jobs/job_runner.h"

#include <QLocale>
#include <QVariant>
#include <cmath>

#include "jobs/job_handle.h"

namespace tiltbench {

namespace {
const char* const kJobIdProperty = "tiltbenchJobId";

QString progressText(const QString& what, qint64 done, qint64 total, const QString& stage) {
    QString text = what;
    if (!stage.isEmpty()) {
        text += QStringLiteral(" — ") + stage;
    }
    if (total > 0) {
        text += QStringLiteral(" %1 %").arg(
            std::lround(100.0 * static_cast<double>(done) / static_cast<double>(total)));
    } else if (done > 0) {
        text += QLatin1Char(' ') + QLocale().toString(done);  // unknown total: the count so far (rows read)
    }
    return text;
}
}  // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner() {
    for (auto it = m_slots.begin(); it != m_slots.end(); ++it) {
        it->current = 0;
        delete it->waiting.data();
        it->waiting.clear();
        if (it->handle) {
            it->handle->cancel();
        }
    }
    // The handles (children) cancel and wait for their threads as they are destroyed.
}

quint64 JobRunner::idOf(Worker* worker) {
    const QVariant id = worker->property(kJobIdProperty);
    if (id.isValid()) {
        return id.toULongLong();
    }
    const quint64 assigned = m_nextId++;
    worker->setProperty(kJobIdProperty, assigned);
    return assigned;
}

bool JobRunner::isCurrent(quint64 id) const {
    for (const Slot& s : m_slots) {
        if (s.current == id) {
            return true;
        }
    }
    return false;
}

JobRunner::Slot& JobRunner::slotOf(const QString& name) {
    Slot& s = m_slots[name];
    if (!s.handle) {
        s.handle = new JobHandle(this);
        connect(s.handle, &JobHandle::stopped, this, [this, name] { onStopped(name); });
    }
    return s;
}

void JobRunner::start(const QString& name, Worker* worker) {
    Slot& s = slotOf(name);
    s.current = idOf(worker);
    s.description = worker->description();
    s.outcome.clear();
    if (s.handle->isRunning()) {
        // Latest wins: the running job is cancelled, a job still waiting is replaced, and this one starts
        // when the slot is free.
        s.handle->cancel();
        delete s.waiting.data();
        s.waiting = worker;
        setSlotStatus(name, s.description + QStringLiteral("…"));
        return;
    }
    launch(name, worker);
}

void JobRunner::launch(const QString& name, Worker* worker) {
    Slot& s = slotOf(name);
    const quint64 id = idOf(worker);
    const QString what = worker->description();
    connect(worker, &Worker::progress, this,
            [this, name, id, what](qint64 done, qint64 total, const QString& stage) {
                if (isCurrent(id)) {
                    Q_EMIT progress(name, done, total, stage);
                    setSlotStatus(name, progressText(what, done, total, stage));
                }
            });
    s.outcome.clear();
    setSlotStatus(name, what + QStringLiteral("…"));
    s.handle->start(worker);
}

void JobRunner::onStopped(const QString& name) {
    Slot& s = slotOf(name);
    // The job's state changed: its progress text goes, and what its handler reported of it stays.
    setSlotStatus(name, s.current != 0 ? s.outcome : QString());
    s.outcome.clear();
    if (Worker* next = s.waiting.data()) {
        s.waiting.clear();
        launch(name, next);
        return;
    }
    Q_EMIT idle(name);
}

void JobRunner::cancel(const QString& name) {
    const auto it = m_slots.find(name);
    if (it == m_slots.end()) {
        return;
    }
    it->current = 0;
    delete it->waiting.data();
    it->waiting.clear();
    it->handle->cancel();
    it->outcome.clear();
    setSlotStatus(name, QString());
}

void JobRunner::stop(const QString& name) {
    const auto it = m_slots.find(name);
    if (it != m_slots.end() && it->handle->isRunning()) {
        it->handle->cancel();
        setSlotStatus(name, it->description + tr(" — cancelling…"));
    }
}

void JobRunner::cancelAll() {
    const QList<QString> names = m_slots.keys();
    for (const QString& name : names) {
        cancel(name);
    }
}

bool JobRunner::isActive(const QString& name) const {
    const auto it = m_slots.find(name);
    return it != m_slots.end() && it->current != 0 && (it->handle->isRunning() || it->waiting);
}

bool JobRunner::isRunning(const QString& name) const {
    const auto it = m_slots.find(name);
    return it != m_slots.end() && it->handle->isRunning();
}

bool JobRunner::isBusy() const {
    for (const Slot& s : m_slots) {
        if (s.handle->isRunning()) {
            return true;
        }
    }
    return false;
}

bool JobRunner::isCancelling(const QString& name) const {
    const auto it = m_slots.find(name);
    return it != m_slots.end() && it->handle->isCancelling();
}

QString JobRunner::description(const QString& name) const {
    const auto it = m_slots.find(name);
    return it != m_slots.end() ? it->description : QString();
}

void JobRunner::report(const QString& name, const QString& text) {
    const auto it = m_slots.find(name);
    if (it != m_slots.end() && it->current != 0 && it->handle->isRunning()) {
        it->outcome = text;
    }
    setSlotStatus(name, text);
}

void JobRunner::setSlotStatus(const QString& name, const QString& text) {
    Q_EMIT statusChanged(name, text);
    if (text.isEmpty()) {
        m_texts.remove(name);
    } else {
        m_texts.insert(name, qMakePair(++m_textSeq, text));
    }
    QString newest;
    quint64 when = 0;
    for (const auto& entry : std::as_const(m_texts)) {
        if (entry.first > when) {
            when = entry.first;
            newest = entry.second;
        }
    }
    if (newest != m_statusText) {
        m_statusText = newest;
        Q_EMIT statusTextChanged(m_statusText);
    }
}

void JobRunner::waitForAll() {
    for (const Slot& s : m_slots) {
        s.handle->waitForStopped();
    }
}

}  // namespace tiltbench
