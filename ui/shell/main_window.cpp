#include "shell/main_window.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>

#include "pages/compare/compare_page.h"
#include "pages/data/data_page.h"
#include "pages/explorer/explorer_page.h"
#include "pages/export/export_page.h"
#include "pages/train/train_page.h"
#include "runtime/version.h"
#include "shell/help_dock.h"
#include "shell/recent_files.h"
#include "shell/welcome_page.h"
#include "store/sqlite_version.h"
#include "widgets/feedback.h"
#include "widgets/page_scroll_area.h"
#include "widgets/wheel_guard.h"

// The resources live in a static library, whose registration object the linker drops unless referenced.
static void initTiltbenchResources() {
    Q_INIT_RESOURCE(tiltbench);
}

namespace tiltbench {

namespace {
QString workspaceFilter() {
    return QObject::tr("Tiltbench workspaces (*.sqlite *.db *.tiltbench);;All files (*)");
}
constexpr int kStatusTimeoutMs = 8000;

// The explorer is reached through the page stack (each page sits in its scroll area) rather than a member.
ExplorerPage* explorerIn(QStackedWidget* pages) {
    auto* scroll = qobject_cast<QScrollArea*>(pages->widget(MainWindow::ExplorerPageIndex));
    return scroll ? qobject_cast<ExplorerPage*>(scroll->widget()) : nullptr;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initTiltbenchResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/tiltbench.svg")));
    WheelGuard::install(this);  // the wheel scrolls forms; it changes a spin box or combo only once focused

    m_stack = new QStackedWidget(this);
    m_welcome = new WelcomePage(m_stack);
    m_workbench = buildWorkbench();
    m_stack->addWidget(m_welcome);
    m_stack->addWidget(m_workbench);
    setCentralWidget(m_stack);

    connect(m_welcome, &WelcomePage::newRequested, this, &MainWindow::newWorkspace);
    connect(m_welcome, &WelcomePage::openRequested, this, &MainWindow::openWorkspaceDialog);
    connect(m_welcome, &WelcomePage::demoRequested, this, &MainWindow::generateDemo);
    connect(m_welcome, &WelcomePage::recentRequested, this,
            [this](const QString& path) { openWorkspace(path); });

    m_pathLabel = new QLabel(this);
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_pathLabel);
    // A page's status message belongs to that page: it shows while the page is the current one, and switching
    // pages clears it (a message made on one page never stands beside another page's state).
    const auto ownedBy = [this](QWidget* page) {
        return [this, page](const QString& message) {
            if (m_pages->currentWidget() && m_pages->currentWidget()->isAncestorOf(page)) {
                showStatusMessage(message);
            }
        };
    };
    connect(m_dataPage, &DataPage::statusMessage, this, ownedBy(m_dataPage));
    connect(explorerIn(m_pages), &ExplorerPage::statusMessage, this, ownedBy(explorerIn(m_pages)));
    connect(m_nav, &QListWidget::currentRowChanged, this, [this] { statusBar()->clearMessage(); });
    connect(m_dataPage, &DataPage::jobsStopped, this, [this] {
        if (m_closeWhenIdle) {
            close();
        }
    });
    connect(m_trainPage, &TrainPage::idle, this, [this] {
        if (m_closeWhenIdle) {
            close();
        }
    });
    connect(m_trainPage, &TrainPage::statusMessage, this, ownedBy(m_trainPage));
    connect(m_comparePage, &ComparePage::statusMessage, this, ownedBy(m_comparePage));
    connect(m_exportPage, &ExportPage::statusMessage, this, ownedBy(m_exportPage));

