#pragma once
// The closed-form policies (popularity, Markov; model/closed_form_policy.h) tilted by each λ of a grid and
// evaluated: the λ Explorer's metric curves and the Compare page's reference curves are this one loop. With a
// base scheme other than exp, λ changes nothing: the policies are evaluated once and the values repeated.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/progress.h"
#include "eval/evaluator.h"
#include "model/closed_form_policy.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct TiltedPolicyCurves {
    std::vector<double> lambdas;                            // as given (e.g. lambda_grid::metricGrid())
    std::map<std::string, std::vector<double>> popularity;  // metric → value per λ (NaN: no user counted)
    std::map<std::string, std::vector<double>> markov;
    // The Markov policy's per-user values of the metrics asked for in `keepPerUser`: metric → per λ → per
    // user of `users` (NaN outside the metric's subset), for paired comparisons between λ values.
    std::vector<int32_t> users;
    std::map<std::string, std::vector<std::vector<double>>> markovPerUser;
};

// `progress(done, total)` is called before each evaluation round (total = the number of λ, or 1 when λ does
// not matter); returning false cancels (throws Cancelled), as does `cancel` during an evaluation.
TiltedPolicyCurves tiltedPolicyCurves(const PolicyData& policy, const Evaluator& evaluator, EvalSet set,
                                      const WeightScheme& base, const std::vector<double>& lambdas,
                                      const std::vector<std::string>& metrics,
                                      const std::function<bool(int done, int total)>& progress = {},
                                      const ProgressCallback& cancel = {},
                                      const std::vector<std::string>& keepPerUser = {});

}  // namespace tiltbench
