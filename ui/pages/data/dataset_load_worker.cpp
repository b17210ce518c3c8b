#include "pages/data/dataset_load_worker.h"

#include <utility>

#include "common/error.h"
#include "store/workspace.h"

namespace tiltbench {

DatasetLoadWorker::DatasetLoadWorker(QString workspacePath, int64_t datasetId)
    : m_workspacePath(std::move(workspacePath)), m_datasetId(datasetId) {}

QString DatasetLoadWorker::description() const {
    return tr("Loading dataset %1").arg(m_datasetId);
}

void DatasetLoadWorker::execute() {
    reportStage(tr("opening workspace"));
    Workspace ws(m_workspacePath.toStdString(), OpenMode::ReadOnly);
    LoadedDataset result;
    result.info = ws.dataset(m_datasetId);
    InteractionLog log = ws.loadLog(m_datasetId, progressCallback());
    reportStage(tr("summarising"));
    result.summary = summarize(log);
    result.hasTime = log.hasTime;
    result.itemLabels.reserve(log.itemIds.size());
    for (size_t i = 0; i < log.itemIds.size(); ++i) {
        const bool titled = i < log.itemTitles.size() && !log.itemTitles[i].empty();
        result.itemLabels.push_back(titled ? log.itemTitles[i] : log.itemIds[i]);
    }
    if (isCancelRequested()) {
        throw Cancelled();
    }
    Q_EMIT finished(result);
}

}  // namespace tiltbench