    buildMenus();
    restoreSettings();
    closeWorkspace();
}

MainWindow::~MainWindow() {
    // The pages' job handles wait for their threads when they are destroyed; cancelled first, that wait is
    // short.
    m_dataPage->cancelJobs();
    explorerIn(m_pages)->cancelJobs();
    m_trainPage->cancelAll();
    m_comparePage->cancelJobs();
    m_exportPage->cancelJobs();
}

QWidget* MainWindow::buildWorkbench() {
    m_navSplitter = new QSplitter(Qt::Horizontal, this);
    m_navSplitter->setObjectName(QStringLiteral("navSplitter"));
    m_nav = new QListWidget(m_navSplitter);
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setStyleSheet(
        QStringLiteral("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px 10px; }"));
    m_nav->setMinimumWidth(130);
    m_nav->setMaximumWidth(260);
    m_pages = new QStackedWidget(m_navSplitter);
    m_dataPage = new DataPage(m_pages);
    m_trainPage = new TrainPage(m_pages);
    m_comparePage = new ComparePage(m_pages);
    m_exportPage = new ExportPage(m_pages);
    const QList<QPair<QString, QWidget*>> pages = {
        {tr("Data"), m_dataPage},     {tr("λ Explorer"), new ExplorerPage(m_pages)},
        {tr("Train"), m_trainPage},   {tr("Compare"), m_comparePage},
        {tr("Export"), m_exportPage},
    };
    for (const auto& [name, page] : pages) {
        m_nav->addItem(name);
        // A page never makes the window larger than a small screen: below its minimum size it scrolls
        // (a 1366×768 screen at 125 % leaves about 1090×560 logical pixels).
        m_pages->addWidget(new PageScrollArea(page, m_pages));
    }
    connect(m_nav, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    // The explorer follows the Data page's dataset list and selection.
    ExplorerPage* explorer = explorerIn(m_pages);
    connect(m_dataPage, &DataPage::datasetsChanged, explorer, &ExplorerPage::refresh);
    connect(m_dataPage, &DataPage::datasetShown, explorer,
            [explorer](qint64 id) { explorer->selectDataset(id); });
    // Train and Compare follow the Data page's dataset too; Train takes the Explorer's weighting on request,
    // and Compare re-reads its runs whenever Train records or finishes one.
    connect(m_dataPage, &DataPage::datasetsChanged, m_trainPage, &TrainPage::refresh);
    connect(m_dataPage, &DataPage::datasetShown, m_trainPage,
            [this](qint64 id) { m_trainPage->selectDataset(id); });
    connect(m_dataPage, &DataPage::datasetsChanged, m_comparePage, &ComparePage::refresh);
    connect(m_dataPage, &DataPage::datasetShown, m_comparePage,
            [this](qint64 id) { m_comparePage->selectDataset(id); });
    m_trainPage->setExplorerWeightingSource([explorer] { return explorer->currentScheme(); },
                                            [explorer] { return explorer->rewardModelRun(); });
    // λ travels on request: "Train at this λ" in the Explorer fills the Train form and shows it.
    connect(explorer, &ExplorerPage::trainRequested, this, [this](qint64 datasetId) {
        showPage(TrainPageIndex);  // first: the form's "taken from the Explorer" message belongs to Train
        m_trainPage->selectDataset(datasetId);
        m_trainPage->form()->applyExplorerWeighting();
    });
    connect(m_trainPage, &TrainPage::runRecorded, m_comparePage, [this] { m_comparePage->refreshRuns(); });
    connect(m_comparePage, &ComparePage::resumeRequested, this, [this](qint64 runId) {
        showPage(TrainPageIndex);  // first: a refusal's status message belongs to the Train page
        m_trainPage->resumeRun(runId);
    });
    // Export lists the finished runs: it follows the datasets and every recorded run, and takes a run from
    // the Compare page's context menu.
    connect(m_dataPage, &DataPage::datasetsChanged, m_exportPage, &ExportPage::refresh);
    connect(m_dataPage, &DataPage::datasetShown, m_exportPage,
            [this](qint64 id) { m_exportPage->selectDataset(id); });
    connect(m_trainPage, &TrainPage::runRecorded, m_exportPage, [this] { m_exportPage->refresh(); });
    connect(m_comparePage, &ComparePage::exportRequested, this, [this](qint64 runId) {
        if (m_exportPage->selectRun(runId)) {
            showPage(ExportPageIndex);
        }
    });
    connect(explorer, &ExplorerPage::fullEvaluationFinished, m_comparePage,
            [this] { m_comparePage->refreshRuns(); });
    m_nav->setCurrentRow(DataPageIndex);
    m_navSplitter->addWidget(m_nav);
    m_navSplitter->addWidget(m_pages);
    m_navSplitter->setStretchFactor(0, 0);
    m_navSplitter->setStretchFactor(1, 1);
    m_navSplitter->setSizes({150, 1130});
    m_navSplitter->setChildrenCollapsible(false);
    return m_navSplitter;
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New workspace…"), QKeySequence::New, this, &MainWindow::newWorkspace);
    file->addAction(tr("&Open workspace…"), QKeySequence::Open, this, &MainWindow::openWorkspaceDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addAction(tr("&Generate demo workspace"), this, &MainWindow::generateDemo);
    file->addSeparator();
    m_importAction = file->addAction(
        tr("&Import data…"), QKeySequence(QKeyCombination(Qt::ControlModifier, Qt::Key_I)), this, [this] {
            showPage(DataPageIndex);
            m_dataPage->showImportDialog();
        });
    m_importAction->setObjectName(QStringLiteral("importAction"));
    m_importAction->setEnabled(false);  // with a workspace open (setPagesWorkspace)
    file->addSeparator();
    file->addAction(tr("&Close workspace"), QKeySequence::Close, this, [this] {
        if (!refuseWhileBusy()) {
            closeWorkspace();
        }
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setMenuRole(QAction::QuitRole);

    // The pages by keyboard: Ctrl+1 … Ctrl+5, in the navigation's order.
    QMenu* go = menuBar()->addMenu(tr("&Go"));
    for (int page = 0; page < NUM_PAGES; ++page) {
        QAction* a = go->addAction(
            m_nav->item(page)->text(),
            QKeySequence(QKeyCombination(Qt::ControlModifier, static_cast<Qt::Key>(Qt::Key_1 + page))), this,
            [this, page] {
                if (!isShowingWelcome()) {
                    showPage(static_cast<Page>(page));
                }
            });
        a->setObjectName(QStringLiteral("goToPage%1").arg(page + 1));
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    m_helpDock = new HelpDock(this);
    addDockWidget(Qt::RightDockWidgetArea, m_helpDock);
    m_helpDock->hide();
    QAction* words = m_helpDock->toggleViewAction();
    words->setText(tr("The &method and its words"));
    words->setShortcut(QKeySequence::HelpContents);  // F1
    words->setObjectName(QStringLiteral("helpAction"));
    help->addAction(words);
    help->addSeparator();
    help->addAction(tr("&About Tiltbench"), this, &MainWindow::showAbout);
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = RecentFiles().list();
    for (const QString& path : recent) {
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this, [this, path] { openWorkspace(path); });
    }
    if (recent.isEmpty()) {
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    } else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear list"), this, [this] {
            RecentFiles().clear();
            m_welcome->setRecentFiles({});
        });
    }
    m_welcome->setRecentFiles(recent);
}

bool MainWindow::openWorkspace(const QString& path, OpenMode mode) {
    if (refuseWhileBusy()) {
        return false;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    std::unique_ptr<Workspace> workspace;
    try {
        workspace = std::make_unique<Workspace>(absolute.toStdString(), mode);
    } catch (const std::exception& e) {
        if (!QFileInfo::exists(absolute)) {
            RecentFiles().remove(absolute);
        }
        showWarning(tr("Cannot open workspace"),
                    tr("Could not open %1 as a Tiltbench workspace.").arg(QDir::toNativeSeparators(absolute)),
                    QString::fromStdString(e.what()));
        return false;
    }
    setPagesWorkspace(nullptr);
    m_workspace = std::move(workspace);
    RecentFiles().add(absolute);
    rebuildRecentMenu();
    setPagesWorkspace(m_workspace.get());
    m_stack->setCurrentWidget(m_workbench);
    showPage(DataPageIndex);
    updateTitle();
    statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(absolute)), kStatusTimeoutMs);
    Q_EMIT workspaceChanged(absolute);
    return true;
}

void MainWindow::setPagesWorkspace(Workspace* workspace) {
    if (m_importAction) {
        m_importAction->setEnabled(workspace != nullptr);
    }
    m_dataPage->setWorkspace(workspace);
    explorerIn(m_pages)->setWorkspace(workspace);
    m_trainPage->setWorkspace(workspace);
    m_comparePage->setWorkspace(workspace);
    m_exportPage->setWorkspace(workspace);
}

void MainWindow::showStatusMessage(const QString& message) {
    statusBar()->showMessage(message, kStatusTimeoutMs);
}

void MainWindow::closeWorkspace() {
    setPagesWorkspace(nullptr);
    m_workspace.reset();
    rebuildRecentMenu();
    m_stack->setCurrentWidget(m_welcome);
    updateTitle();
    Q_EMIT workspaceChanged(QString());
}

ExplorerPage* MainWindow::explorerPage() const {
    return explorerIn(m_pages);
}

QString MainWindow::workspacePath() const {
    return m_workspace ? QString::fromStdString(m_workspace->path()) : QString();
}

void MainWindow::showPage(Page page) {
    m_nav->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const {
    return static_cast<Page>(m_pages->currentIndex());
}

bool MainWindow::isShowingWelcome() const {
    return m_stack->currentWidget() == m_welcome;
}

QString MainWindow::demoWorkspacePath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("demo.sqlite"));
}

