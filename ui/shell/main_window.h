#pragma once
// MainWindow: the workbench shell. Left, the navigation of the whole product (Data, λ Explorer, Train,
// Compare, Export); right, the current page. Owns the open workspace (the GUI thread's connection) and the
// File menu (new, open, recent, quit); shows WelcomePage while nothing is open. Geometry and splitters are
// kept in QSettings. Closing while a job or a training run is under way asks, cancels it, and closes once it
// has stopped (a cancelled SASRec run is recorded as cancelled and stays resumable).
#include <QMainWindow>
#include <memory>

#include "store/workspace.h"

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QSplitter;
class QStackedWidget;

namespace tiltbench {

class ComparePage;
class DataPage;
class ExplorerPage;
class ExportPage;
class HelpDock;
class TrainPage;
class WelcomePage;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    enum Page {
        DataPageIndex,
        ExplorerPageIndex,
        TrainPageIndex,
        ComparePageIndex,
        ExportPageIndex,
        NUM_PAGES
    };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens (or with CreateIfMissing creates) a workspace and shows the Data page. On failure shows a
    // message naming the file and returns false; the previous workspace stays open.
    bool openWorkspace(const QString& path, OpenMode mode = OpenMode::OpenExisting);
    void closeWorkspace();
    QString workspacePath() const;
    bool hasWorkspace() const { return m_workspace != nullptr; }

    void showPage(Page page);
    Page currentPage() const;
    bool isShowingWelcome() const;

    DataPage* dataPage() const { return m_dataPage; }
    TrainPage* trainPage() const { return m_trainPage; }
    ComparePage* comparePage() const { return m_comparePage; }
    ExportPage* exportPage() const { return m_exportPage; }
    ExplorerPage* explorerPage() const;
    HelpDock* helpDock() const { return m_helpDock; }
    WelcomePage* welcomePage() const { return m_welcome; }

    // Where "Generate demo" puts its workspace.
    static QString demoWorkspacePath();

  public Q_SLOTS:
    void newWorkspace();
    void openWorkspaceDialog();
    void generateDemo();
    void showAbout();

    void showStatusMessage(const QString& message);

  Q_SIGNALS:
    void workspaceChanged(const QString& path);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildMenus();
    QWidget* buildWorkbench();
    void rebuildRecentMenu();
    void setPagesWorkspace(Workspace* workspace);
    void updateTitle();
    bool refuseWhileBusy();
    void showWarning(const QString& title, const QString& text, const QString& details = {});
    void saveSettings();
    void restoreSettings();

    std::unique_ptr<Workspace> m_workspace;
    QStackedWidget* m_stack = nullptr;
    WelcomePage* m_welcome = nullptr;
    QWidget* m_workbench = nullptr;
    QSplitter* m_navSplitter = nullptr;
    QListWidget* m_nav = nullptr;
    QStackedWidget* m_pages = nullptr;
    DataPage* m_dataPage = nullptr;
    TrainPage* m_trainPage = nullptr;
    ComparePage* m_comparePage = nullptr;
    ExportPage* m_exportPage = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_importAction = nullptr;  // File → Import data… (with a workspace open)
    QLabel* m_pathLabel = nullptr;
    HelpDock* m_helpDock = nullptr;  // Help → The method and its words
    bool m_closeWhenIdle = false;
    bool m_askingToClose = false;
};

}  // namespace tiltbench
