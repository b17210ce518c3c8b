#include "shared/tooltip_wrap.h"

#include <QApplication>
#include <QHelpEvent>
#include <QTextDocument>
#include <QToolTip>
#include <QWidget>

namespace tiltbench {

QString TooltipWrapper::shown(const QString& tip) {
    if (tip.size() <= kWrapAfter || Qt::mightBeRichText(tip))
        return tip;
    return QStringLiteral("<p>%1</p>")
        .arg(tip.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
}

bool TooltipWrapper::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ToolTip && watched->isWidgetType()) {
        auto* widget = static_cast<QWidget*>(watched);
        const QString tip = widget->toolTip();
        const QString wrapped = shown(tip);
        if (wrapped != tip) {
            QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), wrapped, widget, QRect(),
                               widget->toolTipDuration());
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

void installTooltipWrapping(QApplication& app) {
    app.installEventFilter(new TooltipWrapper(&app));
}

}  // namespace tiltbench
