#pragma once
// The Compare page's background jobs, each on its own Workspace connection:
//  • BaselineWorker — paired differences of every listed run from a pinned baseline (eval/run_comparison.h:
//    a paired bootstrap over the stored per-user values, 1,000 resamples), a few ms to a second per run;
//  • ReferenceWorker — the closed-form tilted policies' metric-against-λ curves on the chosen split
//    (tilted Markov and popularity at the λ Explorer's 17 λ values, exp weights with mean normalisation),
//    drawn behind the runs as the theory's reference; on a seeded sample of at most 5,000 users like the
//    Explorer's, so it is fast on any dataset;
//  • RunDetailWorker — the popularity profile of one run's top-10 lists against the training popularity.
//    Top-10 lists are not stored with a run: a closed-form run is refitted in-process (deterministic, torch-
//    free); a SASRec run needs its model, so the worker asks a child `tiltbench-cli eval --top-counts` for
//    the counts (this process never loads LibTorch).
#include <QHash>
#include <QMetaType>
#include <QString>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eval/bootstrap.h"
#include "eval/popularity_profile.h"
#include "eval/run_comparison.h"
#include "jobs/worker.h"
#include "pages/compare/compare_data.h"
#include "pages/compare/group_table_model.h"

namespace tiltbench {

struct BaselineResult {
    qint64 baselineId = 0;
    QString split;
    QHash<qint64, RunComparison> comparisons;
    QHash<qint64, QString> errors;  // runs that cannot be paired with the baseline, and why
};

class BaselineWorker : public Worker {
    Q_OBJECT
  public:
    BaselineWorker(QString workspacePath, qint64 baselineId, std::vector<qint64> runIds, QString split,
                   BootstrapConfig bootstrap = {});
    QString description() const override;

  Q_SIGNALS:
    void finished(const tiltbench::BaselineResult& result);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    qint64 m_baselineId;
    std::vector<qint64> m_runIds;
    QString m_split;
    BootstrapConfig m_bootstrap;
};

struct ReferenceCurves {
    int64_t datasetId = -1;
    QString split;                                      // "test" | "valid"
    std::vector<double> lambdas;                        // ascending, +∞ last
    std::map<std::string, std::vector<double>> markov;  // metric → value per λ (NaN: no user counted)
    std::map<std::string, std::vector<double>> popularity;
    int64_t evaluatedUsers = 0;
    int64_t eligibleUsers = 0;
    double seconds = 0.0;
};

class ReferenceWorker : public Worker {
    Q_OBJECT
  public:
    static constexpr int64_t kSampleUsers = 5000;
    ReferenceWorker(QString workspacePath, int64_t datasetId, QString split);
    QString description() const override;
    // The work itself, without a thread (tests).
    static std::shared_ptr<const ReferenceCurves> compute(const QString& workspacePath, int64_t datasetId,
                                                          const QString& split,
                                                          const std::function<bool()>& keepGoing = {});

  Q_SIGNALS:
    void finished(std::shared_ptr<const tiltbench::ReferenceCurves> curves);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    int64_t m_datasetId;
    QString m_split;
};

// The "group seeds" table: the dataset's runs grouped by configuration over seeds (core/report/run_groups.h),
// each metric's mean over seeds with its two-level interval, and with `baselineKey` the paired difference of
// every group of the same experiment against that group.
class GroupsWorker : public Worker {
    Q_OBJECT
  public:
    GroupsWorker(QString workspacePath, int64_t datasetId, QString split, QString baselineKey);
    QString description() const override;
    // The work itself, without a thread (tests).
    static GroupTable compute(const QString& workspacePath, int64_t datasetId, const QString& split,
                              const QString& baselineKey, const std::function<bool()>& keepGoing = {});

  Q_SIGNALS:
    void finished(const tiltbench::GroupTable& table);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    int64_t m_datasetId;
    QString m_split;
    QString m_baselineKey;
};

// The dataset's HTML report (core/report/report.h), written atomically to a file that is never the workspace.
class ReportWorker : public Worker {
    Q_OBJECT
  public:
    ReportWorker(QString workspacePath, QString dataset, QString outPath);
    QString description() const override;

  Q_SIGNALS:
    void finished(const QString& path, qint64 bytes);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    QString m_dataset;
    QString m_outPath;
};

struct RunDetail {
    qint64 runId = 0;
    int k = 10;
    int64_t users = 0;  // lists counted (test users)
    PopularityProfile profile;
    QString source;  // how the lists were obtained
};

class RunDetailWorker : public Worker {
    Q_OBJECT
  public:
    RunDetailWorker(QString workspacePath, CompareRun run, QString cliPath);
    QString description() const override;

  Q_SIGNALS:
    void finished(const tiltbench::RunDetail& detail);

  protected:
    void execute() override;

  private:
    std::vector<int64_t> sasrecCounts(int32_t numItems, int& k, int64_t& users);

    QString m_workspacePath;
    CompareRun m_run;
    QString m_cliPath;
};

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::BaselineResult)
Q_DECLARE_METATYPE(std::shared_ptr<const tiltbench::ReferenceCurves>)
Q_DECLARE_METATYPE(tiltbench::RunDetail)
Q_DECLARE_METATYPE(tiltbench::GroupTable)
