#pragma once
// Log-space helpers shared by the weighting code and the closed-form policies, which both sum weights that
// may be far outside a double's range (exp(r/λ) at λ = 1e-4).
#include <cmath>
#include <limits>
#include <utility>

namespace tiltbench {

// log(exp(a) + exp(b)) without overflow; −inf stays −inf.
inline double logAddExp(double a, double b) {
    if (a < b)
        std::swap(a, b);
    if (b == -std::numeric_limits<double>::infinity())
        return a;
    return a + std::log1p(std::exp(b - a));
}

}  // namespace tiltbench
