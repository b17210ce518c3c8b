#pragma once
// RemoveDatasetWorker: deletes a dataset on a worker thread; removing 20 M interaction rows takes long enough
// to freeze the window if done on the GUI thread. Emits `finished(datasetId)`.
#include <QString>
#include <cstdint>

#include "jobs/worker.h"

namespace tiltbench {

class RemoveDatasetWorker : public Worker {
    Q_OBJECT
  public:
    RemoveDatasetWorker(QString workspacePath, int64_t datasetId, QString datasetName);

    QString description() const override;

  Q_SIGNALS:
    void finished(qint64 datasetId);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    int64_t m_datasetId;
    QString m_datasetName;
};

}  // namespace tiltbench
