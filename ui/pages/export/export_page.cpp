#include "pages/export/export_page.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
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
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QStringListModel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "export/snippets.h"
#include "jobs/job_runner.h"
#include "process/engine_process.h"
#include "shared/meta_types.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "widgets/dataset_combo.h"
#include "widgets/feedback.h"

namespace tiltbench {

namespace {
struct FormatEntry {
    const char* key;
    const char* label;
};
const FormatEntry kFormats[] = {
    {"torchscript", QT_TRANSLATE_NOOP("tiltbench", "TorchScript model (.pt): weights, item ids, metadata")},
    {"safetensors", QT_TRANSLATE_NOOP("tiltbench", "safetensors weights + config JSON")},
    {"topk-csv", QT_TRANSLATE_NOOP("tiltbench", "Top-k recommendations of every user (CSV)")},
};

QString fileSafe(const QString& name) {
    QString out = name;
    out.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("_"));
    return out.isEmpty() ? QStringLiteral("dataset") : out;
}

QPlainTextEdit* codeView(QWidget* parent, const QString& name) {
    auto* view = new QPlainTextEdit(parent);
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}
}  // namespace

ExportPage::ExportPage(QWidget* parent) : QWidget(parent), m_jobs(new JobRunner(this)) {
    registerMetaTypes();
    qRegisterMetaType<ExportOutcome>();
    qRegisterMetaType<RecommendOutcome>();
    setObjectName(QStringLiteral("exportPage"));

    auto* title = new QLabel(tr("<h2>Export</h2>"), this);
    auto* intro =
        new QLabel(tr("A finished run leaves Tiltbench as a TorchScript model that plain LibTorch or "
                      "PyTorch loads, its weights in safetensors with a config, or the top-k "
                      "recommendations of every user as CSV."),
                   this);
    intro->setWordWrap(true);

    // Run
    auto* runBox = new QGroupBox(tr("Run"), this);
    m_datasetCombo = new DatasetCombo(runBox);
    m_datasetCombo->setObjectName(QStringLiteral("exportDataset"));
    m_runCombo = new QComboBox(runBox);
    m_runCombo->setObjectName(QStringLiteral("exportRun"));
    m_runCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_runCombo->setMinimumContentsLength(40);
    auto* runForm = new QFormLayout(runBox);
    runForm->addRow(tr("Dataset"), m_datasetCombo);
    runForm->addRow(tr("Finished run"), m_runCombo);

    // Format and file
    auto* fileBox = new QGroupBox(tr("Format and file"), this);
    m_formatCombo = new QComboBox(fileBox);
    m_formatCombo->setObjectName(QStringLiteral("exportFormat"));
    m_kSpin = new QSpinBox(fileBox);
    m_kSpin->setObjectName(QStringLiteral("exportK"));
    m_kSpin->setRange(1, 1000);
    m_kSpin->setValue(10);
    m_kSpin->setToolTip(tr("Recommendations per user in the CSV (the user's history is never recommended)"));
    m_pathEdit = new QLineEdit(fileBox);
    m_pathEdit->setObjectName(QStringLiteral("exportPath"));
    m_browseButton = new QPushButton(tr("Browse…"), fileBox);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_pathEdit, 1);
    pathRow->addWidget(m_browseButton);
    m_exportButton = new QPushButton(tr("Export"), fileBox);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setDefault(true);
    m_cancelButton = new QPushButton(tr("Cancel"), fileBox);
    m_cancelButton->setObjectName(QStringLiteral("exportCancel"));
    m_progress = new QProgressBar(fileBox);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setVisible(false);
    m_status = new QLabel(fileBox);
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* actionRow = new QHBoxLayout;
    actionRow->addWidget(m_exportButton);
    actionRow->addWidget(m_cancelButton);
    actionRow->addWidget(m_progress, 1);
    auto* fileForm = new QFormLayout(fileBox);
    fileForm->addRow(tr("Format"), m_formatCombo);
    fileForm->addRow(tr("Top-k per user"), m_kSpin);
    fileForm->addRow(tr("File"), pathRow);
    fileForm->addRow(actionRow);
    fileForm->addRow(m_status);

    auto* top = new QHBoxLayout;
    top->addWidget(runBox, 1);
    top->addWidget(fileBox, 1);

    // Load it elsewhere
    auto* snippetBox = new QGroupBox(tr("Load it elsewhere (no Tiltbench code needed)"), this);
    m_snippetTitle = new QLabel(snippetBox);
    m_snippetTitle->setWordWrap(true);
    m_snippetTabs = new QTabWidget(snippetBox);
    m_python = codeView(m_snippetTabs, QStringLiteral("pythonSnippet"));
    m_cpp = codeView(m_snippetTabs, QStringLiteral("cppSnippet"));
    m_snippetTabs->addTab(m_python, tr("Python"));
    m_snippetTabs->addTab(m_cpp, tr("C++"));
    m_copyButton = new QPushButton(tr("Copy"), snippetBox);
    auto* snippetLayout = new QVBoxLayout(snippetBox);
    snippetLayout->addWidget(m_snippetTitle);
    snippetLayout->addWidget(m_snippetTabs, 1);
    snippetLayout->addWidget(m_copyButton, 0, Qt::AlignRight);

    // Preview
    auto* previewBox = new QGroupBox(tr("Top-%1 of a user, from the run").arg(kPreviewK), this);
    m_userEdit = new QLineEdit(previewBox);
    m_userEdit->setObjectName(QStringLiteral("previewUser"));
    m_userEdit->setPlaceholderText(tr("user id as in the source data"));
    m_userModel = new QStringListModel(this);
    auto* completer = new QCompleter(m_userModel, m_userEdit);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setModelSorting(QCompleter::UnsortedModel);
    m_userEdit->setCompleter(completer);
    m_previewButton = new QPushButton(tr("Show top-%1").arg(kPreviewK), previewBox);
    m_previewButton->setObjectName(QStringLiteral("previewButton"));
    auto* userRow = new QHBoxLayout;
    userRow->addWidget(new QLabel(tr("User"), previewBox));
    userRow->addWidget(m_userEdit, 1);
    userRow->addWidget(m_previewButton);
    m_previewTable = new QTableWidget(0, 4, previewBox);
    m_previewTable->setObjectName(QStringLiteral("previewTable"));
    m_previewTable->setHorizontalHeaderLabels({tr("Rank"), tr("Item"), tr("Title"), tr("Score")});
    m_previewTable->verticalHeader()->setVisible(false);
    m_previewTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_previewTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_previewTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    // A stretched column may not shrink below its header's text.
    m_previewTable->horizontalHeader()->setMinimumSectionSize(
        m_previewTable->horizontalHeader()->fontMetrics().horizontalAdvance(tr("Title")) + 24);
    m_previewStatus = new QLabel(previewBox);
    m_previewStatus->setWordWrap(true);
    auto* previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addLayout(userRow);
    previewLayout->addWidget(m_previewTable, 1);
    previewLayout->addWidget(m_previewStatus);

    auto* bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(snippetBox);
    bottom->addWidget(previewBox);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addLayout(top);
    layout->addWidget(bottom, 1);

    connect(m_datasetCombo, &QComboBox::currentIndexChanged, this, [this] { reloadRuns(); });
    connect(m_runCombo, &QComboBox::currentIndexChanged, this, [this] { onRunChanged(); });
    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, [this] { onFormatChanged(); });
    connect(m_kSpin, &QSpinBox::valueChanged, this, [this] {
        if (!m_pathEdited) {
            m_pathEdit->setText(defaultPath());
        }
        updateSnippets();
    });
    connect(m_pathEdit, &QLineEdit::textEdited, this, [this] {
        m_pathEdited = true;
        updateSnippets();
        updateButtons();
    });
    connect(m_browseButton, &QPushButton::clicked, this, &ExportPage::browse);
    connect(m_exportButton, &QPushButton::clicked, this, [this] { startExport(); });
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        m_jobs->stop(kExportJob);  // the job stays current: "Export cancelled" is shown
    });
    connect(m_copyButton, &QPushButton::clicked, this, [this] {
        const QPlainTextEdit* view = m_snippetTabs->currentIndex() == 0 ? m_python : m_cpp;
        QApplication::clipboard()->setText(view->toPlainText());
        Q_EMIT statusMessage(
            tr("Copied the %1 lines").arg(m_snippetTabs->tabText(m_snippetTabs->currentIndex())));
    });
    connect(m_previewButton, &QPushButton::clicked, this,
            [this] { startPreview(m_userEdit->text().trimmed()); });
    connect(m_userEdit, &QLineEdit::returnPressed, this,
            [this] { startPreview(m_userEdit->text().trimmed()); });
    // The status line is the export slot's (the preview has its own line under the table).
    connect(m_jobs, &JobRunner::statusChanged, this, [this](const QString& slot, const QString& text) {
        if (slot == kExportJob) {
            m_status->setText(text);
        }
    });
    connect(m_jobs, &JobRunner::idle, this, [this](const QString& slot) {
        if (slot == kExportJob) {
            m_progress->setVisible(false);
        }
        updateButtons();
        if (!isBusy()) {
            Q_EMIT jobsStopped();
        }
    });
    setWorkspace(nullptr);
}

