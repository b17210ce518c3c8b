#include "train_request.h"

#include <cmath>

#include "formatting.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {

namespace {
QString number(double v) {
    return QString::fromStdString(formatLambda(v));  // shortest round-trip decimal
}
}  // namespace

TrainRequest TrainRequest::withEngineDefaults() {
    const SasrecRunConfig d;
    TrainRequest r;
    r.epochs = d.epochs;
    r.batchSize = d.batchSize;
    r.lr = d.lr;
    r.dim = d.dim;
    r.blocks = d.blocks;
    r.heads = d.heads;
    r.maxLen = d.maxLen;
    r.dropout = d.dropout;
    r.patience = d.patience;
    r.bootstrap = d.bootstrapResamples;
    r.device = QString::fromStdString(d.device);
    return r;
}

QString TrainRequest::weightingText() const {
    QString text;
    switch (scheme.kind) {
        case WeightKind::Exp:
            text = std::isfinite(scheme.lambda)
                       ? QStringLiteral("exp λ = %1").arg(formatReal(scheme.lambda, 4))
                       : QStringLiteral("exp λ = ∞");
            break;
        case WeightKind::Uniform:
            text = QStringLiteral("uniform");
            break;
        case WeightKind::Linear:
            text = QStringLiteral("linear");
            break;
        case WeightKind::Filter:
            text = QStringLiteral("filter");
            break;
    }
    if (scheme.kind != WeightKind::Uniform) {
        text +=
            QStringLiteral(" · ") + QString::fromStdString(formatWeightNormalization(scheme.normalization));
        if (std::isfinite(scheme.clip)) {
            text += QStringLiteral(" · clip %1").arg(formatReal(scheme.clip, 4));
        }
    }
    return text;
}

QString TrainRequest::describe() const {
    if (resumeRunId) {
        return QStringLiteral("resume run %1").arg(*resumeRunId);
    }
    return model + QStringLiteral(" · ") + weightingText();
}

QStringList TrainRequest::cliArguments(const QString& workspacePath) const {
    QStringList a{QStringLiteral("train"), QStringLiteral("--workspace"), workspacePath};
    if (resumeRunId) {
        a << QStringLiteral("--resume") << QString::number(*resumeRunId);
    } else {
        a << QStringLiteral("--dataset") << dataset << QStringLiteral("--model") << model;
        a << QStringLiteral("--scheme") << QString::fromStdString(formatWeightKind(scheme.kind));
        a << QStringLiteral("--lambda") << number(scheme.lambda);
        a << QStringLiteral("--normalization")
          << QString::fromStdString(formatWeightNormalization(scheme.normalization));
        a << QStringLiteral("--clip")
          << (std::isfinite(scheme.clip) ? number(scheme.clip) : QStringLiteral("none"));
        a << QStringLiteral("--epsilon") << number(scheme.epsilon);
        if (scheme.threshold) {
            a << QStringLiteral("--threshold") << number(*scheme.threshold);
        }
        a << QStringLiteral("--split") << split;
        a << QStringLiteral("--bootstrap") << QString::number(bootstrap);
        if (seed) {
            a << QStringLiteral("--seed") << QString::number(*seed);
        }
        a << QStringLiteral("--threads") << QString::number(threads);
        if (isSasrec()) {
            a << QStringLiteral("--epochs") << QString::number(epochs);
            a << QStringLiteral("--batch-size") << QString::number(batchSize);
            a << QStringLiteral("--lr") << number(lr);
            a << QStringLiteral("--dim") << QString::number(dim);
            a << QStringLiteral("--blocks") << QString::number(blocks);
            a << QStringLiteral("--heads") << QString::number(heads);
            a << QStringLiteral("--max-len") << QString::number(maxLen);
            a << QStringLiteral("--dropout") << number(dropout);
            a << QStringLiteral("--patience") << QString::number(patience);
            a << QStringLiteral("--device") << device;
        } else {
            a << QStringLiteral("--markov-smoothing") << number(params.markovSmoothing);
            a << QStringLiteral("--itemmean-prior") << number(params.itemMeanPrior);
        }
    }
    a << QStringLiteral("--json") << QStringLiteral("--progress-jsonl") << QStringLiteral("stderr");
    return a;
}

ClosedFormRunConfig TrainRequest::closedFormConfig() const {
    ClosedFormRunConfig c;
    c.dataset = dataset.toStdString();
    c.model = parsePolicyKind(model.toStdString());
    c.scheme = scheme;
    c.params = params;
    c.split.kind = SplitConfig::kindFromString(split.toStdString());
    c.bootstrapResamples = bootstrap;
    c.seed = seed.value_or(1);
    c.threads = threads;
    return c;
}

}  // namespace tiltbench
