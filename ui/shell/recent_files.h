#pragma once
// RecentFiles: the most recently opened workspaces, newest first, kept in QSettings. At most kMax entries;
// files that no longer exist are dropped whenever the list is read, so the menu never offers a dead path.
#include <QString>
#include <QStringList>

namespace tiltbench {

class RecentFiles {
  public:
    static constexpr int kMax = 8;

    explicit RecentFiles(QString settingsKey = QStringLiteral("recentWorkspaces"));

    QStringList list() const;  // existing files only; prunes the stored list
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

  private:
    void store(const QStringList& paths) const;

    QString m_key;
};

}  // namespace tiltbench