void ExportPage::setWorkspace(Workspace* workspace) {
    cancelJobs();
    m_workspace = workspace;
    m_usersOfDataset = -1;
    m_hasExport = false;
    m_exampleHistory.clear();
    m_previewTable->setRowCount(0);
    m_previewStatus->clear();
    m_pathEdited = false;
    setStatus(QString());
    refresh();
}

void ExportPage::refresh() {
    m_datasetCombo->refill(m_workspace, [this](const QString& error) {
        setStatus(tr("Could not read the datasets: %1").arg(error));
    });
    reloadRuns();
}

void ExportPage::selectDataset(int64_t id) {
    m_datasetCombo->selectId(id);  // a change reloads the runs
}

int64_t ExportPage::selectedDatasetId() const {
    return m_datasetCombo->selectedId();
}

bool ExportPage::selectRun(qint64 runId) {
    if (m_workspace == nullptr) {
        return false;
    }
    try {
        const RunRecord record = RunStore(*m_workspace).run(runId);
        selectDataset(record.datasetId);
        if (selectedDatasetId() != record.datasetId) {
            refresh();
            selectDataset(record.datasetId);
        }
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()));
        return false;
    }
    reloadRuns();
    const int index = m_runCombo->findData(runId);
    if (index < 0) {
        setStatus(tr("Run %1 has not finished: only finished runs can be exported.").arg(runId));
        return false;
    }
    m_runCombo->setCurrentIndex(index);
    return true;
}

