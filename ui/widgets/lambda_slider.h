#pragma once
// LambdaSlider: the λ control — a log-scale slider from kMinLambda to kMaxLambda with one extra stop at the
// right end for λ = ∞ (plain SFT), linked to a spin box that shows "∞" at that stop and accepts typed
// values ("0.37", "inf", "∞"). Slider positions snap to three significant digits so that what the box shows
// is exactly the λ in use; a typed λ is kept as typed and the slider moves to the nearest stop.
#include <QWidget>

#include "weighting/lambda_grid.h"

class QDoubleSpinBox;
class QSlider;

namespace tiltbench {

class LambdaSlider : public QWidget {
    Q_OBJECT
  public:
    static constexpr double kMinLambda = lambda_grid::kMin;  // the range is core's (weighting/lambda_grid.h)
    static constexpr double kMaxLambda = lambda_grid::kMax;
    static constexpr int kSteps = 300;  // positions 0..kSteps are finite; kSteps + 1 is ∞

    explicit LambdaSlider(QWidget* parent = nullptr);

    double lambda() const { return m_lambda; }
    // Clamps finite values into [kMinLambda, kMaxLambda]; values above kMaxLambda become ∞. Emits
    // lambdaChanged when the value changes.
    void setLambda(double lambda);

    static double lambdaAt(int position);
    static int positionOf(double lambda);

    QSlider* slider() const { return m_slider; }
    QDoubleSpinBox* spinBox() const { return m_spin; }

  Q_SIGNALS:
    void lambdaChanged(double lambda);

  private:
    void show(double lambda);  // moves both controls without feedback

    QSlider* m_slider;
    QDoubleSpinBox* m_spin;
    double m_lambda;
    bool m_updating = false;
};

}  // namespace tiltbench
