#pragma once
// DataPage: the workspace's datasets — the list, import / generate / delete, and for the selected dataset its
// summary and three plots. Everything slow (loading + summarising, generating, deleting) runs on worker
// threads; the page shows progress and stays usable. Import runs in ImportDialog, which this page opens.
//
// The page lists datasets through the GUI thread's Workspace connection (a cheap catalogue query); workers
// open their own connection on the same file.
#include <QPointer>
#include <QString>
#include <QWidget>
#include <cstdint>

#include "data/ground_truth.h"
#include "io/import.h"
#include "shared/loaded_dataset.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace tiltbench {

class DatasetListModel;
class DatasetPlots;
class DatasetSummaryPanel;
class ImportDialog;
class JobRunner;
class Workspace;

class DataPage : public QWidget {
    Q_OBJECT
  public:
    explicit DataPage(QWidget* parent = nullptr);

    // Not owned; nullptr when no workspace is open. Jobs must have stopped (see isBusy()).
    void setWorkspace(Workspace* workspace);
    void refresh();  // re-reads the catalogue, keeps the selection

    bool isBusy() const;       // any job running, loads included
    bool hasWriteJob() const;  // a generate or delete is running (cancelling it is worth asking)
    QString busyDescription() const;
    void cancelJobs();

    void selectDataset(int64_t id);
    int64_t selectedDatasetId() const;  // -1 when none
    int64_t shownDatasetId() const { return m_shownId; }

    void startGenerate(const QString& name, const SimulatorConfig& config);

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

    DatasetListModel* datasetModel() const { return m_model; }
    QTableView* datasetView() const { return m_view; }
    DatasetSummaryPanel* summaryPanel() const { return m_summary; }
    DatasetPlots* plots() const { return m_plots; }
    ImportDialog* importDialog() const;  // the open import dialog, if any

  public Q_SLOTS:
    ImportDialog* showImportDialog();
    void showGenerateDialog();
    void deleteSelected();

  Q_SIGNALS:
    void datasetShown(qint64 id);  // summary and plots now show this dataset
    void datasetsChanged();
    void jobsStopped();  // no job is running any more
    void statusMessage(const QString& message);

  private:
    void onSelectionChanged();
    void startLoad(int64_t id);
    void onLoaded(const LoadedDataset& result);
    void onLoadFailed(const QString& message);
    void onImported(const ImportReport& report);
    void onWriteProgress(qint64 done, qint64 total);
    void onWriteStopped();
    void startRemove(int64_t id, const QString& name);
    void showError(const QString& title, const QString& message);
    void updateButtons();
    QStringList datasetNames() const;

    Workspace* m_workspace = nullptr;
    DatasetListModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    DatasetSummaryPanel* m_summary;
    DatasetPlots* m_plots;
    QSplitter* m_splitter;
    QSplitter* m_detailSplitter;
    QPushButton* m_importButton;
    QPushButton* m_generateButton;
    QPushButton* m_deleteButton;
    QProgressBar* m_jobProgress;
    QLabel* m_jobLabel;
    QPushButton* m_jobCancel;
    // The page's background work (ui/jobs/job_runner.h): kLoadJob loads and summarises the selected dataset
    // (the latest selection wins), kWriteJob generates or deletes one.
    static inline const QString kLoadJob = QStringLiteral("load");
    static inline const QString kWriteJob = QStringLiteral("write");
    JobRunner* m_jobs;
    QPointer<ImportDialog> m_importDialog;

    int64_t m_shownId = -1;    // what the summary shows
    int64_t m_loadingId = -1;  // what the running load is loading
    int64_t m_wantedId = -1;   // what the selection asks for
    int64_t m_selectAfterRefresh = -1;
};

}  // namespace tiltbench
