// main() for the UI tests: a QApplication (offscreen unless a platform is set) and GoogleTest. Settings and
// app data go to a private folder per process, so tests never touch the user's recent files or each other's.
#include <gtest/gtest.h>
#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QTemporaryDir home;
    if (!home.isValid()) {
        return 1;
    }
    qputenv("XDG_CONFIG_HOME", (home.path() + QStringLiteral("/config")).toLocal8Bit());
    qputenv("XDG_DATA_HOME", (home.path() + QStringLiteral("/data")).toLocal8Bit());
    qputenv("XDG_CACHE_HOME", (home.path() + QStringLiteral("/cache")).toLocal8Bit());

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TiltbenchTests"));
    QApplication::setApplicationName(QStringLiteral("tiltbench_ui_tests"));
    QSettings().clear();

    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
