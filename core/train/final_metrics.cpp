#include "train/final_metrics.h"

#include <cmath>

namespace tiltbench {

void appendFinalMetrics(const EvalResult& result, const std::string& split, std::vector<MetricRow>& rows,
                        std::vector<PerUserMetric>& perUser) {
    for (const auto& m : result.metrics) {
        if (!std::isfinite(m.value))
            continue;
        rows.push_back({-1, split, m.name, m.value, m.lo, m.hi});
    }
    for (size_t k = 0; k < result.perUserNames.size(); ++k) {
        PerUserMetric p{split, result.perUserNames[k], {}, {}};
        const auto& values = result.perUserValues[k];
        for (size_t j = 0; j < values.size(); ++j) {
            if (std::isnan(values[j]))
                continue;
            p.users.push_back(result.users[j]);
            p.values.push_back(values[j]);
        }
        if (!p.users.empty())
            perUser.push_back(std::move(p));
    }
}

}  // namespace tiltbench