qint64 ExportPage::selectedRunId() const {
    return m_runCombo->currentIndex() >= 0 ? m_runCombo->currentData().toLongLong() : 0;
}

const CompareRun* ExportPage::currentRun() const {
    const qint64 id = selectedRunId();
    for (const CompareRun& run : m_runs) {
        if (run.id() == id) {
            return &run;
        }
    }
    return nullptr;
}

void ExportPage::reloadRuns() {
    const qint64 keep = selectedRunId();
    m_runs.clear();
    const int64_t dataset = selectedDatasetId();
    if (m_workspace != nullptr && dataset >= 0) {
        try {
            for (CompareRun& run : loadCompareRuns(*m_workspace, dataset)) {
                if (run.record.status == "done") {
                    m_runs.push_back(std::move(run));
                }
            }
        } catch (const std::exception& e) {
            setStatus(tr("Could not read the runs: %1").arg(QString::fromStdString(e.what())));
        }
    }
    std::reverse(m_runs.begin(), m_runs.end());  // newest first
    {
        const QSignalBlocker block(m_runCombo);
        m_runCombo->clear();
        for (const CompareRun& run : m_runs) {
            QString text = run.label();
            const RunMetric ndcg = run.metric(QStringLiteral("test"), "ndcg@10");
            if (std::isfinite(ndcg.value)) {
                text += tr(" · test NDCG@10 %1").arg(ndcg.value, 0, 'f', 4);
            }
            m_runCombo->addItem(text, run.id());
        }
        const int index = m_runCombo->findData(keep);
        m_runCombo->setCurrentIndex(index >= 0 ? index : (m_runCombo->count() > 0 ? 0 : -1));
    }
    // The hint belongs to the state that made it: gone as soon as the dataset has a finished run.
    const bool noRuns = m_runs.empty() && m_workspace != nullptr && dataset >= 0;
    if (noRuns) {
        setStatus(tr("This dataset has no finished run yet: train one on the Train page."));
    } else if (m_showsNoRunsHint) {
        setStatus({});
    }
    m_showsNoRunsHint = noRuns;
    onRunChanged();
}

void ExportPage::onRunChanged() {
    const CompareRun* run = currentRun();
    const QString keep = format();
    {
        const QSignalBlocker block(m_formatCombo);
        m_formatCombo->clear();
        if (run != nullptr) {
            for (const FormatEntry& f : kFormats) {
                if (run->isSasrec() || QString::fromLatin1(f.key) != QStringLiteral("torchscript")) {
                    m_formatCombo->addItem(qApp->translate("tiltbench", f.label), QString::fromLatin1(f.key));
                }
            }
        }
        const int index = m_formatCombo->findData(keep);
        m_formatCombo->setCurrentIndex(index >= 0 ? index : (m_formatCombo->count() > 0 ? 0 : -1));
    }
    if (run != nullptr && !run->isSasrec()) {
        m_formatCombo->setToolTip(
            tr("A closed-form policy has no network to trace: its score tables go out as "
               "safetensors, its recommendations as CSV."));
    } else {
        m_formatCombo->setToolTip(QString());
    }
    const int64_t dataset = selectedDatasetId();
    if (dataset != m_usersOfDataset) {
        loadUsers();
    }
    m_hasExport = false;
    onFormatChanged();
}

