#include "pages/data/remove_dataset_worker.h"

#include <utility>

#include "store/workspace.h"

namespace tiltbench {

RemoveDatasetWorker::RemoveDatasetWorker(QString workspacePath, int64_t datasetId, QString datasetName)
    : m_workspacePath(std::move(workspacePath)),
      m_datasetId(datasetId),
      m_datasetName(std::move(datasetName)) {}

QString RemoveDatasetWorker::description() const {
    return tr("Deleting '%1'").arg(m_datasetName);
}

void RemoveDatasetWorker::execute() {
    reportStage(tr("deleting"));
    Workspace ws(m_workspacePath.toStdString(), OpenMode::OpenExisting);
    ws.removeDataset(m_datasetId);
    Q_EMIT finished(static_cast<qint64>(m_datasetId));
}

}  // namespace tiltbench
