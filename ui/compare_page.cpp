#include "compare_page.h"

namespace tiltbench {

ComparePage::ComparePage(QWidget* parent)
    : PlaceholderPage(
          tr("Compare"), tr("Compare trained runs"),
          {tr("overall and high-reward ranking quality, popularity bias and coverage, against λ.:a runs "
              "table with every metric"),
           tr("metric-against-λ curves (the inverted U)"), tr("baselines: SFT, linear weighting, item mean")},
          parent) {}

}  // namespace tiltbench
