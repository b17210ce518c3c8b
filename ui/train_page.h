#pragma once
// TrainPage: the Train page. Until its issue lands it is a placeholder that says what the page will do.
#include "placeholder_page.h"

namespace tiltbench {

class TrainPage : public PlaceholderPage {
    Q_OBJECT
  public:
    explicit TrainPage(QWidget* parent = nullptr);
};

}  // namespace tiltbench
