#pragma once
// ComparePage: the recorded runs of one dataset side by side. Top, the runs table (RunTableModel behind a
// QSortFilterProxyModel: sortable, filterable, multi-select; columns can be hidden from the header's context
// menu) on the test or validation targets; pin one run as the baseline and every metric becomes a
// difference from it with its paired 95 % interval. Below, metric-against-λ plots of the selected runs (all
// runs when none is selected) with the closed-form tilted policies as reference (ComparePlots), and the
// detail of the current run: learning curves and the popularity of its top-10 lists (RunDetailPanel).
// Export: the table exactly as shown, the per-user metrics of the selected runs (CSV), any plot (its context
// menu). Paired comparisons, reference curves and top-10 lists run on workers; the table itself is a cheap
// read of the GUI thread's connection.
#include <QHash>
#include <QSet>
#include <QWidget>
#include <cstdint>
#include <functional>
#include <memory>

#include "pages/compare/compare_workers.h"
#include "widgets/dataset_combo.h"

class QCheckBox;
class QComboBox;
class QStackedWidget;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;

namespace tiltbench {

class ComparePlots;
class GroupTableModel;
class JobRunner;
class RunDetailPanel;
class RunTableModel;
class Workspace;

class ComparePage : public QWidget {
    Q_OBJECT
  public:
    explicit ComparePage(QWidget* parent = nullptr);
    ~ComparePage() override;

    // Not owned; nullptr when no workspace is open.
    void setWorkspace(Workspace* workspace);
    void refresh();      // the dataset list (keeps the selection) and the runs
    void refreshRuns();  // re-reads the runs of the current dataset, soon (coalesced)
    void reloadRunsNow();
    void selectDataset(int64_t id);
    int64_t selectedDatasetId() const;
    void setSplit(const QString& split);  // "test" | "valid"
    QString split() const;

    void selectRuns(const QList<qint64>& runIds);
    QList<qint64> selectedRunIds() const;
    qint64 currentRunId() const;
    void pinBaseline(qint64 runId);  // 0 clears it
    // Writes the dataset's HTML report (the same as `tiltbench-cli report`) to `path` in the background;
    // reportSaved or reportFailed follows. False when no dataset is selected.
    bool saveReport(const QString& path);
    // "Group seeds": the table shows one row per configuration over seeds (mean and interval) instead of one
    // per run; pinning a group shows every group of its experiment as a paired difference against it.
    void setGroupSeeds(bool on);
    bool groupSeeds() const;
    void pinGroup(const QString& key);  // empty clears it
    GroupTableModel* groupModel() const { return m_groupModel; }
    qint64 baselineId() const;

    bool exportTableCsv(const QString& path, QString* error = nullptr) const;
    bool exportPerUserCsv(const QString& path, QString* error = nullptr) const;

    bool isBusy() const;
    void cancelJobs();

    RunTableModel* runModel() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* runView() const { return m_view; }
    ComparePlots* plots() const { return m_plots; }
    RunDetailPanel* detail() const { return m_detail; }
    QComboBox* datasetChooser() const { return m_datasetCombo; }
    QComboBox* splitChooser() const { return m_splitCombo; }
    QLabel* baselineLabel() const { return m_baselineLabel; }
    std::shared_ptr<const ReferenceCurves> reference() const { return m_reference; }
    void setColumnHidden(const QString& key, bool hidden);
    bool isColumnHidden(const QString& key) const;

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

  Q_SIGNALS:
    void runsLoaded();
    void referenceReady();
    void comparisonsReady();
    void detailReady();
    void statusMessage(const QString& message);
    // "Resume training" on a stopped SASRec run with a finished epoch (MainWindow hands it to the Train
    // page).
    void resumeRequested(qint64 runId);
    void exportRequested(qint64 runId);  // a finished run, for the Export page
    void reportSaved(const QString& path);
    void groupsReady();
    void reportFailed(const QString& message);

  protected:
    void showEvent(QShowEvent* event) override;

  private:
    QWidget* buildControls();
    void onSelectionChanged();
    void updatePlots();
    void startReference();
    void startBaseline();
    void startDetail();
    void applyColumnVisibility();
    void showHeaderMenu(const QPoint& pos);
    void showRowMenu(const QPoint& pos);
    void exportTableWithDialog();
    void exportPerUserWithDialog();
    void saveReportWithDialog();
    void startGroups();
    QWidget* buildGroupView();
    // Asks for a .csv path and writes it with `write`, reporting the outcome (status line or error box).
    void exportCsvWithDialog(const QString& title, const QString& fileName, const QString& failure,
                             const std::function<bool(const QString&, QString*)>& write);
    void setStatus(const QString& text);   // through the job runner (a page message, no job)
    void showStatus(const QString& text);  // the runner's status line → the label and the status bar
    void showError(const QString& title, const QString& text, const QString& details = {});

    Workspace* m_workspace = nullptr;
    DatasetCombo* m_datasetCombo;
    QComboBox* m_splitCombo;
    QLineEdit* m_filter;
    QPushButton* m_pinButton;
    QPushButton* m_clearBaselineButton;
    QLabel* m_baselineLabel;
    QToolButton* m_exportButton;
    QLabel* m_status;
    QCheckBox* m_groupSeeds = nullptr;
    QStackedWidget* m_tables = nullptr;
    QTableView* m_groupView = nullptr;
    GroupTableModel* m_groupModel = nullptr;
    QSortFilterProxyModel* m_groupProxy = nullptr;
    QString m_groupBaseline;
    RunTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    ComparePlots* m_plots;
    RunDetailPanel* m_detail;
    QSplitter* m_splitter;
    QSplitter* m_bottomSplitter;
    QTimer* m_refreshTimer;
    JobRunner* m_jobs;  // slots "reference", "baseline", "detail"

    std::shared_ptr<const ReferenceCurves> m_reference;
    QHash<QString, std::shared_ptr<const ReferenceCurves>> m_referenceCache;  // "dataset|split"
    QSet<QString> m_hiddenColumns;
    bool m_hiddenColumnsSet = false;  // false: the defaults (metrics @20 and MRR hidden)
    QString m_sortKey = QStringLiteral("run");
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    bool m_wantReference = false;  // reference curves wanted while the page was hidden
    QString m_detailKey;           // run id, status and epochs of what the detail panel shows
};

}  // namespace tiltbench
