#pragma once
// Helpers for the UI tests: small data files, small workspaces, and a recorder that collects a worker's
// signals on the GUI thread in the order they arrive.
#include <QObject>
#include <QString>
#include <QStringList>
#include <string>

#include "io/import.h"
#include "shared/loaded_dataset.h"
#include "store/dataset_info.h"
#include "store/simulated_dataset.h"

namespace tiltbench {
class Worker;
}

namespace tiltbench::test {

// "user,item,rating,timestamp" with `rows` rows over small id ranges; rating 1..5.
std::string writeRatingsCsv(const std::string& path, int rows, bool header = true);
// Like writeRatingsCsv, with line `badLine` (1-based, counting the header) carrying reward "abc".
std::string writeBadRatingsCsv(const std::string& path, int rows, int badLine);

SimulatorConfig smallSimulatorConfig(int64_t interactions = 3000);
// A new workspace at `path` with one simulated dataset per name; returns their catalogue rows.
std::vector<DatasetInfo> makeWorkspace(const std::string& path, const std::vector<std::string>& names,
                                       const SimulatorConfig& config = smallSimulatorConfig());

// Collects a worker's signals (queued to the GUI thread, so in arrival order) for assertions.
// No Q_OBJECT: the test target has no moc, and lambdas with this as context need none.
class WorkerRecorder : public QObject {
  public:
    explicit WorkerRecorder(Worker* worker);

    QStringList events;  // "progress", "finished", "failed", "cancelled", "done"
    QStringList stages;
    QString failure;
    ImportReport importReport;
    LoadedDataset loaded;
    DatasetInfo generated;
};

}  // namespace tiltbench::test
