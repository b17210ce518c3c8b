#include "pages/data/import_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <utility>

#include "jobs/job_runner.h"
#include "pages/data/csv_options_panel.h"
#include "pages/data/import_preview_model.h"
#include "pages/data/import_worker.h"
#include "shared/formatting.h"
#include "widgets/feedback.h"

namespace tiltbench {

namespace {
constexpr int kPreviewRows = 20;
constexpr int kPreviewDelayMs = 200;

struct FormatChoice {
    ImportFormat format;
    const char* description;
};
const FormatChoice kFormats[] = {
    {ImportFormat::Auto, QT_TRANSLATE_NOOP("ImportDialog", "detect from file name and content")},
    {ImportFormat::MovieLens100k,
     QT_TRANSLATE_NOOP("ImportDialog", "u.data (tab-separated), titles from u.item")},
    {ImportFormat::MovieLensDat,
     QT_TRANSLATE_NOOP("ImportDialog", "ratings.dat (ML-1M/10M), titles from movies.dat")},
    {ImportFormat::MovieLensCsv,
     QT_TRANSLATE_NOOP("ImportDialog", "ratings.csv (ML-latest/20M/25M), titles from movies.csv")},
    {ImportFormat::Csv, QT_TRANSLATE_NOOP("ImportDialog", "any delimited file, columns mapped below")},
    {ImportFormat::Matrix, QT_TRANSLATE_NOOP("ImportDialog", "dense user × item rating matrix, 0 = missing")},
};

// Names that say nothing about the dataset; the folder name is the better default for these.
bool isGenericBaseName(const QString& base) {
    static const QStringList generic = {QStringLiteral("u"),           QStringLiteral("ratings"),
                                        QStringLiteral("data"),        QStringLiteral("train"),
                                        QStringLiteral("test"),        QStringLiteral("rating"),
                                        QStringLiteral("interactions")};
    return generic.contains(base.toLower());
}
}  // namespace

ImportDialog::ImportDialog(QString workspacePath, QStringList existingNames, QWidget* parent)
    : QDialog(parent),
      m_workspacePath(std::move(workspacePath)),
      m_existingNames(std::move(existingNames)),
      m_previewModel(new ImportPreviewModel(this)),
      m_previewTimer(new QTimer(this)),
      m_jobs(new JobRunner(this)) {
    setWindowTitle(tr("Import dataset"));
    setObjectName(QStringLiteral("importDialog"));
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(kPreviewDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &ImportDialog::refreshPreview);

    m_form = new QWidget(this);
    auto* formLayout = new QHBoxLayout(m_form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addWidget(buildSourceGroup(), 3);
    m_csvOptions = new CsvOptionsPanel(m_form);
    connect(m_csvOptions, &CsvOptionsPanel::changed, this, &ImportDialog::schedulePreview);
    formLayout->addWidget(m_csvOptions, 2);

    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("importStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);

    m_buttons = new QDialogButtonBox(this);
    m_importButton = m_buttons->addButton(tr("Import"), QDialogButtonBox::AcceptRole);
    m_importButton->setDefault(true);
    m_cancelButton = m_buttons->addButton(QDialogButtonBox::Cancel);
    connect(m_importButton, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (isImporting()) {
            cancelImport();
        } else {
            reject();
        }
    });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_form);
    layout->addWidget(buildPreviewGroup(), 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_jobs, &JobRunner::idle, this, &ImportDialog::onStopped);
    connect(m_jobs, &JobRunner::statusTextChanged, m_status, &QLabel::setText);
    resize(980, 720);
    refreshPreview();
}

ImportDialog::~ImportDialog() = default;

QWidget* ImportDialog::buildSourceGroup() {
    auto* group = new QGroupBox(tr("Source"), this);
    auto* form = new QFormLayout(group);

    m_files = new QListWidget(group);
    m_files->setObjectName(QStringLiteral("importFiles"));
    m_files->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_files->setMaximumHeight(72);
    m_files->setToolTip(
        tr("Several files are read one after the other as one dataset (e.g. FilmTrust's parts)."));
    auto* add = new QPushButton(tr("Add…"), group);
    auto* remove = new QPushButton(tr("Remove"), group);
    connect(add, &QPushButton::clicked, this, &ImportDialog::addFiles);
    connect(remove, &QPushButton::clicked, this, &ImportDialog::removeSelectedFiles);
    auto* fileButtons = new QVBoxLayout;
    fileButtons->addWidget(add);
    fileButtons->addWidget(remove);
    fileButtons->addStretch();
    auto* filesRow = new QHBoxLayout;
    filesRow->addWidget(m_files, 1);
    filesRow->addLayout(fileButtons);
    form->addRow(tr("File(s):"), filesRow);

    m_format = new QComboBox(group);
    m_format->setObjectName(QStringLiteral("importFormat"));
    for (const FormatChoice& choice : kFormats) {
        m_format->addItem(QStringLiteral("%1 — %2").arg(QString::fromStdString(formatName(choice.format)),
                                                        tr(choice.description)),
                          static_cast<int>(choice.format));
    }
    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::schedulePreview);
    form->addRow(tr("Format:"), m_format);