void MainWindow::newWorkspace() {
    if (refuseWhileBusy()) {
        return;
    }
    QString path = QFileDialog::getSaveFileName(
        this, tr("New workspace"), QDir::home().filePath(QStringLiteral("workspace.sqlite")),
        workspaceFilter(), nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".sqlite");
    }
    // An existing file is opened, never overwritten: it may hold someone's datasets.
    const bool existed = QFileInfo::exists(path);
    if (openWorkspace(path, OpenMode::CreateIfMissing) && existed) {
        statusBar()->showMessage(
            tr("%1 already existed and was opened, not replaced.").arg(QDir::toNativeSeparators(path)),
            kStatusTimeoutMs);
    }
}

void MainWindow::openWorkspaceDialog() {
    if (refuseWhileBusy()) {
        return;
    }
    const QString start = m_workspace ? QFileInfo(workspacePath()).absolutePath() : QDir::homePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"), start, workspaceFilter());
    if (!path.isEmpty()) {
        openWorkspace(path);
    }
}

void MainWindow::generateDemo() {
    const QString path = demoWorkspacePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (workspacePath() != QFileInfo(path).absoluteFilePath() &&
        !openWorkspace(path, OpenMode::CreateIfMissing)) {
        return;
    }
    try {
        if (auto existing = m_workspace->findDataset("demo")) {
            m_dataPage->selectDataset(existing->id);
            return;
        }
    } catch (const std::exception& e) {
        showWarning(tr("Demo"), tr("Could not read the demo workspace."), QString::fromStdString(e.what()));
        return;
    }
    m_dataPage->startGenerate(QStringLiteral("demo"), SimulatorConfig{});
}

