#include "weighting/lambda_grid.h"

#include "weighting/weight_stats.h"

namespace tiltbench::lambda_grid {

namespace {
constexpr int kMetricPoints = 16;
constexpr int kEssPoints = 61;
}  // namespace

std::vector<double> metricGrid() {
    return logLambdaGrid(kMin, kMax, kMetricPoints, true);
}

std::vector<double> essGrid() {
    return logLambdaGrid(kMin, kMax, kEssPoints, true);
}

}  // namespace tiltbench::lambda_grid
