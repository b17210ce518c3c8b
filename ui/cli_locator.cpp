#include "cli_locator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QStringList>

namespace tiltbench {

namespace {
const QString kCliName = QStringLiteral("tiltbench-cli");

QStringList candidates() {
    QStringList out;
    const QString env = qEnvironmentVariable("TILTBENCH_CLI");
    if (!env.isEmpty()) {
        out << env;
    }
    const QDir dir(QCoreApplication::applicationDirPath());
    out << dir.filePath(kCliName) << dir.filePath(QStringLiteral("../cli/") + kCliName)
        << dir.filePath(QStringLiteral("../app/cli/") + kCliName);
    return out;
}
}  // namespace

QString locateCli() {
    for (const QString& path : candidates()) {
        const QFileInfo info(path);
        if (info.isFile() && info.isExecutable()) {
            return info.absoluteFilePath();
        }
    }
    return QStandardPaths::findExecutable(kCliName);
}

QString cliSearchDescription() {
    QStringList places;
    for (const QString& path : candidates()) {
        places << QDir::toNativeSeparators(QDir::cleanPath(path));
    }
    places << QCoreApplication::translate("tiltbench", "PATH");
    return QCoreApplication::translate("tiltbench",
                                       "tiltbench-cli was not found (looked at: %1). Build it (target "
                                       "tiltbench-cli) or set TILTBENCH_CLI to its path.")
        .arg(places.join(QStringLiteral(", ")));
}

}  // namespace tiltbench