void MainWindow::showAbout() {
    auto* box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Tiltbench"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setTextFormat(Qt::RichText);
    box->setText(tr("<h3>Tiltbench %1</h3>").arg(QString::fromStdString(versionString())));
    box->setInformativeText(
        tr("A workbench for exponentially reward-weighted supervised fine-tuning of generative recommenders: "
           "w = exp(r / λ).<br><br>"
           "Tiltbench is free software under the <b>GNU General Public License, version 3 or later</b> "
           "(GPL-3.0-or-later: the file LICENSE of the source; /usr/share/doc/tiltbench/copyright in the "
           "package). It comes with NO WARRANTY.<br><br>"
           "Built with: Qt %1 (LGPL-3.0), QCustomPlot %2 (GPL-3.0-or-later), SQLite %3 (public domain), "
           "SQLiteCpp (MIT), nlohmann/json (MIT), {fmt} (MIT), zlib (Zlib). Its engine, tiltbench-cli, adds "
           "LibTorch (BSD-3-Clause) and CLI11 (BSD-3-Clause).")
            .arg(QString::fromLatin1(qVersion()), QString::fromLatin1(QCUSTOMPLOT_VERSION_STR),
                 QString::fromStdString(sqliteLibraryVersion())));
    box->open();
}

void MainWindow::updateTitle() {
    if (m_workspace) {
        const QString path = workspacePath();
        setWindowFilePath(path);
        setWindowTitle(tr("%1 — Tiltbench").arg(QFileInfo(path).fileName()));
        m_pathLabel->setText(QDir::toNativeSeparators(path));
    } else {
        setWindowFilePath(QString());
        setWindowTitle(tr("Tiltbench"));
        m_pathLabel->setText(tr("No workspace open"));
    }
}

