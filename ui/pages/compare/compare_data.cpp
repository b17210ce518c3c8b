#include "pages/compare/compare_data.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

#include "shared/formatting.h"
#include "train/reward_run.h"

namespace tiltbench {

namespace {
const std::map<std::string, RunMetric> kNoMetrics;

// Reading order of metric families; anything unknown goes last, alphabetically.
int familyRank(const std::string& family) {
    static const std::vector<std::string> order = {
        "ndcg",        "hr",           "mrr",    "ndcg_high",   "hr_high", "mrr_high", "item_mean_reward",
        "true_reward", "proxy_reward", "kl_ref", "random_ndcg", "arp",     "aplt",     "coverage",
        "gini",        "entropy"};
    const auto it = std::find(order.begin(), order.end(), family);
    return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

std::pair<std::string, int> splitName(const std::string& name) {
    const auto at = name.find('@');
    if (at == std::string::npos) {
        return {name, 0};
    }
    return {name.substr(0, at), std::atoi(name.c_str() + at + 1)};
}
}  // namespace

QString CompareRun::schemeName() const {
    if (objective != QStringLiteral("weighted"))
        return objective;
    return hasScheme ? QString::fromStdString(formatWeightKind(scheme.kind)) : QStringLiteral("?");
}

QString CompareRun::lambdaText() const {
    return std::isnan(lambda) ? QStringLiteral("—") : formatLambdaText(lambda);
}

QString CompareRun::label() const {
    QString weighting = schemeName();
    if (hasScheme && scheme.kind == WeightKind::Exp && objective == QStringLiteral("weighted")) {
        weighting += QStringLiteral(" λ = ") + lambdaText();
    }
    if (rewardSource != QStringLiteral("logged"))
        weighting += QStringLiteral(" · r̂ ") + rewardSource;
    return QStringLiteral("run %1 · %2 · %3").arg(record.id).arg(model, weighting);
}

QString CompareRun::seriesKey() const {
    QString key = model + QStringLiteral(" · ") + schemeName();
    if (rewardSource.startsWith(QStringLiteral("model:")))  // plain words: a combining hat renders badly
        key += QStringLiteral(" · reward model run ") + rewardSource.mid(6);
    else if (rewardSource != QStringLiteral("logged"))
        key += QStringLiteral(" · ") + rewardSource;
    return key;
}

const std::map<std::string, RunMetric>& CompareRun::metrics(const QString& split) const {
    if (split == QStringLiteral("test")) {
        return test;
    }
    if (split == QStringLiteral("valid")) {
        return valid;
    }
    return kNoMetrics;
}

RunMetric CompareRun::metric(const QString& split, const std::string& name) const {
    const auto& m = metrics(split);
    const auto it = m.find(name);
    return it == m.end() ? RunMetric{} : it->second;
}

std::vector<CompareRun> loadCompareRuns(Workspace& ws, int64_t datasetId) {
    RunStore store(ws);
    std::vector<CompareRun> out;
    for (const RunRecord& record : store.runs(datasetId)) {
        if (isRewardModelRun(record.model))  // reward models recommend nothing: not among the policies
            continue;
        CompareRun run;
        run.record = record;
        run.model = QString::fromStdString(record.model);
        run.device = QString::fromStdString(record.device);
        const QJsonObject config = QJsonDocument::fromJson(QByteArray::fromStdString(record.config)).object();
        run.split = config.value(QStringLiteral("split")).toString(QStringLiteral("loo"));
        // A run id only when the stored value is one: a crafted config never becomes a huge cast.
        const double parent = config.value(QStringLiteral("init_from")).toDouble(0.0);
        run.parentRunId = parent >= 1.0 && parent <= 9.0e15 && parent == std::floor(parent)
                              ? static_cast<qint64>(parent)
                              : 0;
        if (config.contains(QStringLiteral("weighting"))) {
            try {
                run.scheme =
                    WeightScheme::fromJson(QJsonDocument(config.value(QStringLiteral("weighting")).toObject())
                                               .toJson()
                                               .toStdString());
                run.hasScheme = true;
            } catch (const std::exception&) {
                run.hasScheme = false;
            }
        }
        run.objective = config.value(QStringLiteral("objective")).toString(QStringLiteral("weighted"));
        run.rewardSource = config.value(QStringLiteral("reward_source")).toString(QStringLiteral("logged"));
        if (run.hasScheme && run.objective == QStringLiteral("weighted")) {
            if (run.scheme.kind == WeightKind::Exp) {
                run.lambda = run.scheme.lambda;
            } else if (run.scheme.kind == WeightKind::Uniform) {
                run.lambda = WeightScheme::kInfinity;
            }
        }
        const QJsonObject timings =
            QJsonDocument::fromJson(QByteArray::fromStdString(record.timings)).object();
        run.totalSeconds = timings.value(QStringLiteral("total_seconds")).toDouble(std::nan(""));
        run.meanEpochSeconds = timings.value(QStringLiteral("mean_epoch_seconds")).toDouble(std::nan(""));
        std::map<int, RunEpoch> epochs;
        for (const MetricRow& m : store.metrics(record.id)) {
            if (m.epoch == -1) {
                if (m.split == "test" || m.split == "valid")  // not the stored profile (split "profile")
                    (m.split == "test" ? run.test : run.valid)[m.name] = RunMetric{m.value, m.lo, m.hi};
                continue;
            }
            RunEpoch& e = epochs[m.epoch];
            e.epoch = m.epoch;
            const std::string key = m.split + "/" + m.name;
            if (key == "train/loss") {
                e.trainLoss = m.value;
            } else if (key == "valid/ndcg@10") {
                e.validNdcg10 = m.value;
            } else if (key == "valid/hr@10") {
                e.validHr10 = m.value;
            } else if (key == "train/seconds") {
                e.trainSeconds = m.value;
            } else if (key == "valid/proxy_reward@10") {
                e.validProxyReward10 = m.value;
            } else if (key == "valid/true_reward@10") {
                e.validTrueReward10 = m.value;
            } else if (key == "valid/kl_ref") {
                e.validKlRef = m.value;
            }
        }
        double trainSeconds = 0.0;
        for (const auto& [epoch, e] : epochs) {
            run.epochs.push_back(e);
            if (std::isfinite(e.trainSeconds)) {
                trainSeconds += e.trainSeconds;
            }
        }
        run.epochsRun = static_cast<int>(run.epochs.size());
        // A stopped run has no timings yet; its epochs' rows tell the same story.
        if (std::isnan(run.meanEpochSeconds) && run.epochsRun > 0) {
            run.meanEpochSeconds = trainSeconds / run.epochsRun;
        }
        out.push_back(std::move(run));
    }
    return out;
}

std::vector<std::string> orderedMetricNames(const std::vector<CompareRun>& runs, const QString& split) {
    std::vector<std::string> names;
    for (const CompareRun& r : runs) {
        for (const auto& [name, value] : r.metrics(split)) {
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                names.push_back(name);
            }
        }
    }
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        const auto [fa, ka] = splitName(a);
        const auto [fb, kb] = splitName(b);
        // K first (all @10 columns together, then @20), then the family's reading order.
        if (ka != kb) {
            return (ka == 0 ? 1 << 30 : ka) < (kb == 0 ? 1 << 30 : kb);
        }
        const int ra = familyRank(fa), rb = familyRank(fb);
        return ra != rb ? ra < rb : a < b;
    });
    return names;
}

