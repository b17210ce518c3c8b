#include "plots/lambda_axis.h"

#include <qcustomplot.h>
#include <algorithm>
#include <cmath>

#include "weighting/lambda_grid.h"

namespace tiltbench {

double LambdaAxis::configure(QCPAxis* axis, const std::vector<double>& finiteLambdas) {
    double lo = lambda_grid::kMin, hi = lambda_grid::kMax;
    for (double l : finiteLambdas) {
        if (std::isfinite(l) && l > 0.0) {
            lo = std::min(lo, l);
            hi = std::max(hi, l);
        }
    }
    const double infinityX = hi * 3.0;
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int e = static_cast<int>(std::floor(std::log10(lo)));
         e <= static_cast<int>(std::ceil(std::log10(hi))); ++e) {
        const double v = std::pow(10.0, e);
        if (v >= lo / 1.3 && v <= hi * 1.3) {
            ticker->addTick(v, QString::number(v, 'g', 3));
        }
    }
    ticker->addTick(infinityX, QStringLiteral("∞"));
    axis->setTicker(ticker);
    axis->setSubTicks(false);
    axis->setLabel(QObject::tr("λ"));
    axis->setRange(lo / 1.35, infinityX * 1.5);
    return infinityX;
}

double LambdaAxis::x(double lambda, double infinityX) {
    return std::isfinite(lambda) ? lambda : infinityX;
}

}  // namespace tiltbench
