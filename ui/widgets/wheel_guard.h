#pragma once
// WheelGuard: the mouse wheel never changes a setting by accident. Installed on the application, it makes
// every spin box and combo box take the wheel only once it has the keyboard focus (clicked or tabbed into);
// over an unfocused one the wheel goes on to its parent, so a form in a scroll area scrolls instead of its
// Epochs going 3 → 2 under the pointer. Their focus policy becomes Qt::StrongFocus (Qt's default for them,
// WheelFocus, would hand them the focus on the first wheel step).
#include <QObject>

namespace tiltbench {

class WheelGuard : public QObject {
    Q_OBJECT
  public:
    explicit WheelGuard(QObject* parent = nullptr) : QObject(parent) {}

    // Installs one guard on the running QApplication, owned by `owner` (removed with it).
    static WheelGuard* install(QObject* owner);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace tiltbench