QString metricLabel(const std::string& name) {
    const auto [family, k] = splitName(name);
    static const std::map<std::string, QString> labels = {
        {"ndcg", QStringLiteral("NDCG")},
        {"hr", QStringLiteral("HR")},
        {"mrr", QStringLiteral("MRR")},
        {"ndcg_high", QStringLiteral("NDCG high")},
        {"hr_high", QStringLiteral("HR high")},
        {"mrr_high", QStringLiteral("MRR high")},
        {"item_mean_reward", QStringLiteral("Item-mean reward")},
        {"true_reward", QStringLiteral("True reward")},
        {"proxy_reward", QStringLiteral("Proxy reward")},
        {"kl_ref", QStringLiteral("KL to parent")},
        {"random_ndcg", QStringLiteral("Random-exposure NDCG")},
        {"arp", QStringLiteral("ARP")},
        {"aplt", QStringLiteral("APLT")},
        {"coverage", QStringLiteral("Coverage")},
        {"gini", QStringLiteral("Gini")},
        {"entropy", QStringLiteral("Entropy")},
    };
    const auto it = labels.find(family);
    const QString base = it != labels.end() ? it->second : QString::fromStdString(family);
    return k > 0 ? QStringLiteral("%1@%2").arg(base).arg(k) : base;
}

}  // namespace tiltbench
