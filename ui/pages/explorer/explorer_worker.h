#pragma once
// ExplorerWorker: prepares the λ Explorer for one dataset and one set of scheme settings off the GUI thread.
// Loads the log and builds the split, tables and Evaluator unless a prepared ExplorerDataset for the same
// dataset is handed in; then computes the curves unless cached ones are handed in: ESS/N on essGrid() and
// validation metrics of the tilted popularity and Markov policies on metricGrid() (17 evaluations per
// policy on a seeded 5,000-user sample — the expensive part, done once per dataset and settings). Emits
// `finished(ExplorerResult)`; the cancel flag is checked between evaluations and inside each.
#include <QString>
#include <cstdint>
#include <memory>

#include "jobs/worker.h"
#include "pages/explorer/explorer_data.h"

namespace tiltbench {

class ExplorerWorker : public Worker {
    Q_OBJECT
  public:
    static constexpr int64_t kSampleUsers = 5000;

    ExplorerWorker(QString workspacePath, int64_t datasetId, const WeightScheme& base,
                   std::shared_ptr<const ExplorerDataset> prepared = nullptr,
                   std::shared_ptr<const ExplorerCurves> cachedCurves = nullptr);

    QString description() const override;
    int64_t datasetId() const { return m_datasetId; }
    // The dataset's name, for the description ("Preparing 'ml-100k'"); its id is used without it.
    void setDatasetName(const QString& name) { m_datasetName = name; }

    // λ grids: the ESS curve's (fine, within the slider's range, +∞) and the metric curves' (16 values + ∞).
    static std::vector<double> essGrid();
    static std::vector<double> metricGrid();

    // The two steps, public so that tests and the CLI-free benchmarks can run them without a thread.
    static std::shared_ptr<const ExplorerDataset> prepareDataset(const QString& workspacePath,
                                                                 int64_t datasetId,
                                                                 const ProgressCallback& progress = {},
                                                                 int64_t rewardModelRun = 0);
    // Weights read reward-model run `run`'s estimates (0 = the logged rewards, the default).
    void setRewardModelRun(int64_t run) { m_rewardModelRun = run; }
    static std::shared_ptr<const ExplorerCurves> computeCurves(
        const ExplorerDataset& dataset, const WeightScheme& base,
        const std::function<bool(int done, int total)>& progress = {});

  Q_SIGNALS:
    void finished(const tiltbench::ExplorerResult& result);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    int64_t m_datasetId;
    int64_t m_rewardModelRun = 0;
    QString m_datasetName;
    WeightScheme m_base;
    std::shared_ptr<const ExplorerDataset> m_prepared;
    std::shared_ptr<const ExplorerCurves> m_cachedCurves;
};

}  // namespace tiltbench
