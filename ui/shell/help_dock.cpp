#include "shell/help_dock.h"

#include <QTextBrowser>

#include "shared/glossary.h"

namespace tiltbench {

HelpDock::HelpDock(QWidget* parent)
    : QDockWidget(tr("The method and its words"), parent), m_browser(new QTextBrowser(this)) {
    setObjectName(QStringLiteral("helpDock"));
    m_browser->setObjectName(QStringLiteral("helpBrowser"));
    m_browser->setOpenLinks(false);  // nothing in it links out; no file or URL is ever opened from here
    m_browser->setHtml(glossaryHtml());
    m_browser->setMinimumWidth(260);
    setWidget(m_browser);
    setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
}

bool HelpDock::showTopic(const QString& key) {
    if (glossaryText(key).isEmpty()) {
        return false;
    }
    show();
    raise();
    m_browser->scrollToAnchor(key.section(QLatin1Char('@'), 0, 0));
    return true;
}

}  // namespace tiltbench
