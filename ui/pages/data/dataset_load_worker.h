#pragma once
// DatasetLoadWorker: loads one dataset from the workspace and summarises it for the Data page, off the GUI
// thread (ML-20M takes seconds to load). Emits `finished(LoadedDataset)`.
#include <QString>
#include <cstdint>

#include "jobs/worker.h"
#include "shared/loaded_dataset.h"

namespace tiltbench {

class DatasetLoadWorker : public Worker {
    Q_OBJECT
  public:
    DatasetLoadWorker(QString workspacePath, int64_t datasetId);

    QString description() const override;
    int64_t datasetId() const { return m_datasetId; }

  Q_SIGNALS:
    void finished(const tiltbench::LoadedDataset& result);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    int64_t m_datasetId;
};

}  // namespace tiltbench
