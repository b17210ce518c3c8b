#pragma once
// PageScrollArea: holds one page of the main window. The page gets the whole viewport while the window is big
// enough for it, and never less than its minimum: below that the page scrolls instead of cutting its texts
// (a 1366×768 screen at 125 % leaves about 1090×560 logical pixels). Unlike QScrollArea's resizable mode,
// which gives a page with wrapped labels its preferred height (and so a scroll bar on any screen), the page's
// height is the larger of the viewport's and the least its layout needs at that width.
#include <QScrollArea>

namespace tiltbench {

class PageScrollArea : public QScrollArea {
    Q_OBJECT
  public:
    explicit PageScrollArea(QWidget* page, QWidget* parent = nullptr);

  protected:
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void fitPage();
    bool m_fitting = false;
};

}  // namespace tiltbench
