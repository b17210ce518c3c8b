#include "pages/explorer/explorer_full_eval_worker.h"

#include <utility>

#include "store/workspace.h"

namespace tiltbench {

ExplorerFullEvalWorker::ExplorerFullEvalWorker(QString workspacePath, QString dataset,
                                               const WeightScheme& scheme)
    : m_workspacePath(std::move(workspacePath)), m_dataset(std::move(dataset)), m_scheme(scheme) {
    qRegisterMetaType<ExplorerFullEvalResult>();
}

QString ExplorerFullEvalWorker::description() const {
    return tr("Evaluating the tilted Markov policy on '%1'").arg(m_dataset);
}

ClosedFormRunConfig ExplorerFullEvalWorker::config(const QString& dataset, const WeightScheme& scheme) {
    ClosedFormRunConfig c;
    c.dataset = dataset.toStdString();
    c.model = PolicyKind::Markov;
    c.scheme = scheme;
    c.bootstrapResamples = kBootstrapResamples;
    return c;
}

void ExplorerFullEvalWorker::execute() {
    reportStage(tr("loading"));
    Workspace ws(m_workspacePath.toStdString(), OpenMode::ReadOnly);
    ExplorerFullEvalResult result;
    result.dataset = m_dataset;
    result.scheme = m_scheme;
    result.run = runClosedForm(ws, config(m_dataset, m_scheme), progressCallback());
    Q_EMIT finished(result);
}

}  // namespace tiltbench
