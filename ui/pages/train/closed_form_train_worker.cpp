#include "pages/train/closed_form_train_worker.h"

#include <cmath>
#include <string>
#include <utility>

#include <unistd.h>

#include "store/run_store.h"
#include "store/workspace.h"

namespace tiltbench {

ClosedFormTrainWorker::ClosedFormTrainWorker(QString workspacePath, ClosedFormRunConfig config)
    : m_workspacePath(std::move(workspacePath)), m_config(std::move(config)) {}

QString ClosedFormTrainWorker::description() const {
    return tr("Fitting %1 on '%2'")
        .arg(QString::fromStdString(formatPolicyKind(m_config.model)),
             QString::fromStdString(m_config.dataset));
}

void ClosedFormTrainWorker::execute() {
    Workspace ws(m_workspacePath.toStdString(), OpenMode::OpenExisting);
    const ProgressCallback progress = progressCallback();
    // Another process holds the workspace's write lock: the run waits (cancel gives up) and the Train page
    // says so (train_page.cpp shows stages that start with "waiting for the workspace").
    ws.setLockWaitCallback([progress](double waited) {
        return progress(Progress{"waiting for the workspace (another process is writing to it, " +
                                     std::to_string(std::lround(waited)) + " s)",
                                 0, 0, ""});
    });
    const int64_t before = RunStore(ws).lastRunId();
    ClosedFormRunResult r;
    try {
        r = runClosedForm(ws, m_config, progress);
    } catch (...) {
        // runClosedForm records a failed or cancelled run but only returns the id of a finished one.
        if (auto id = RunStore(ws).newestRunOfWriter(::getpid(), writerHostId(), before)) {
            Q_EMIT runRecorded(*id);
        }
        throw;
    }
    Q_EMIT runRecorded(r.runId);
    TrainOutcome outcome;
    outcome.status = TrainOutcome::Done;
    outcome.runId = r.runId;
    outcome.seconds = r.totalSeconds;
    for (const auto& m : r.test.metrics) {
        if (std::isfinite(m.value)) {
            outcome.test.insert(QString::fromStdString(m.name), m.value);
        }
    }
    for (const auto& m : r.valid.metrics) {
        if (std::isfinite(m.value)) {
            outcome.valid.insert(QString::fromStdString(m.name), m.value);
        }
    }
    Q_EMIT finished(outcome);
}

}  // namespace tiltbench
