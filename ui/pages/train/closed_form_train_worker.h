#pragma once
// ClosedFormTrainWorker: one closed-form run (popularity, markov, itemmean) queued on the Train page, run
// in-process on a worker thread — runClosedForm on the worker's own Workspace connection, so it is recorded
// exactly like `tiltbench-cli train -m markov`. These policies need no LibTorch, so no child process. Emits
// `finished(TrainOutcome)`; the cancel flag is checked at every progress report (the run is then recorded as
// cancelled and Worker::cancelled follows).
#include <QString>

#include "jobs/worker.h"
#include "pages/train/train_events.h"
#include "train/closed_form_run.h"

namespace tiltbench {

class ClosedFormTrainWorker : public Worker {
    Q_OBJECT
  public:
    ClosedFormTrainWorker(QString workspacePath, ClosedFormRunConfig config);

    QString description() const override;

  Q_SIGNALS:
    // The id of the run this job recorded; before finished(), or before failed() / cancelled() when the run
    // got as far as being recorded.
    void runRecorded(qint64 runId);
    void finished(const tiltbench::TrainOutcome& outcome);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    ClosedFormRunConfig m_config;
};

}  // namespace tiltbench
