#pragma once
// ExportPage: a trained run leaves Tiltbench. Choose a dataset and one of its finished runs (or arrive from
// the Compare page's context menu), a format — TorchScript model, safetensors weights + config JSON, top-k
// recommendations CSV; closed-form policies offer the last two — and a file. The export runs in a child
// `tiltbench-cli export` on a worker (progress, Cancel; the CLI writes to a temporary file and renames it
// into place, so a failed or cancelled export leaves nothing behind). Afterwards the page shows the exact
// Python and C++ lines that load the file, and the top-10 of any user of the dataset from the run
// (`tiltbench-cli recommend`), which also fills those lines with that user's history.
#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "pages/compare/compare_data.h"
#include "pages/export/export_workers.h"
#include "widgets/dataset_combo.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStringListModel;
class QTableWidget;
class QTabWidget;

namespace tiltbench {

class JobRunner;
class Workspace;

class ExportPage : public QWidget {
    Q_OBJECT
  public:
    explicit ExportPage(QWidget* parent = nullptr);

    // Not owned; nullptr when no workspace is open.
    void setWorkspace(Workspace* workspace);
    void refresh();  // datasets (keeps the selection) and their finished runs
    void selectDataset(int64_t id);
    int64_t selectedDatasetId() const;
    // Shows `runId` (its dataset first); false when it is not a finished run of this workspace.
    bool selectRun(qint64 runId);
    qint64 selectedRunId() const;
    QStringList availableFormats() const;  // of the selected run
    bool setFormat(const QString& format);
    QString format() const;
    void setOutputPath(const QString& path);
    QString outputPath() const;
    void setK(int k);

    // Starts the export of the selected run; false (and a message) when something is missing or a job runs.
    // An existing file is replaced only with `replaceExisting`; otherwise the page asks first (without
    // blocking) and starts the export on Yes.
    bool startExport(bool replaceExisting = false);
    // Starts the top-k preview of `user` (external id) from the selected run.
    bool startPreview(const QString& user);
    bool isBusy() const;
    void cancelJobs();

    QComboBox* datasetChooser() const { return m_datasetCombo; }
    QComboBox* runChooser() const { return m_runCombo; }
    QComboBox* formatChooser() const { return m_formatCombo; }
    QPushButton* exportButton() const { return m_exportButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QLabel* statusLabel() const { return m_status; }
    QPlainTextEdit* pythonSnippet() const { return m_python; }
    QPlainTextEdit* cppSnippet() const { return m_cpp; }
    QTableWidget* previewTable() const { return m_previewTable; }
    QLineEdit* userEdit() const { return m_userEdit; }

  Q_SIGNALS:
    void exportFinished(const tiltbench::ExportOutcome& outcome);
    void exportFailed(const QString& message);
    void previewFinished(const tiltbench::RecommendOutcome& outcome);
    void previewFailed(const QString& message);
    void statusMessage(const QString& message);
    void jobsStopped();

  private:
    static constexpr int kPreviewK = 10;  // recommendations the preview shows
    void reloadRuns();
    void onRunChanged();
    void onFormatChanged();
    void browse();
    QString defaultPath() const;
    QString formatSuffix() const;
    const CompareRun* currentRun() const;
    void updateSnippets();
    void updateButtons();
    void setStatus(const QString& text);
    void showError(const QString& title, const QString& text, const QString& details);
    void showPreview(const RecommendOutcome& outcome);
    void loadUsers();

    Workspace* m_workspace = nullptr;
    std::vector<CompareRun> m_runs;  // finished runs of the current dataset, newest first
    int64_t m_usersOfDataset = -1;   // the dataset whose users fill the completer
    bool m_pathEdited = false;       // the user typed or chose a path: keep it across run/format changes
    ExportOutcome m_lastExport;
    bool m_hasExport = false;
    bool m_showsNoRunsHint = false;  // the status line says the dataset has no finished run
    QStringList m_exampleHistory;    // the previewed user's newest items, for the snippets

    DatasetCombo* m_datasetCombo;
    QComboBox* m_runCombo;
    QComboBox* m_formatCombo;
    QSpinBox* m_kSpin;
    QLineEdit* m_pathEdit;
    QPushButton* m_browseButton;
    QPushButton* m_exportButton;
    QPushButton* m_cancelButton;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_snippetTitle;
    QTabWidget* m_snippetTabs;
    QPlainTextEdit* m_python;
    QPlainTextEdit* m_cpp;
    QPushButton* m_copyButton;
    QLineEdit* m_userEdit;
    QStringListModel* m_userModel;
    QPushButton* m_previewButton;
    QTableWidget* m_previewTable;
    QLabel* m_previewStatus;
    // The page's background work (ui/jobs/job_runner.h): one export and one top-10 preview at a time.
    static inline const QString kExportJob = QStringLiteral("export");
    static inline const QString kPreviewJob = QStringLiteral("preview");
    JobRunner* m_jobs;
};

}  // namespace tiltbench