    auto fileRow = [this, group](QLineEdit*& edit, QPushButton*& browse, const QString& placeholder,
                                 const QString& title) {
        edit = new QLineEdit(group);
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        browse = new QPushButton(tr("Browse…"), group);
        connect(browse, &QPushButton::clicked, this, [this, edit, title] { browseInto(edit, title); });
        connect(edit, &QLineEdit::textChanged, this, &ImportDialog::schedulePreview);
        auto* row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    form->addRow(tr("Titles file:"),
                 fileRow(m_titles, m_titlesBrowse, tr("optional: u.item, movies.dat, movies.csv"),
                         tr("Choose the titles file")));
    form->addRow(tr("Random test:"), fileRow(m_randomTest, m_randomTestBrowse,
                                             tr("optional, matrix format: randomly exposed test set"),
                                             tr("Choose the random-test file")));

    connect(m_titles, &QLineEdit::textEdited, this, [this] { m_titlesEdited = true; });
    connect(m_randomTest, &QLineEdit::textEdited, this, [this] { m_randomTestEdited = true; });

    m_name = new QLineEdit(group);
    m_name->setObjectName(QStringLiteral("importName"));
    connect(m_name, &QLineEdit::textEdited, this, [this] { m_nameEdited = true; });
    form->addRow(tr("Dataset name:"), m_name);

    m_onError = new QComboBox(group);
    m_onError->addItem(tr("Fail and list the problems (nothing is imported)"),
                       static_cast<int>(OnError::Fail));
    m_onError->addItem(tr("Skip bad rows and report them"), static_cast<int>(OnError::Skip));
    form->addRow(tr("Bad rows:"), m_onError);
    return group;
}

QWidget* ImportDialog::buildPreviewGroup() {
    auto* group = new QGroupBox(tr("Preview (first %1 rows)").arg(kPreviewRows), this);
    auto* layout = new QVBoxLayout(group);
    auto* tabs = new QTabWidget(group);
    m_previewView = new QTableView(tabs);
    m_previewView->setObjectName(QStringLiteral("importPreview"));
    m_previewView->setModel(m_previewModel);
    m_previewView->setAlternatingRowColors(true);
    m_previewView->verticalHeader()->setDefaultSectionSize(m_previewView->fontMetrics().height() + 6);
    m_previewView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_previewView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_rawLines = new QPlainTextEdit(tabs);
    m_rawLines->setReadOnly(true);
    m_rawLines->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_rawLines->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    tabs->addTab(m_previewView, tr("Parsed rows"));
    tabs->addTab(m_rawLines, tr("Raw lines"));
    m_notes = new QLabel(group);
    m_notes->setObjectName(QStringLiteral("importNotes"));
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(tabs, 1);
    layout->addWidget(m_notes);
    return group;
}

void ImportDialog::setFiles(const QStringList& files) {
    m_files->clear();
    for (const QString& file : files) {
        m_files->addItem(QDir::cleanPath(file));
    }
    if (!m_nameEdited && !files.isEmpty()) {
        m_name->setText(defaultName(files.front(), m_existingNames));
    }
    refreshPreview();
}

QStringList ImportDialog::files() const {
    QStringList out;
    for (int i = 0; i < m_files->count(); ++i) {
        out << m_files->item(i)->text();
    }
    return out;
}

void ImportDialog::setFormat(ImportFormat format) {
    m_format->setCurrentIndex(m_format->findData(static_cast<int>(format)));
    refreshPreview();
}

void ImportDialog::setDatasetName(const QString& name) {
    m_name->setText(name);
    m_nameEdited = true;
}

void ImportDialog::setTitlesFile(const QString& path) {
    m_titlesEdited = true;
    m_titles->setText(path);
    refreshPreview();
}

void ImportDialog::setOnError(OnError policy) {
    m_onError->setCurrentIndex(m_onError->findData(static_cast<int>(policy)));
}

QString ImportDialog::defaultName(const QString& file, const QStringList& existing) {
    const QFileInfo info(file);
    QString base = info.completeBaseName();
    if (isGenericBaseName(base) && !info.absoluteDir().dirName().isEmpty()) {
        base = info.absoluteDir().dirName();
    }
    if (base.isEmpty()) {
        base = QStringLiteral("dataset");
    }
    QString name = base;
    for (int n = 2; existing.contains(name); ++n) {
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    }
    return name;
}

ImportRequest ImportDialog::request() const {
    ImportRequest r;
    r.name = m_name->text().trimmed().toStdString();
    r.format = static_cast<ImportFormat>(m_format->currentData().toInt());
    for (const QString& f : files()) {
        r.files.push_back(f.toStdString());
    }
    r.titlesFile = m_titles->text().trimmed().toStdString();
    r.randomTestFile = m_randomTest->text().trimmed().toStdString();
    r.onError = static_cast<OnError>(m_onError->currentData().toInt());
    m_csvOptions->apply(r.csv);
    return r;
}

QString ImportDialog::previewNotes() const {
    return m_notes->text();
}

bool ImportDialog::isImporting() const {
    return m_jobs->isRunning(kImportJob);
}

void ImportDialog::schedulePreview() {
    m_previewTimer->start();
}

void ImportDialog::refreshPreview() {
    m_previewTimer->stop();
    const ImportRequest r = request();
    if (r.files.empty()) {
        m_previewModel->clear();
        m_rawLines->clear();
        m_notes->setText(tr("Add a file to see how it will be read."));
        updateEnabledOptions(r.format);
        m_importButton->setEnabled(false);
        Q_EMIT previewRefreshed();
        return;
    }
    try {
        ImportPreview preview = previewImport(r, kPreviewRows);
        const QString format = QString::fromStdString(formatName(preview.format));
        // Core's notes start with "format NAME (why)"; that one becomes the bold headline.
        QString formatLine = tr("Format: <b>%1</b>").arg(format);
        QStringList notes;
        const QString formatPrefix = QStringLiteral("format ") + format;
        for (const std::string& raw : preview.notes) {
            const QString note = QString::fromStdString(raw);
            if (note.startsWith(formatPrefix)) {
                formatLine += note.mid(formatPrefix.size()).toHtmlEscaped();
            } else if (!note.isEmpty()) {
                notes << note.toHtmlEscaped();
            }
        }
        notes.prepend(formatLine);
        // Suggestions fill only fields the user has not touched, so clearing one is respected; a suggestion
        // for an earlier file is replaced.
        auto suggest = [&notes](QLineEdit* edit, bool edited, QString& last, const std::string& suggestion,
                                const QString& what) {
            const QString path = QString::fromStdString(suggestion);
            if (edited || (!edit->text().isEmpty() && edit->text() != last) || edit->text() == path) {
                return;
            }
            const QSignalBlocker blocker(edit);
            edit->setText(path);
            last = path;
            if (!path.isEmpty()) {
                notes << what.arg(QFileInfo(path).fileName().toHtmlEscaped());
            }
        };
        suggest(m_titles, m_titlesEdited, m_suggestedTitles, preview.suggestedTitlesFile,
                tr("titles: %1, found next to the file"));
        suggest(m_randomTest, m_randomTestEdited, m_suggestedRandomTest, preview.suggestedRandomTestFile,
                tr("random test set: %1, found next to the file"));
        QString html = notes.join(QStringLiteral(" · "));
        if (!preview.problem.empty()) {
            html += QStringLiteral("<br><span style=\"color:#b00020\">%1</span>")
                        .arg(QString::fromStdString(preview.problem).toHtmlEscaped());
        }
        m_notes->setStyleSheet(QString());
        m_notes->setText(html);
        QStringList lines;
        for (const std::string& line : preview.lines) {
            lines << QString::fromStdString(line);
        }
        m_rawLines->setPlainText(lines.join(QLatin1Char('\n')));
        m_csvOptions->setColumns(preview);
        updateEnabledOptions(preview.format);
        m_previewModel->setPreview(std::move(preview));
    } catch (const std::exception& e) {
        m_previewModel->clear();
        m_rawLines->clear();
        m_notes->setStyleSheet(QStringLiteral("color: #b00020;"));
        m_notes->setText(QString::fromStdString(e.what()).toHtmlEscaped());
        updateEnabledOptions(r.format);
    }
    // A preview problem does not block the import: the import itself lists every problem with its line.
    m_importButton->setEnabled(!isImporting());
    Q_EMIT previewRefreshed();
}

void ImportDialog::updateEnabledOptions(ImportFormat effective) {
    const bool csv = effective == ImportFormat::Csv || effective == ImportFormat::Auto;
    m_csvOptions->setEnabled(csv);
    m_csvOptions->setToolTip(csv ? QString() : tr("These options apply to the csv format only."));
    const bool titles = effective != ImportFormat::Csv && effective != ImportFormat::Matrix;
    m_titles->setEnabled(titles);
    m_titlesBrowse->setEnabled(titles);
    const bool randomTest = effective == ImportFormat::Matrix || effective == ImportFormat::Auto;
    m_randomTest->setEnabled(randomTest);
    m_randomTestBrowse->setEnabled(randomTest);
}

void ImportDialog::addFiles() {
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("import/lastDir"), QDir::homePath()).toString();
    const QStringList chosen =
        QFileDialog::getOpenFileNames(this, tr("Choose interaction files"), dir,
                                      tr("Interaction logs (*.data *.dat *.csv *.tsv *.txt "
                                         "*.ascii *.gz *.zst);;All files (*)"));
    if (chosen.isEmpty()) {
        return;
    }
    settings.setValue(QStringLiteral("import/lastDir"), QFileInfo(chosen.front()).absolutePath());
    setFiles(files() + chosen);
}

