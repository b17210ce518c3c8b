#include "train_page.h"

namespace tiltbench {

TrainPage::TrainPage(QWidget* parent)
    : PlaceholderPage(
          tr("Train"),
          tr("Train the sequential recommender with reward-weighted fine-tuning at one λ or a sweep, in the "
             "background, on the GPU when there is one."),
          {tr("training configuration and a queue of runs"),
           tr("live loss and validation metric curves, ETA, cancel"), tr("checkpoints and early stopping")},
          parent) {}

}  // namespace tiltbench