void ExportPage::loadUsers() {
    m_usersOfDataset = selectedDatasetId();
    QStringList users;
    if (m_workspace != nullptr && m_usersOfDataset >= 0) {
        try {
            for (const std::string& id : RunStore(*m_workspace).userExternalIds(m_usersOfDataset)) {
                users << QString::fromStdString(id);
            }
        } catch (const std::exception& e) {
            setStatus(tr("Could not read the users: %1").arg(QString::fromStdString(e.what())));
        }
    }
    m_userModel->setStringList(users);
    m_userEdit->setText(users.isEmpty() ? QString() : users.first());
    m_exampleHistory.clear();
    m_previewTable->setRowCount(0);
    m_previewStatus->setText(users.isEmpty() ? QString()
                                             : tr("%n user(s); type an id (it completes) and press Show.", "",
                                                  static_cast<int>(users.size())));
}

void ExportPage::onFormatChanged() {
    m_kSpin->setEnabled(format() == QStringLiteral("topk-csv"));
    if (!m_pathEdited || m_pathEdit->text().isEmpty()) {
        m_pathEdited = false;
        m_pathEdit->setText(defaultPath());
    } else {
        // Keep the user's folder and name, with this format's suffix.
        const QFileInfo info(m_pathEdit->text());
        QString base = info.completeBaseName();
        base.remove(QRegularExpression(QStringLiteral("(\\.config)?(-top[0-9]+)?$")));
        m_pathEdit->setText(QDir(info.path()).filePath(base + formatSuffix()));
    }
    m_hasExport = false;
    updateSnippets();
    updateButtons();
}

QStringList ExportPage::availableFormats() const {
    QStringList out;
    for (int i = 0; i < m_formatCombo->count(); ++i) {
        out << m_formatCombo->itemData(i).toString();
    }
    return out;
}

bool ExportPage::setFormat(const QString& format) {
    const int index = m_formatCombo->findData(format);
    if (index < 0) {
        return false;
    }
    m_formatCombo->setCurrentIndex(index);
    return true;
}

QString ExportPage::format() const {
    return m_formatCombo->currentIndex() >= 0 ? m_formatCombo->currentData().toString() : QString();
}

void ExportPage::setOutputPath(const QString& path) {
    m_pathEdit->setText(path);
    m_pathEdited = true;
    updateSnippets();
    updateButtons();
}

QString ExportPage::outputPath() const {
    return m_pathEdit->text().trimmed();
}

void ExportPage::setK(int k) {
    m_kSpin->setValue(k);
}

QString ExportPage::formatSuffix() const {
    const QString f = format();
    if (f == QStringLiteral("torchscript")) {
        return QStringLiteral(".pt");
    }
    if (f == QStringLiteral("safetensors")) {
        return QStringLiteral(".safetensors");
    }
    return QStringLiteral("-top%1.csv").arg(m_kSpin->value());
}

QString ExportPage::defaultPath() const {
    const CompareRun* run = currentRun();
    if (m_workspace == nullptr || run == nullptr) {
        return QString();
    }
    const QFileInfo workspace(QString::fromStdString(m_workspace->path()));
    const QString dataset = fileSafe(m_datasetCombo->currentText());
    return workspace.absoluteDir().filePath(
        QStringLiteral("%1-run%2%3").arg(dataset).arg(run->id()).arg(formatSuffix()));
}

void ExportPage::browse() {
    const QString f = format();
    const QString filter = f == QStringLiteral("torchscript")   ? tr("TorchScript (*.pt)")
                           : f == QStringLiteral("safetensors") ? tr("safetensors (*.safetensors)")
                                                                : tr("CSV (*.csv)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), outputPath(), filter);
    if (!path.isEmpty()) {
        setOutputPath(path);
    }
}

bool ExportPage::isBusy() const {
    return m_jobs->isBusy();
}

void ExportPage::cancelJobs() {
    m_jobs->cancelAll();
}

void ExportPage::updateButtons() {
    const bool ready = m_workspace != nullptr && currentRun() != nullptr;
    const bool exporting = m_jobs->isRunning(kExportJob);
    m_exportButton->setEnabled(ready && !exporting && !outputPath().isEmpty());
    m_cancelButton->setEnabled(exporting);
    m_datasetCombo->setEnabled(!exporting);
    m_runCombo->setEnabled(!exporting);
    m_formatCombo->setEnabled(!exporting);
    m_pathEdit->setEnabled(!exporting);
    m_browseButton->setEnabled(!exporting);
    m_previewButton->setEnabled(ready && !m_jobs->isRunning(kPreviewJob));
}

void ExportPage::setStatus(const QString& text) {
    m_jobs->report(kExportJob, text);  // the job runner owns the status line
    if (!text.isEmpty()) {
        Q_EMIT statusMessage(text);
    }
}

void ExportPage::showError(const QString& title, const QString& text, const QString& details) {
    openWarning(this, QStringLiteral("exportErrorBox"), title, text, details);
}

}  // namespace tiltbench