void ImportDialog::removeSelectedFiles() {
    qDeleteAll(m_files->selectedItems());
    schedulePreview();
}

void ImportDialog::browseInto(QLineEdit* edit, const QString& title) {
    const QString start = edit->text().isEmpty() && m_files->count() > 0
                              ? QFileInfo(m_files->item(0)->text()).absolutePath()
                              : edit->text();
    const QString path = QFileDialog::getOpenFileName(this, title, start);
    if (!path.isEmpty()) {
        edit->setText(path);
    }
}

void ImportDialog::startImport() {
    if (isImporting()) {
        return;
    }
    refreshPreview();
    const ImportRequest r = request();
    QString problem;
    if (r.files.empty()) {
        problem = tr("Add at least one file to import.");
    } else if (r.name.empty()) {
        problem = tr("Give the dataset a name.");
    } else if (m_existingNames.contains(QString::fromStdString(r.name))) {
        problem = tr("The workspace already has a dataset named '%1'; choose another name.")
                      .arg(QString::fromStdString(r.name));
    }
    if (!problem.isEmpty()) {
        m_jobs->report(kImportJob, problem);
        return;
    }
    auto* worker = new ImportWorker(m_workspacePath, r);
    m_jobs->on(worker, &Worker::progress,
               [this](qint64 done, qint64 total, const QString&) { onProgress(done, total); });
    m_jobs->on(worker, &ImportWorker::finished, [this](const ImportReport& report) { onImported(report); });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) { onFailed(message); });
    m_jobs->on(worker, &Worker::cancelled, [this] { onCancelled(); });
    m_closeWhenStopped = false;
    m_succeeded = false;
    setImporting(true);
    m_jobs->start(kImportJob, worker);  // the runner shows "Importing '…'…" and the job's stages
}

