// tiltbench: the desktop workbench. Argument parsing and wiring only; everything else lives in ui/ and core/.
//
//   tiltbench [--create] [WORKSPACE]   open WORKSPACE (create it when missing only with --create);
//                                      without one, reopen the most recent workspace or show the welcome page
//   tiltbench --version | --help       print and exit, no display needed
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QStringList>
#include <QTimer>
#include <cstdio>

#include "runtime/version.h"
#include "shared/tooltip_wrap.h"
#include "shell/main_window.h"
#include "shell/recent_files.h"

namespace {

struct Options {
    QString workspace;
    bool create = false;
};

// Parsed before QApplication exists, so --version and --help work without a display.
int parseArguments(int argc, char** argv, Options& options) {
    QStringList args;
    for (int i = 0; i < argc; ++i) {
        args << QString::fromLocal8Bit(argv[i]);
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Tiltbench: a workbench for reward-weighted fine-tuning of generative recommenders."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help and exit."));
    const QCommandLineOption version(QStringLiteral("version"),
                                     QStringLiteral("Print the version and exit."));
    const QCommandLineOption create(
        QStringLiteral("create"),
        QStringLiteral("Create WORKSPACE as a new, empty workspace if it does not exist."));
    parser.addOption(help);
    parser.addOption(version);
    parser.addOption(create);
    parser.addPositionalArgument(QStringLiteral("WORKSPACE"),
                                 QStringLiteral("Workspace file to open (default: the most recent one)."),
                                 QStringLiteral("[WORKSPACE]"));
    if (!parser.parse(args)) {
        std::fprintf(stderr, "tiltbench: %s\nTry 'tiltbench --help'.\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(help)) {
        // No QCoreApplication yet, so Qt cannot name the executable itself.
        QString text = parser.helpText();
        text.replace(QStringLiteral("<executable_name>"), QStringLiteral("tiltbench"));
        std::printf("%s", qPrintable(text));
        return 0;
    }
    if (parser.isSet(version)) {
        std::printf("tiltbench %s\n", tiltbench::versionString().c_str());
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "tiltbench: expected at most one WORKSPACE, got %lld\n",
                     static_cast<long long>(positional.size()));
        return 2;
    }
    options.workspace = positional.value(0);
    options.create = parser.isSet(create);
    if (!options.workspace.isEmpty() && !options.create && !QFileInfo::exists(options.workspace)) {
        std::fprintf(stderr,
                     "tiltbench: workspace %s does not exist (use --create to make a new one, or File > New "
                     "workspace)\n",
                     qPrintable(options.workspace));
    }
    return -1;
}

// Qt aborts with a terse "could not connect to display" otherwise.
bool haveDisplay() {
    return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (const int rc = parseArguments(argc, argv, options); rc >= 0) {
        return rc;
    }

    if (!haveDisplay()) {
        std::fprintf(
            stderr,
            "tiltbench: no display (DISPLAY and WAYLAND_DISPLAY are unset). Run it in a desktop session, "
            "use tiltbench-cli for headless work, or set QT_QPA_PLATFORM=offscreen.\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Tiltbench"));
    QApplication::setApplicationName(QStringLiteral("Tiltbench"));
    QApplication::setApplicationVersion(QString::fromStdString(tiltbench::versionString()));
    QApplication::setDesktopFileName(QStringLiteral("tiltbench"));

    tiltbench::installTooltipWrapping(app);  // long plain tooltips wrapped (ui/shared/tooltip_wrap.h)
    tiltbench::MainWindow window;
    window.show();
    // Opened from the event loop so that an error message box has a visible window to sit on.
    QTimer::singleShot(0, &window, [&window, options] {
        if (!options.workspace.isEmpty()) {
            window.openWorkspace(options.workspace, options.create ? tiltbench::OpenMode::CreateIfMissing
                                                                   : tiltbench::OpenMode::OpenExisting);
            return;
        }
        const QStringList recent = tiltbench::RecentFiles().list();
        if (!recent.isEmpty()) {
            window.openWorkspace(recent.front());
        }
    });
    return QApplication::exec();
}
