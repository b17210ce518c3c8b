#include "pages/data/generate_worker.h"

#include <utility>

#include "store/workspace.h"

namespace tiltbench {

GenerateWorker::GenerateWorker(QString workspacePath, std::string name, SimulatorConfig config)
    : m_workspacePath(std::move(workspacePath)), m_name(std::move(name)), m_config(config) {}

QString GenerateWorker::description() const {
    return tr("Generating '%1'").arg(QString::fromStdString(m_name));
}

void GenerateWorker::execute() {
    reportStage(tr("opening workspace"));
    Workspace ws(m_workspacePath.toStdString(), OpenMode::OpenExisting);
    DatasetInfo info = generateDataset(ws, m_name, m_config, progressCallback());
    Q_EMIT finished(info);
}

}  // namespace tiltbench