void ImportDialog::cancelImport() {
    if (isImporting()) {
        m_jobs->stop(kImportJob);  // the job stays current: "cancelled" is shown
        m_cancelButton->setEnabled(false);
    }
}

void ImportDialog::reject() {
    if (!isImporting()) {
        QDialog::reject();
        return;
    }
    auto* box =
        new QMessageBox(QMessageBox::Question, tr("Stop the import?"),
                        tr("The import is still running. Stop it? Nothing will be added to the workspace."),
                        QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes && isImporting()) {
            m_closeWhenStopped = true;
            cancelImport();
        }
    });
    box->open();
}

void ImportDialog::setImporting(bool importing) {
    m_form->setEnabled(!importing);
    m_importButton->setEnabled(!importing);
    m_cancelButton->setEnabled(true);
    m_cancelButton->setText(importing ? tr("Cancel import") : tr("Cancel"));
    m_progress->setVisible(importing);
    m_progress->setRange(0, 0);
}

void ImportDialog::onProgress(qint64 done, qint64 total) {
    showProgress(m_progress, done, total);
}

void ImportDialog::onImported(const ImportReport& report) {
    m_succeeded = true;
    m_jobs->report(kImportJob, tr("Imported %1 rows.").arg(formatCount(report.dataset.rows)));
    Q_EMIT imported(report);
}

