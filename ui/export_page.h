#pragma once
// ExportPage: the Export page. Until its issue lands it is a placeholder that says what the page will do.
#include "placeholder_page.h"

namespace tiltbench {

class ExportPage : public PlaceholderPage {
    Q_OBJECT
  public:
    explicit ExportPage(QWidget* parent = nullptr);
};

}  // namespace tiltbench
