#include "widgets/lambda_slider.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>
#include <algorithm>
#include <cmath>
#include <limits>

#include "weighting/weight_scheme.h"

namespace tiltbench {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
// QDoubleSpinBox has no infinity: this value stands for it inside the box and is shown as "∞".
constexpr double kInfinitySentinel = 1e9;

double roundSignificant(double v, int digits) {
    const double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(v)));
    return std::round(v * scale) / scale;
}

class LambdaSpinBox : public QDoubleSpinBox {
  public:
    explicit LambdaSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
        setDecimals(4);
        setRange(LambdaSlider::kMinLambda, kInfinitySentinel);
        setKeyboardTracking(false);  // a half-typed "0.0" must not jump the plots
        setAccelerated(true);
    }

    QString textFromValue(double value) const override {
        if (value >= kInfinitySentinel) {
            return QStringLiteral("∞");
        }
        return QString::number(value, 'g', 4);
    }

    double valueFromText(const QString& text) const override {
        const double lambda = parse(text);
        return std::isnan(lambda) ? value() : toBox(lambda);
    }

    // Anything unparsable is Intermediate rather than Invalid, so "1e", "in" or "." can be typed on the way.
    QValidator::State validate(QString& text, int&) const override {
        return std::isnan(parse(text)) ? QValidator::Intermediate : QValidator::Acceptable;
    }

    // Steps walk the slider's stops, so the arrows feel logarithmic like the slider.
    void stepBy(int steps) override {
        const double lambda = value() >= kInfinitySentinel ? kInf : value();
        const int pos = std::clamp(LambdaSlider::positionOf(lambda) + steps * 5, 0, LambdaSlider::kSteps + 1);
        setValue(toBox(LambdaSlider::lambdaAt(pos)));
    }

    static double toBox(double lambda) {
        return lambda > LambdaSlider::kMaxLambda ? kInfinitySentinel : lambda;
    }

  private:
    static double parse(const QString& text) {
        try {
            const double v = parseLambda(text.trimmed().toStdString());
            return v > 0.0 ? v : std::nan("");
        } catch (const std::exception&) {
            return std::nan("");
        }
    }
};
}  // namespace

LambdaSlider::LambdaSlider(QWidget* parent)
    : QWidget(parent),
      m_slider(new QSlider(Qt::Horizontal, this)),
      m_spin(new LambdaSpinBox(this)),
      m_lambda(kInf) {
    m_slider->setObjectName(QStringLiteral("lambdaSlider"));
    m_spin->setObjectName(QStringLiteral("lambdaSpin"));
    m_slider->setRange(0, kSteps + 1);
    m_slider->setPageStep(kSteps / 15);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(kSteps / 3);  // one tick per decade: 0.05, 0.5, 5, 50
    m_slider->setToolTip(
        tr("λ on a log scale from %1 to %2; the right end is ∞ (plain SFT)").arg(kMinLambda).arg(kMaxLambda));
    m_spin->setToolTip(tr("λ: a number, or ∞ / inf for plain SFT"));
    m_spin->setMinimumWidth(90);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spin);

    connect(m_slider, &QSlider::valueChanged, this, [this](int position) {
        if (!m_updating) {
            setLambda(lambdaAt(position));
        }
    });
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (!m_updating) {
            setLambda(value >= kInfinitySentinel ? kInf : value);
        }
    });
    show(m_lambda);
}

void LambdaSlider::setLambda(double lambda) {
    if (!(lambda > 0.0)) {
        return;
    }
    lambda = lambda > kMaxLambda ? kInf : std::max(lambda, kMinLambda);
    show(lambda);
    if (lambda != m_lambda) {
        m_lambda = lambda;
        Q_EMIT lambdaChanged(lambda);
    }
}

double LambdaSlider::lambdaAt(int position) {
    if (position > kSteps) {
        return kInf;
    }
    const double t = static_cast<double>(std::max(position, 0)) / kSteps;
    return roundSignificant(kMinLambda * std::pow(kMaxLambda / kMinLambda, t), 3);
}

int LambdaSlider::positionOf(double lambda) {
    if (!(lambda <= kMaxLambda)) {
        return kSteps + 1;
    }
    const double t = std::log(std::max(lambda, kMinLambda) / kMinLambda) / std::log(kMaxLambda / kMinLambda);
    return static_cast<int>(std::lround(t * kSteps));
}

void LambdaSlider::show(double lambda) {
    m_updating = true;
    m_slider->setValue(positionOf(lambda));
    m_spin->setValue(LambdaSpinBox::toBox(lambda));
    m_updating = false;
}

}  // namespace tiltbench