void ImportDialog::onFailed(const QString& message) {
    const qsizetype split = message.indexOf(QStringLiteral("\n\n"));
    const QString summary = split < 0 ? message : message.left(split);
    m_jobs->report(kImportJob, tr("Import failed: nothing was added to the workspace."));
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Import failed"), summary, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("importErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (split >= 0) {
        QString list;
        for (const QString& line : message.mid(split + 2).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            list += QStringLiteral("<li>%1</li>").arg(line.toHtmlEscaped());
        }
        box->setTextFormat(Qt::PlainText);
        box->setInformativeText(
            tr("<p>Problems found:</p><ul style=\"margin-left: 12px; -qt-list-indent: 0;\">%1</ul>")
                .arg(list));
    }
    box->setStyleSheet(
        QStringLiteral("QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel { min-width: 520px; }"));
    box->open();
    Q_EMIT importFailed(message);
}

void ImportDialog::onCancelled() {
    m_jobs->report(kImportJob, tr("Import cancelled; the workspace is unchanged."));
    Q_EMIT importCancelled();
}

void ImportDialog::onStopped() {
    setImporting(false);
    Q_EMIT importStopped();
    if (m_succeeded) {
        accept();
    } else if (m_closeWhenStopped) {
        QDialog::reject();
    } else {
        refreshPreview();
    }
}

}  // namespace tiltbench
