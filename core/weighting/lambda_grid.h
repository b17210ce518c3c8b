#pragma once
// λ as the user sees it, in one place: the range of the λ Explorer's slider and plots (0.05 … 50 on a log
// scale, plus ∞ = plain SFT), the grids the Explorer, the Compare page's closed-form reference and
// `tiltbench-cli weights` evaluate on, and the default λ list of a sweep (CLI and Train page).
#include <vector>

namespace tiltbench::lambda_grid {

constexpr double kMin = 0.05;
constexpr double kMax = 50.0;
// The λ values a sweep trains when none are given (CLI `sweep --lambdas`, the Train page's sweep box).
constexpr const char* kDefaultSweep = "inf, 4, 2, 1, 0.5, 0.25";

// 16 λ log-spaced over [kMin, kMax], ascending, then +∞: where the closed-form policies are fitted and
// evaluated (Explorer metric curves, Compare's reference curves) and where the suggested λ is searched (the
// Explorer and `weights` agree).
std::vector<double> metricGrid();
// 61 λ (20 per decade) over [kMin, kMax], then +∞: the Explorer's ESS/N curve.
std::vector<double> essGrid();

}  // namespace tiltbench::lambda_grid
