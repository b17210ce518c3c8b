#include "pages/explorer/explorer_worker.h"

#include <QElapsedTimer>
#include <cmath>
#include <utility>

#include "common/error.h"
#include "store/workspace.h"
#include "train/reward_source.h"
#include "train/tilted_policy_curves.h"
#include "weighting/lambda_grid.h"
#include "weighting/target_view.h"

namespace tiltbench {

namespace {
struct MetricSpec {
    const char* name;
    const char* label;
    const char* axisLabel;  // short: the chooser above the plot carries the long name
};
// ARP and coverage are where the popularity bias of the logs shows; true reward only exists for simulated
// data.
const MetricSpec kMetrics[] = {
    {"ndcg@10", QT_TRANSLATE_NOOP("ExplorerWorker", "NDCG@10"),
     QT_TRANSLATE_NOOP("ExplorerWorker", "NDCG@10")},
    {"ndcg_high@10", QT_TRANSLATE_NOOP("ExplorerWorker", "NDCG@10, high-reward targets"),
     QT_TRANSLATE_NOOP("ExplorerWorker", "NDCG high@10")},
    {"arp@10", QT_TRANSLATE_NOOP("ExplorerWorker", "ARP@10 (mean training count)"),
     QT_TRANSLATE_NOOP("ExplorerWorker", "ARP@10")},
    {"coverage@10", QT_TRANSLATE_NOOP("ExplorerWorker", "Coverage@10"),
     QT_TRANSLATE_NOOP("ExplorerWorker", "Coverage@10")},
    {"true_reward@10", QT_TRANSLATE_NOOP("ExplorerWorker", "True reward@10"),
     QT_TRANSLATE_NOOP("ExplorerWorker", "True reward@10")},
};
}  // namespace

ExplorerWorker::ExplorerWorker(QString workspacePath, int64_t datasetId, const WeightScheme& base,
                               std::shared_ptr<const ExplorerDataset> prepared,
                               std::shared_ptr<const ExplorerCurves> cachedCurves)
    : m_workspacePath(std::move(workspacePath)),
      m_datasetId(datasetId),
      m_base(base),
      m_prepared(std::move(prepared)),
      m_cachedCurves(std::move(cachedCurves)) {
    qRegisterMetaType<ExplorerResult>();
}

QString ExplorerWorker::description() const {
    return m_datasetName.isEmpty() ? tr("Preparing the λ Explorer for dataset %1").arg(m_datasetId)
                                   : tr("Preparing '%1'").arg(m_datasetName);
}

std::vector<double> ExplorerWorker::essGrid() {
    return lambda_grid::essGrid();
}

std::vector<double> ExplorerWorker::metricGrid() {
    return lambda_grid::metricGrid();
}

std::shared_ptr<const ExplorerDataset> ExplorerWorker::prepareDataset(const QString& workspacePath,
                                                                      int64_t datasetId,
                                                                      const ProgressCallback& progress,
                                                                      int64_t rewardModelRun) {
    QElapsedTimer timer;
    timer.start();
    Workspace ws(workspacePath.toStdString(), OpenMode::ReadOnly);
    auto d = std::make_shared<ExplorerDataset>();
    d->info = ws.dataset(datasetId);
    d->log = ws.loadLog(datasetId, progress);
    if (auto record = ws.loadGroundTruth(datasetId)) {
        d->truth = std::make_shared<const GroundTruth>(GroundTruth::fromRecord(*record));
    }
    Progress splitting;
    splitting.stage = "splitting";
    if (progress && !progress(splitting)) {
        throw Cancelled();
    }
    d->split = Split::make(d->log);
    TargetView targets = viewOf(d->split.training(), d->split.numItems());
    std::vector<double> estimated;  // checked by sourcedTrainingRewards: a finished model of this split
    if (rewardModelRun > 0) {
        estimated = sourcedTrainingRewards(ws, RewardSource{rewardModelRun}, d->info, d->split);
        targets.reward = estimated.data();
    }
    d->rewardModelRun = rewardModelRun;
    d->policy = PolicyData::build(targets);

    EvalConfig config;
    config.ks = {10};
    config.sampleUsers = kSampleUsers;
    config.bootstrap.resamples = 0;  // live view: point values only
    if (d->truth) {
        config.trueReward = [truth = d->truth](int32_t user, int32_t item) {
            return truth->expectedReward(user, item);
        };
    }
    d->evaluator = std::make_unique<Evaluator>(d->log, d->split, config);
    d->evaluatedUsers = static_cast<int64_t>(d->evaluator->evaluatedUsers(EvalSet::Validation).size());

    const InteractionLog& log = d->log;
    d->itemLabels.reserve(log.itemIds.size());
    for (size_t i = 0; i < log.itemIds.size(); ++i) {
        const bool titled = i < log.itemTitles.size() && !log.itemTitles[i].empty();
        d->itemLabels.push_back(QString::fromStdString(titled ? log.itemTitles[i] : log.itemIds[i]));
    }
    d->seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    return d;
}

std::shared_ptr<const ExplorerCurves> ExplorerWorker::computeCurves(
    const ExplorerDataset& dataset, const WeightScheme& base,
    const std::function<bool(int done, int total)>& progress) {
    QElapsedTimer timer;
    timer.start();
    base.validate();
    auto c = std::make_shared<ExplorerCurves>();
    c->datasetId = dataset.info.id;
    c->base = base;
    c->essLambdas = essGrid();
    c->ess = essCurve(dataset.table(), base, c->essLambdas);
    c->metricLambdas = metricGrid();

    for (const MetricSpec& spec : kMetrics) {
        if (std::string(spec.name) == "true_reward@10" && !dataset.truth) {
            continue;
        }
        ExplorerMetricCurve curve;
        curve.metric = spec.name;
        curve.label = tr(spec.label);
        curve.axisLabel = tr(spec.axisLabel);
        c->metrics.push_back(std::move(curve));
    }
    // One loop for the Explorer and the Compare page's reference (train/tilted_policy_curves.h); only `exp`
    // depends on λ, the other schemes are evaluated once and drawn flat.
    std::vector<std::string> names;
    for (const ExplorerMetricCurve& curve : c->metrics)
        names.push_back(curve.metric);
    const ProgressCallback cancelOnly = [&](const Progress&) { return !progress || progress(-1, 0); };
    const std::string high = "ndcg_high@10";
    const TiltedPolicyCurves tilted =
        tiltedPolicyCurves(dataset.policy, *dataset.evaluator, EvalSet::Validation, base, c->metricLambdas,
                           names, progress, cancelOnly, {high});
    for (ExplorerMetricCurve& curve : c->metrics) {
        curve.popularity = tilted.popularity.at(curve.metric);
        curve.markov = tilted.markov.at(curve.metric);
    }
    c->validUsers = tilted.users;
    c->highValid = tilted.markovPerUser.at(high);
    // The same policies on the test targets, for the suggestion's test figure beside its validation figure.
    const TiltedPolicyCurves test =
        tiltedPolicyCurves(dataset.policy, *dataset.evaluator, EvalSet::Test, base, c->metricLambdas, {high},
                           progress, cancelOnly, {high});
    c->testUsers = test.users;
    c->highTest = test.markovPerUser.at(high);
    c->highTestCurve = test.markov.at(high);
    c->seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    return c;
}

void ExplorerWorker::execute() {
    ExplorerResult result;
    if (m_prepared && m_prepared->info.id == m_datasetId && m_prepared->rewardModelRun == m_rewardModelRun) {
        result.dataset = m_prepared;
    } else {
        reportStage(tr("loading"));
        result.dataset = prepareDataset(m_workspacePath, m_datasetId, progressCallback(), m_rewardModelRun);
    }
    if (isCancelRequested()) {
        throw Cancelled();
    }
    if (m_cachedCurves && m_cachedCurves->datasetId == m_datasetId &&
        explorerSchemeKey(m_cachedCurves->base) == explorerSchemeKey(m_base)) {
        result.curves = m_cachedCurves;
    } else {
        result.curves = computeCurves(*result.dataset, m_base, [this](int done, int total) {
            if (done >= 0) {
                Q_EMIT progress(done, total, tr("evaluating the tilted policies"));
            }
            return !isCancelRequested();
        });
    }
    if (isCancelRequested()) {
        throw Cancelled();
    }
    Q_EMIT finished(result);
}

}  // namespace tiltbench
