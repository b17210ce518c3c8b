#pragma once
// The Compare page's view of the recorded runs of one dataset: each run's record, its weighting (scheme
// and λ, with uniform drawn at λ = ∞), final validation and test metrics with their stored 95 % intervals,
// per-epoch curves and timings, read from the workspace through RunStore. Plain data, cheap to copy.
#include <QString>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "store/run_store.h"
#include "store/workspace.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct RunMetric {
    double value = std::numeric_limits<double>::quiet_NaN();
    double lo = std::numeric_limits<double>::quiet_NaN();
    double hi = std::numeric_limits<double>::quiet_NaN();
};

struct RunEpoch {
    int epoch = 0;
    double trainLoss = std::numeric_limits<double>::quiet_NaN();
    double validNdcg10 = std::numeric_limits<double>::quiet_NaN();
    double validHr10 = std::numeric_limits<double>::quiet_NaN();
    double trainSeconds = std::numeric_limits<double>::quiet_NaN();
    // Over-optimisation, on validation (runs trained against a reward model or from a parent): the reward
    // model's mean score of the top-10, the true reward of the same top-10 (simulator) and the KL to the
    // parent.
    double validProxyReward10 = std::numeric_limits<double>::quiet_NaN();
    double validTrueReward10 = std::numeric_limits<double>::quiet_NaN();
    double validKlRef = std::numeric_limits<double>::quiet_NaN();
};

struct CompareRun {
    RunRecord record;
    QString model;
    QString split = QStringLiteral("loo");  // the run's split kind
    bool hasScheme = false;
    WeightScheme scheme;
    // What a SASRec run optimised: "weighted" (the method), "dpo" or "ppo" (the RLHF baselines: not on a λ
    // axis, whatever scheme they record); and "logged" or "model:RUN", the rewards it read.
    QString objective = QStringLiteral("weighted");
    QString rewardSource = QStringLiteral("logged");
    // Where the run sits on a λ axis: exp → its λ (∞ allowed), uniform → ∞ (the same weights), linear and
    // filter → NaN (no λ).
    double lambda = std::numeric_limits<double>::quiet_NaN();
    QString device;
    qint64 parentRunId =
        0;  // post-training: the run whose best checkpoint it started from (0 = from scratch)
    int epochsRun = 0;
    double meanEpochSeconds = std::numeric_limits<double>::quiet_NaN();  // SASRec training pass
    double totalSeconds = std::numeric_limits<double>::quiet_NaN();
    std::map<std::string, RunMetric> test;
    std::map<std::string, RunMetric> valid;
    std::vector<RunEpoch> epochs;

    qint64 id() const { return record.id; }
    bool isSasrec() const { return model == QStringLiteral("sasrec") || model == QStringLiteral("hstu"); }
    QString schemeName() const;  // exp, uniform, linear, filter, dpo, ppo; "?" without a recorded weighting
    QString lambdaText() const;  // "0.5", "∞", "—"
    QString label() const;       // "run 5 · sasrec · exp λ = 0.5"
    // What the plots join and colour as one series: model and scheme, and the reward source when it is a
    // model ("sasrec · exp · reward model run 28"), so learned-reward runs never share a λ line with logged
    // ones.
    QString seriesKey() const;
    const std::map<std::string, RunMetric>& metrics(const QString& split) const;  // "test" | "valid"
    RunMetric metric(const QString& split, const std::string& name) const;
};

// Every run of `datasetId`, oldest first. Throws Error on a store failure.
std::vector<CompareRun> loadCompareRuns(Workspace& ws, int64_t datasetId);

// The final metric names the runs have for `split`, in reading order: ranking quality (hr, ndcg, mrr), the
// same on high-reward targets, reward (item mean, true), popularity bias (arp, aplt, coverage, gini,
// entropy), each by K, then anything else.
std::vector<std::string> orderedMetricNames(const std::vector<CompareRun>& runs, const QString& split);

// "NDCG@10", "NDCG@10 high-reward", "Item-mean reward@10", … for column headers and plot titles.
QString metricLabel(const std::string& name);

}  // namespace tiltbench
