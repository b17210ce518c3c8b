#include "widgets/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>

namespace tiltbench {

namespace {
QWidget* guarded(QObject* object) {
    if (auto* spin = qobject_cast<QAbstractSpinBox*>(object))
        return spin;
    if (auto* combo = qobject_cast<QComboBox*>(object))
        return combo;
    return nullptr;
}
}  // namespace

WheelGuard* WheelGuard::install(QObject* owner) {
    auto* guard = new WheelGuard(owner);
    qApp->installEventFilter(guard);
    return guard;
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Polish || event->type() == QEvent::Wheel) {
        if (QWidget* w = guarded(watched)) {
            if (w->focusPolicy() == Qt::WheelFocus)
                w->setFocusPolicy(Qt::StrongFocus);
            if (event->type() == QEvent::Wheel && !w->hasFocus()) {
                // Not for this widget: Qt passes an ignored wheel event on to the parent (the scroll area).
                event->ignore();
                return true;
            }
        }
    }
    return QObject::eventFilter(watched, event);
}

}  // namespace tiltbench
