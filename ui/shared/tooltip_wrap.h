#pragma once
// Long plain-text tooltips, wrapped. Qt word-wraps a tooltip only when it is rich text, so a plain one of a
// few hundred characters (most of the Train form's) is drawn as a single line across the screen. An
// application-wide event filter shows a widget's plain tooltip of more than kWrapAfter characters as an
// escaped HTML paragraph, which Qt wraps at a readable width. Rich-text tooltips, short ones and the tooltips
// of item views' cells and headers (model data, shown by the view itself) are left to Qt; the widgets'
// toolTip() text is never changed.
#include <QObject>
#include <QString>

class QApplication;

namespace tiltbench {

class TooltipWrapper : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;
    static constexpr int kWrapAfter = 80;
    // What is shown for `tip`: `tip` itself, or "<p>" + the escaped text + "</p>".
    static QString shown(const QString& tip);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

// Installs one TooltipWrapper on `app` (owned by it).
void installTooltipWrapping(QApplication& app);

}  // namespace tiltbench
