#pragma once
// GenerateWorker: runs the simulator (`generateDataset`) into the workspace on a worker thread. Emits
// `finished(DatasetInfo)` with the new dataset's catalogue row.
#include <QString>
#include <string>

#include "jobs/worker.h"
#include "store/simulated_dataset.h"

namespace tiltbench {

class GenerateWorker : public Worker {
    Q_OBJECT
  public:
    GenerateWorker(QString workspacePath, std::string name, SimulatorConfig config);

    QString description() const override;

  Q_SIGNALS:
    void finished(const tiltbench::DatasetInfo& dataset);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    std::string m_name;
    SimulatorConfig m_config;
};

}  // namespace tiltbench
