#include "shell/recent_files.h"

#include <QFileInfo>
#include <QSettings>
#include <utility>

namespace tiltbench {

namespace {
QString normalized(const QString& path) {
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
}
}  // namespace

RecentFiles::RecentFiles(QString settingsKey) : m_key(std::move(settingsKey)) {}

QStringList RecentFiles::list() const {
    const QStringList stored = QSettings().value(m_key).toStringList();
    QStringList existing;
    for (const QString& path : stored) {
        if (QFileInfo(path).isFile() && !existing.contains(path) && existing.size() < kMax) {
            existing << path;
        }
    }
    if (existing != stored) {
        store(existing);
    }
    return existing;
}

void RecentFiles::add(const QString& path) {
    const QString entry = normalized(path);
    QStringList paths = list();
    paths.removeAll(entry);
    paths.prepend(entry);
    while (paths.size() > kMax) {
        paths.removeLast();
    }
    store(paths);
}

void RecentFiles::remove(const QString& path) {
    QStringList paths = QSettings().value(m_key).toStringList();
    paths.removeAll(normalized(path));
    paths.removeAll(path);
    store(paths);
}

void RecentFiles::clear() {
    store({});
}

void RecentFiles::store(const QStringList& paths) const {
    QSettings().setValue(m_key, paths);
}

}  // namespace tiltbench
