#include "explorer_page.h"

namespace tiltbench {

ExplorerPage::ExplorerPage(QWidget* parent)
    : PlaceholderPage(
          tr("λ Explorer"),
          tr("Move λ and see at once how the training weight w = exp(r/λ) shifts across reward levels, items "
             "and popularity, before training anything."),
          {tr("a log-scale λ slider with ∞ (plain SFT)"),
           tr("weight mass per reward level and effective sample size (Kish ESS)"),
           tr("per-item weight share against popularity, Gini"),
           tr("the closed-form tilted popularity and Markov policies with their ranking metrics")},
          parent) {}

}  // namespace tiltbench
