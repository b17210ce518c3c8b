#pragma once
// The λ Explorer's precomputed state, in two parts with different lifetimes. ExplorerDataset is what one
// dataset costs to prepare (log, leave-one-out split, reward-level and transition tables, the live
// Evaluator): built once on a worker, then shared read-only between the GUI thread (the slider reads the
// table) and later workers (which evaluate against it). ExplorerCurves is what one set of scheme settings
// costs on top (ESS/N and the tilted policies' metrics against λ): cached per (dataset, settings), so the
// slider only ever recomputes the cheap weight statistics. Both are immutable once handed over.
#include <QMetaType>
#include <QString>
#include <memory>
#include <string>
#include <vector>

#include "data/ground_truth.h"
#include "data/interaction_log.h"
#include "eval/evaluator.h"
#include "eval/split.h"
#include "model/closed_form_policy.h"
#include "store/dataset_info.h"
#include "weighting/weight_stats.h"

namespace tiltbench {

struct ExplorerDataset {
    DatasetInfo info;
    // The reward-model run whose estimates r̂ stand in for the training targets' logged rewards (0 = logged):
    // the weights, tables and tilted policies then read r̂, as `--reward-source model:RUN` trains; evaluation
    // stays on the logged held-out rewards.
    int64_t rewardModelRun = 0;
    // The Evaluator holds references into `log` and `split`, so this struct lives on the heap and never
    // moves.
    InteractionLog log;
    Split split;
    PolicyData policy;
    std::shared_ptr<const GroundTruth> truth;  // null unless the dataset was simulated
    std::unique_ptr<Evaluator> evaluator;      // validation targets, seeded user sample, no bootstrap
    std::vector<QString> itemLabels;           // title, or the external id when there is none
    int64_t evaluatedUsers = 0;
    double seconds = 0.0;  // load + split + tables

    const RewardLevelTable& table() const { return *policy.levels; }
};

struct ExplorerMetricCurve {
    std::string metric;  // EvalResult name, e.g. "ndcg_high@10"
    QString label;      // the chooser's: "NDCG@10, high-reward targets"
    QString axisLabel;  // the y axis's: "NDCG high@10"
    std::vector<double> popularity;  // one value per ExplorerCurves::metricLambdas (NaN: no user counted)
    std::vector<double> markov;
};

struct ExplorerCurves {
    int64_t datasetId = -1;
    WeightScheme base;  // the settings the curves belong to; its λ is meaningless
    std::vector<double> essLambdas;
    std::vector<EssPoint> ess;
    std::vector<double> metricLambdas;  // ascending, +∞ last
    std::vector<ExplorerMetricCurve> metrics;
    // The tilted Markov policy's NDCG@10 on high-reward targets per λ, per sampled user (NaN outside the
    // subset), on validation and on test: the suggested λ is compared with λ = ∞ on the same users (a paired
    // interval) and shown on both sets side by side.
    std::vector<int32_t> validUsers, testUsers;
    std::vector<std::vector<double>> highValid, highTest;  // per λ (metricLambdas) → per user
    std::vector<double> highTestCurve;                     // test value per λ
    double seconds = 0.0;

    const ExplorerMetricCurve* find(const std::string& metric) const {
        for (const auto& m : metrics) {
            if (m.metric == metric) {
                return &m;
            }
        }
        return nullptr;
    }
};

struct ExplorerResult {
    std::shared_ptr<const ExplorerDataset> dataset;
    std::shared_ptr<const ExplorerCurves> curves;
};

// Identifies the scheme settings that change the curves (everything but λ), for the curve cache.
inline QString explorerSchemeKey(const WeightScheme& scheme) {
    WeightScheme s = scheme;
    s.lambda = WeightScheme::kInfinity;
    return QString::fromStdString(s.toJson());
}

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::ExplorerResult)
