#include "pages/compare/compare_workers.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSysInfo>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/output_guard.h"
#include "data/ground_truth.h"
#include "eval/evaluator.h"
#include "eval/metrics.h"
#include "export/atomic_file.h"
#include "model/closed_form_policy.h"
#include "pages/explorer/explorer_worker.h"
#include "process/engine_process.h"
#include "report/report.h"
#include "report/run_groups.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "train/closed_form_run.h"
#include "train/final_metrics.h"
#include "train/tilted_policy_curves.h"
#include "weighting/target_view.h"

namespace tiltbench {

namespace {
const char* const kReferenceMetrics[] = {"ndcg@10",        "ndcg_high@10", "item_mean_reward@10",
                                         "true_reward@10", "arp@10",       "coverage@10"};
}  // namespace

// ─── BaselineWorker ─────────────────────────────────────────────────────────────────────────────────────

BaselineWorker::BaselineWorker(QString workspacePath, qint64 baselineId, std::vector<qint64> runIds,
                               QString split, BootstrapConfig bootstrap)
    : m_workspacePath(std::move(workspacePath)),
      m_baselineId(baselineId),
      m_runIds(std::move(runIds)),
      m_split(std::move(split)),
      m_bootstrap(bootstrap) {
    qRegisterMetaType<BaselineResult>();
}

QString BaselineWorker::description() const {
    return tr("Comparing runs with baseline run %1").arg(m_baselineId);
}

void BaselineWorker::execute() {
    Workspace ws(m_workspacePath.toStdString(), OpenMode::ReadOnly);
    const RunStore store(ws);
    BaselineResult result;
    result.baselineId = m_baselineId;
    result.split = m_split;
    int done = 0;
    for (qint64 id : m_runIds) {
        if (isCancelRequested()) {
            throw Cancelled();
        }
        Q_EMIT progress(done++, static_cast<qint64>(m_runIds.size()), tr("paired bootstrap"));
        if (id == m_baselineId) {
            continue;
        }
        try {
            result.comparisons.insert(
                id, compareRuns(store, id, m_baselineId, m_split.toStdString(), m_bootstrap));
        } catch (const Error& e) {
            result.errors.insert(id, QString::fromStdString(e.what()));
        }
    }
    Q_EMIT finished(result);
}

// ─── ReferenceWorker ────────────────────────────────────────────────────────────────────────────────────

ReferenceWorker::ReferenceWorker(QString workspacePath, int64_t datasetId, QString split)
    : m_workspacePath(std::move(workspacePath)), m_datasetId(datasetId), m_split(std::move(split)) {
    qRegisterMetaType<std::shared_ptr<const ReferenceCurves>>();
}

QString ReferenceWorker::description() const {
    return tr("Computing the closed-form reference curves of dataset %1").arg(m_datasetId);
}

std::shared_ptr<const ReferenceCurves> ReferenceWorker::compute(const QString& workspacePath,
                                                                int64_t datasetId, const QString& split,
                                                                const std::function<bool()>& keepGoing) {
    QElapsedTimer timer;
    timer.start();
    const ProgressCallback cancel = [&](const Progress&) { return !keepGoing || keepGoing(); };
    // The λ Explorer's preparation: log, leave-one-out split, policy tables, a seeded user sample.
    const auto dataset = ExplorerWorker::prepareDataset(workspacePath, datasetId, cancel);
    auto c = std::make_shared<ReferenceCurves>();
    c->datasetId = datasetId;
    c->split = split;
    c->lambdas = ExplorerWorker::metricGrid();
    const EvalSet set = split == QStringLiteral("valid") ? EvalSet::Validation : EvalSet::Test;
    c->evaluatedUsers = static_cast<int64_t>(dataset->evaluator->evaluatedUsers(set).size());
    c->eligibleUsers = static_cast<int64_t>(dataset->split.targets(set).size());
    // The Explorer's loop (train/tilted_policy_curves.h), with exp weights normalised to mean 1.
    WeightScheme base = WeightScheme::exp(1.0);
    base.normalization = WeightNormalization::Mean;
    const std::vector<std::string> names(std::begin(kReferenceMetrics), std::end(kReferenceMetrics));
    TiltedPolicyCurves tilted = tiltedPolicyCurves(
        dataset->policy, *dataset->evaluator, set, base, c->lambdas, names,
        [&](int, int) { return !keepGoing || keepGoing(); }, cancel);
    c->markov = std::move(tilted.markov);
    c->popularity = std::move(tilted.popularity);
    c->seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    return c;
}

void ReferenceWorker::execute() {
    reportStage(tr("fitting the tilted policies"));
    auto curves = compute(m_workspacePath, m_datasetId, m_split, [this] { return !isCancelRequested(); });
    Q_EMIT finished(curves);
}

// ─── RunDetailWorker ────────────────────────────────────────────────────────────────────────────────────

RunDetailWorker::RunDetailWorker(QString workspacePath, CompareRun run, QString cliPath)
    : m_workspacePath(std::move(workspacePath)), m_run(std::move(run)), m_cliPath(std::move(cliPath)) {
    qRegisterMetaType<RunDetail>();
}

QString RunDetailWorker::description() const {
    return tr("Top-10 popularity profile of run %1").arg(m_run.id());
}

void RunDetailWorker::execute() {
    Workspace ws(m_workspacePath.toStdString(), OpenMode::ReadOnly);
    // A run stores its profile when it finishes (train/final_metrics.h): shown at once, nothing scored.
    if (const auto stored = storedPopularityProfile(RunStore(ws).metrics(m_run.id()))) {
        RunDetail detail;
        detail.runId = m_run.id();
        detail.k = stored->k;
        detail.users = stored->lists;
        detail.profile = stored->profile;
        detail.source = tr("test users' top-%1 lists, stored when the run finished").arg(detail.k);
        Q_EMIT finished(detail);
        return;
    }
    reportStage(tr("loading"));
    const InteractionLog log = ws.loadLog(m_run.record.datasetId, progressCallback());
    SplitConfig splitConfig;
    splitConfig.kind = SplitConfig::kindFromString(m_run.split.toStdString());
    const Split split = Split::make(log, splitConfig);
    const ItemStatistics stats = ItemStatistics::fromTraining(split.training(), split.numItems());

    RunDetail detail;
    detail.runId = m_run.id();
    std::vector<int64_t> recommended;
    if (m_run.isSasrec()) {
        recommended = sasrecCounts(split.numItems(), detail.k, detail.users);
        detail.source =
            tr("test users' top-%1 lists from the run's best checkpoint (tiltbench-cli eval)").arg(detail.k);
    } else {
        ClosedFormRunConfig config = ClosedFormRunConfig::fromJson(m_run.record.config);
        config.bootstrapResamples = 0;  // only the lists are needed
        ClosedFormRunResult result;
        TrueRewardFunction none;
        reportStage(tr("refitting"));
        fitAndEvaluateClosedForm(log, split, config, none, progressCallback(), result);
        detail.k = std::min(10, result.test.kMax);
        detail.users = static_cast<int64_t>(result.test.users.size());
        recommended =
            metrics::recommendationCounts(result.test.topItems, result.test.kMax, detail.k, split.numItems());
        detail.source = tr("test users' top-%1 lists of the refitted policy").arg(detail.k);
    }
    if (recommended.size() != stats.count.size()) {
        throw Error("the run's item counts do not match the dataset's catalogue");
    }
    detail.profile = popularityProfile(stats.count, recommended, 10);
    Q_EMIT finished(detail);
}

std::vector<int64_t> RunDetailWorker::sasrecCounts(int32_t numItems, int& k, int64_t& users) {
    if (m_cliPath.isEmpty()) {
        throw Error(
            "tiltbench-cli was not found: the top-10 lists of a SASRec run need its model, which only "
            "the CLI loads");
    }
    reportStage(tr("scoring the test users with the checkpoint"));
    engine::EvalRequest request;
    request.workspace = m_workspacePath.toStdString();
    request.runId = m_run.id();
    request.topCounts = true;
    QJsonObject out;
    try {
        out = runEngine(m_cliPath, request.arguments(), [this] { return isCancelRequested(); });
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw Error(std::string("tiltbench-cli eval failed: ") + e.what());
    }
    const QJsonObject counts = out.value(QStringLiteral("top_counts")).toObject();
    k = counts.value(QStringLiteral("k")).toInt(10);
    users = static_cast<int64_t>(counts.value(QStringLiteral("users")).toDouble());
    std::vector<int64_t> result(static_cast<size_t>(numItems), 0);
    const QJsonArray items = counts.value(QStringLiteral("items")).toArray();
    const QJsonArray values = counts.value(QStringLiteral("counts")).toArray();
    for (qsizetype i = 0; i < items.size() && i < values.size(); ++i) {
        const int item = items[i].toInt(-1);
        if (item >= 0 && item < numItems) {
            result[static_cast<size_t>(item)] = static_cast<int64_t>(values[i].toDouble());
        }
    }
    return result;
}

// ─── ReportWorker ───────────────────────────────────────────────────────────────────────────────────────

ReportWorker::ReportWorker(QString workspacePath, QString dataset, QString outPath)
    : m_workspacePath(std::move(workspacePath)),
      m_dataset(std::move(dataset)),
      m_outPath(std::move(outPath)) {}

QString ReportWorker::description() const {
    return tr("Writing the report of '%1'").arg(m_dataset);
}

void ReportWorker::execute() {
    reportStage(tr("reading the runs"));
    Workspace ws(m_workspacePath.toStdString(), OpenMode::ReadOnly);
    ReportOptions options;
    options.dataset = m_dataset.toStdString();
    options.machine = tr("%1 · %n core(s)", nullptr, QThread::idealThreadCount())
                          .arg(QSysInfo::machineHostName())
                          .toStdString();
    options.generatedAt =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")).toStdString();
    const std::string html = buildReport(ws, options);
    if (isCancelRequested())
        throw Cancelled();
    OutputGuard guard;
    guard.protectWorkspace(m_workspacePath.toStdString());
    AtomicFile out(m_outPath.toStdString(), guard);
    out.write(html);
    out.commit();
    Q_EMIT finished(m_outPath, static_cast<qint64>(html.size()));
}

// ─── GroupsWorker ───────────────────────────────────────────────────────────────────────────────────────

GroupsWorker::GroupsWorker(QString workspacePath, int64_t datasetId, QString split, QString baselineKey)
    : m_workspacePath(std::move(workspacePath)),
      m_datasetId(datasetId),
      m_split(std::move(split)),
      m_baselineKey(std::move(baselineKey)) {
    qRegisterMetaType<GroupTable>();
}

QString GroupsWorker::description() const {
    return tr("Grouping the runs of dataset %1 over seeds").arg(m_datasetId);
}

GroupTable GroupsWorker::compute(const QString& workspacePath, int64_t datasetId, const QString& split,
                                 const QString& baselineKey, const std::function<bool()>& keepGoing) {
    Workspace ws(workspacePath.toStdString(), OpenMode::ReadOnly);
    const std::vector<StoredRun> runs = loadFinishedRuns(ws, datasetId);
    const std::vector<RunGroup> groups = groupRuns(runs);
    const bool test = split != QStringLiteral("valid");
    GroupTable table;
    table.split = split;
    table.baselineKey = baselineKey;
    bool truth = false;
    for (const StoredRun& r : runs) {
        truth = truth || r.test.find("true_reward@10") != nullptr;
    }
    table.metrics = {"ndcg@10", "hr@10", "ndcg_high@10", "hr_high@10", "item_mean_reward@10"};
    if (truth) {
        table.metrics.push_back("true_reward@10");
    }
    table.metrics.push_back("arp@10");
    BootstrapConfig bootstrap;
    bootstrap.resamples = 500;  // 95 % percentile intervals; the report uses 1000
    const auto keyOf = [](const RunGroup& g) {
        return QString::fromStdString(g.experiment + "|" + g.scheme.toJson());
    };
    const RunGroup* baseline = nullptr;
    for (const RunGroup& g : groups) {
        if (!baselineKey.isEmpty() && keyOf(g) == baselineKey) {
            baseline = &g;
        }
    }
    std::vector<std::string> experiments;
    for (const RunGroup& g : groups) {
        if (keepGoing && !keepGoing()) {
            throw Cancelled();
        }
        auto e = std::find(experiments.begin(), experiments.end(), g.experiment);
        if (e == experiments.end()) {
            experiments.push_back(g.experiment);
            e = experiments.end() - 1;
        }
        GroupRow row;
        row.key = keyOf(g);
        row.label = QString::fromStdString(configurationName(g));
        row.model = QString::fromStdString(g.model);
        row.experimentLabel = tr("experiment %1").arg(e - experiments.begin() + 1);
        for (const auto& [seed, r] : g.bySeed) {
            row.seeds << seed;
            row.runIds << r->record.id;
        }
        for (const std::string& m : table.metrics) {
            const SeededDifference mean = groupMean(g, m, test, bootstrap);
            if (std::isfinite(mean.diff)) {
                row.means[m] = mean;
            }
            if (baseline && baseline != &g && baseline->experiment == g.experiment) {
                const SeededDifference d = compareGroups(g, *baseline, m, test, bootstrap);
                if (std::isfinite(d.diff)) {
                    row.diffs[m] = d;
                }
            }
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

void GroupsWorker::execute() {
    reportStage(tr("reading and grouping the runs"));
    GroupTable table = compute(m_workspacePath, m_datasetId, m_split, m_baselineKey,
                               [this] { return !isCancelRequested(); });
    if (isCancelRequested()) {
        throw Cancelled();
    }
    Q_EMIT finished(table);
}

}  // namespace tiltbench
