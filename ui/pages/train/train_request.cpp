#include "pages/train/train_request.h"

#include <cmath>

#include "shared/formatting.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {

TrainRequest TrainRequest::withEngineDefaults() {
    return TrainRequest();
}

QString TrainRequest::weightingText() const {
    if (isSasrec() && run.online()) {  // DPO and PPO: no weighting, their own β
        return run.objective == "dpo" ? QStringLiteral("DPO β = %1").arg(formatReal(run.dpoBeta, 4))
                                      : QStringLiteral("PPO β_KL = %1").arg(formatReal(run.klBeta, 4));
    }
    QString text;
    switch (run.scheme.kind) {
        case WeightKind::Exp:
            text = std::isfinite(run.scheme.lambda)
                       ? QStringLiteral("exp λ = %1").arg(formatReal(run.scheme.lambda, 4))
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
    if (run.scheme.kind != WeightKind::Uniform) {
        text += QStringLiteral(" · ") +
                QString::fromStdString(formatWeightNormalization(run.scheme.normalization));
        if (std::isfinite(run.scheme.clip)) {
            text += QStringLiteral(" · clip %1").arg(formatReal(run.scheme.clip, 4));
        }
    }
    return text;
}

QString TrainRequest::describe() const {
    if (resumeRunId) {
        return QStringLiteral("resume run %1").arg(*resumeRunId);
    }
    return modelName() + QStringLiteral(" · ") + weightingText();
}

engine::Arguments TrainRequest::arguments(const QString& workspacePath) const {
    engine::TrainRequest r = *this;
    r.workspace = workspacePath.toStdString();
    return r.arguments();
}

QStringList TrainRequest::cliArguments(const QString& workspacePath) const {
    QStringList out;
    for (const auto& a : arguments(workspacePath)) {
        out << QString::fromStdString(a);
    }
    return out;
}

}  // namespace tiltbench
