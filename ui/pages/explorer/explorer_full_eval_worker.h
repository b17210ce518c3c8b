#pragma once
// ExplorerFullEvalWorker: the λ Explorer's "Record a Markov run at this λ". The Explorer's live metric curves
// use a seeded sample of ExplorerWorker::kSampleUsers users and no intervals; this worker runs the full
// evaluation of the tilted Markov policy at one scheme — runClosedForm on all users with 1,000 bootstrap
// resamples, on its own Workspace connection — and so records a run exactly like `tiltbench-cli train -m
// markov`. Emits `finished(ExplorerFullEvalResult)`; the cancel flag is checked at each progress report (the
// run is then recorded as cancelled).
#include <QMetaType>
#include <QString>

#include "jobs/worker.h"
#include "train/closed_form_run.h"

namespace tiltbench {

struct ExplorerFullEvalResult {
    QString dataset;
    WeightScheme scheme;
    ClosedFormRunResult run;
};

class ExplorerFullEvalWorker : public Worker {
    Q_OBJECT
  public:
    static constexpr int kBootstrapResamples = 1000;

    ExplorerFullEvalWorker(QString workspacePath, QString dataset, const WeightScheme& scheme);

    QString description() const override;
    // The run's configuration: the CLI's `train -m markov` defaults at `scheme`.
    static ClosedFormRunConfig config(const QString& dataset, const WeightScheme& scheme);

  Q_SIGNALS:
    void finished(const tiltbench::ExplorerFullEvalResult& result);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    QString m_dataset;
    WeightScheme m_scheme;
};

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::ExplorerFullEvalResult)
