#pragma once
// ImportDialog: imports one dataset into the workspace. The user picks the file(s), the format (or auto), the
// optional titles / random-test files, the dataset name and, for delimited files, the delimiter, header and
// column mapping. A live preview (core's previewImport) shows the first rows as they will be read, with the
// mapped columns marked, and refreshes shortly after any option changes. Import runs on a worker thread with
// a progress bar and Cancel; errors are listed with file and line, and the dialog stays open to fix them.
#include <QDialog>
#include <QStringList>

#include "io/import.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace tiltbench {

class CsvOptionsPanel;
class ImportPreviewModel;
class JobRunner;

class ImportDialog : public QDialog {
    Q_OBJECT
  public:
    // `existingNames`: datasets already in the workspace, so the default name does not collide.
    ImportDialog(QString workspacePath, QStringList existingNames, QWidget* parent = nullptr);
    ~ImportDialog() override;

    void setFiles(const QStringList& files);
    QStringList files() const;
    void setFormat(ImportFormat format);
    void setDatasetName(const QString& name);
    void setTitlesFile(const QString& path);
    void setOnError(OnError policy);

    // What Import would import now.
    ImportRequest request() const;
    ImportPreviewModel* previewModel() const { return m_previewModel; }
    QString previewNotes() const;
    bool isImporting() const;

    // A dataset name derived from the file: the folder for generic file names ("ml-100k" for
    // ml-100k/u.data), else the base name; made unique against `existing`.
    static QString defaultName(const QString& file, const QStringList& existing);

  public Q_SLOTS:
    void refreshPreview();
    void startImport();
    void cancelImport();

  Q_SIGNALS:
    void previewRefreshed();
    void imported(const tiltbench::ImportReport& report);
    void importFailed(const QString& message);
    void importCancelled();
    void importStopped();  // after any outcome; the worker thread is finishing

  protected:
    void reject() override;

  private:
    QWidget* buildSourceGroup();
    QWidget* buildPreviewGroup();
    void schedulePreview();
    void addFiles();
    void removeSelectedFiles();
    void browseInto(QLineEdit* edit, const QString& title);
    void updateEnabledOptions(ImportFormat effective);
    void setImporting(bool importing);
    void onProgress(qint64 done, qint64 total);  // the bar; the runner writes the status text
    void onImported(const ImportReport& report);
    void onFailed(const QString& message);
    void onCancelled();
    void onStopped();

    QString m_workspacePath;
    QStringList m_existingNames;
    bool m_nameEdited = false;
    bool m_titlesEdited = false;
    bool m_randomTestEdited = false;
    QString m_suggestedTitles;
    QString m_suggestedRandomTest;
    bool m_closeWhenStopped = false;
    bool m_succeeded = false;

    QListWidget* m_files = nullptr;
    QComboBox* m_format = nullptr;
    QLineEdit* m_titles = nullptr;
    QLineEdit* m_randomTest = nullptr;
    QPushButton* m_titlesBrowse = nullptr;
    QPushButton* m_randomTestBrowse = nullptr;
    QLineEdit* m_name = nullptr;
    CsvOptionsPanel* m_csvOptions = nullptr;
    QComboBox* m_onError = nullptr;
    QTableView* m_previewView = nullptr;
    QPlainTextEdit* m_rawLines = nullptr;
    QLabel* m_notes = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QPushButton* m_importButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QWidget* m_form = nullptr;

    ImportPreviewModel* m_previewModel;
    QTimer* m_previewTimer;
    static inline const QString kImportJob = QStringLiteral("import");
    JobRunner* m_jobs;  // the import (ui/jobs/job_runner.h)
};

}  // namespace tiltbench
