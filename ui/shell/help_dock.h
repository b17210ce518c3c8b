#pragma once
// HelpDock: Help → The method and its words (F1). A dock beside the pages with the method in plain words and
// every setting, metric and statistics word the pages use (shared/glossary.h — the same text as the
// tooltips), so a reader can keep it open while moving λ. showTopic() scrolls to one entry.
#include <QDockWidget>

class QTextBrowser;

namespace tiltbench {

class HelpDock : public QDockWidget {
    Q_OBJECT
  public:
    explicit HelpDock(QWidget* parent = nullptr);

    // Shows the dock at the entry with this glossary key (see glossary()); false when there is none.
    bool showTopic(const QString& key);
    QTextBrowser* browser() const { return m_browser; }

  private:
    QTextBrowser* m_browser;
};

}  // namespace tiltbench
