#pragma once
// PlaceholderPage: the body of a page whose issue has not landed yet — its name, a clear "coming in a later
// version" and what it will do, so the navigation already shows the whole product.
#include <QStringList>
#include <QWidget>

namespace tiltbench {

class PlaceholderPage : public QWidget {
    Q_OBJECT
  public:
    PlaceholderPage(const QString& title, const QString& summary, const QStringList& planned,
                    QWidget* parent = nullptr);
};

}  // namespace tiltbench