bool MainWindow::refuseWhileBusy() {
    if (m_trainPage->isBusy()) {
        showWarning(tr("Training is running"),
                    tr("%1 is still running. Cancel it (Train page) or wait for the queue to finish first.")
                        .arg(m_trainPage->busyDescription()));
        return true;
    }
    if (!m_dataPage->hasWriteJob()) {
        m_dataPage->cancelJobs();  // at most a load: nothing to lose
        return false;
    }
    showWarning(tr("A job is running"), tr("%1 is still running. Cancel it or wait for it to finish first.")
                                            .arg(m_dataPage->busyDescription()));
    return true;
}

void MainWindow::showWarning(const QString& title, const QString& text, const QString& details) {
    openWarning(this, QStringLiteral("warningBox"), title, text, details);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    const bool training = m_trainPage->isBusy();
    if (!m_dataPage->isBusy() && !training) {
        saveSettings();
        m_comparePage->cancelJobs();
        m_exportPage->cancelJobs();  // a cancelled export leaves no file behind
        event->accept();
        return;
    }
    event->ignore();
    if (m_askingToClose || m_closeWhenIdle) {
        return;  // already asking, or already waiting for the cancelled work to stop
    }
    if (!m_dataPage->hasWriteJob() && !training) {
        m_closeWhenIdle = true;
        m_dataPage->cancelJobs();  // at most a load: nothing to lose
        return;
    }
    m_askingToClose = true;
    QString what;
    if (training) {
        what =
            tr("%1 is still running. Cancel it and quit? The run is recorded as cancelled and keeps its last "
               "finished epoch, so it can be resumed later; queued runs are dropped.")
                .arg(m_trainPage->busyDescription());
    } else {
        what = tr("%1 is still running. Cancel it and quit? The workspace is left as it was before the job "
                  "started.")
                   .arg(m_dataPage->busyDescription());
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Quit Tiltbench?"), what,
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(QStringLiteral("quitWhileBusyBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        m_askingToClose = false;
        if (result == QMessageBox::Yes) {
            m_closeWhenIdle = true;
            m_dataPage->cancelJobs();
            m_trainPage->cancelAll();
        }
    });
    box->open();
}

void MainWindow::saveSettings() {
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    settings.setValue(QStringLiteral("mainWindow/navSplitter"), m_navSplitter->saveState());
    m_dataPage->saveSettings(settings);
    explorerIn(m_pages)->saveSettings(settings);
    m_trainPage->saveSettings(settings);
    m_comparePage->saveSettings(settings);
}

void MainWindow::restoreSettings() {
    const QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray())) {
        // 1280×800, or what the screen has room for (a 1366×768 screen leaves about 1366×712 under a panel
        // and a title bar): a first window never starts larger than its screen.
        QSize size(1280, 800);
        if (const QScreen* s = screen()) {
            size = size.boundedTo(s->availableGeometry().size() - QSize(0, 32));
        }
        resize(size);
    }
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    m_navSplitter->restoreState(settings.value(QStringLiteral("mainWindow/navSplitter")).toByteArray());
    m_dataPage->restoreSettings(settings);
    explorerIn(m_pages)->restoreSettings(settings);
    m_trainPage->restoreSettings(settings);
    m_comparePage->restoreSettings(settings);
}

}  // namespace tiltbench
