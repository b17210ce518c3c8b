#include "train/tilted_policy_curves.h"

#include <limits>

#include "common/error.h"

namespace tiltbench {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

TiltedPolicyCurves tiltedPolicyCurves(const PolicyData& policy, const Evaluator& evaluator, EvalSet set,
                                      const WeightScheme& base, const std::vector<double>& lambdas,
                                      const std::vector<std::string>& metrics,
                                      const std::function<bool(int done, int total)>& progress,
                                      const ProgressCallback& cancel,
                                      const std::vector<std::string>& keepPerUser) {
    base.validate();
    TiltedPolicyCurves c;
    c.lambdas = lambdas;
    const bool dependsOnLambda = base.kind == WeightKind::Exp;
    const int total = dependsOnLambda ? static_cast<int>(lambdas.size()) : 1;
    for (int p = 0; p < total; ++p) {
        if (progress && !progress(p, total))
            throw Cancelled();
        WeightScheme scheme = base;
        if (dependsOnLambda)
            scheme.lambda = lambdas[static_cast<size_t>(p)];
        for (PolicyKind kind : {PolicyKind::Popularity, PolicyKind::Markov}) {
            const auto scorer = fitClosedFormPolicy(kind, policy, scheme);
            const EvalResult r = evaluator.evaluate(*scorer, set, cancel);
            auto& curves = kind == PolicyKind::Popularity ? c.popularity : c.markov;
            for (const std::string& metric : metrics)
                curves[metric].push_back(r.value(metric));
            if (kind == PolicyKind::Markov) {
                c.users = r.users;
                for (const std::string& metric : keepPerUser) {
                    const auto* values = r.perUser(metric);
                    c.markovPerUser[metric].push_back(values ? *values
                                                             : std::vector<double>(r.users.size(), kNaN));
                }
            }
        }
    }
    if (!dependsOnLambda) {
        for (auto* curves : {&c.popularity, &c.markov}) {
            for (auto& [metric, values] : *curves)
                values.assign(lambdas.size(), values.front());
        }
        for (auto& [metric, perLambda] : c.markovPerUser)
            perLambda.assign(lambdas.size(), perLambda.front());
    }
    return c;
}

}  // namespace tiltbench
