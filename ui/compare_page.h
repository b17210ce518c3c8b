#pragma once
// ComparePage: the Compare page. Until its issue lands it is a placeholder that says what the page will do.
#include "placeholder_page.h"

namespace tiltbench {

class ComparePage : public PlaceholderPage {
    Q_OBJECT
  public:
    explicit ComparePage(QWidget* parent = nullptr);
};

}  // namespace tiltbench
