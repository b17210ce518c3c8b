#pragma once
// λ axes of the Train and Compare plots: logarithmic, one tick per decade, and λ = ∞ (plain SFT) drawn as a
// labelled stop past the largest finite λ — the same picture as the λ Explorer's axes, fitted to whatever
// λ values the plotted runs have.
#include <vector>

class QCPAxis;

namespace tiltbench {

class LambdaAxis {
  public:
    // Sets scale, ticks and range for the finite λ values given (empty: the Explorer's 0.05 … 50) and
    // returns the x where ∞ is drawn.
    static double configure(QCPAxis* axis, const std::vector<double>& finiteLambdas);
    // The x of `lambda` on such an axis: itself, or `infinityX` for ∞.
    static double x(double lambda, double infinityX);
};

}  // namespace tiltbench
