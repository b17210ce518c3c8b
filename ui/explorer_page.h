#pragma once
// ExplorerPage: the λ Explorer page. Until its issue lands it is a placeholder that says what the page will
// do.
#include "placeholder_page.h"

namespace tiltbench {

class ExplorerPage : public PlaceholderPage {
    Q_OBJECT
  public:
    explicit ExplorerPage(QWidget* parent = nullptr);
};

}  // namespace tiltbench
