// ExportPage's snippets and its two jobs: the export itself and the recommendation preview (a child
// tiltbench-cli each).
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

namespace tiltbench {

namespace {
bool allIntegers(const QStringList& ids) {
    static const QRegularExpression integer(QStringLiteral("^-?[0-9]{1,18}$"));
    return std::all_of(ids.begin(), ids.end(),
                       [](const QString& id) { return integer.match(id).hasMatch(); });
}
}  // namespace

void ExportPage::updateSnippets() {
    const QString f = format();
    if (f.isEmpty()) {
        m_snippetTitle->setText(tr("Choose a finished run to see how to load its export."));
        m_python->clear();
        m_cpp->clear();
        return;
    }
    QString path = outputPath();
    QString config;
    if (m_hasExport && !m_lastExport.files.isEmpty()) {
        path = m_lastExport.files.first();
        for (const QString& file : m_lastExport.files) {
            if (file.endsWith(QStringLiteral(".json"))) {
                config = file;
            }
        }
    } else if (f == QStringLiteral("safetensors")) {
        const QFileInfo info(path);
        config = QDir(info.path()).filePath(info.completeBaseName() + QStringLiteral(".config.json"));
    }
    std::vector<std::string> history;
    for (const QString& id : m_exampleHistory) {
        history.push_back(id.toStdString());
    }
    try {
        const LoadSnippets s =
            loadSnippets(f.toStdString(), path.toStdString(), config.toStdString(), history,
                         m_exampleHistory.isEmpty() || allIntegers(m_exampleHistory), kPreviewK);
        m_python->setPlainText(QString::fromStdString(s.python));
        m_cpp->setPlainText(QString::fromStdString(s.cpp));
    } catch (const std::exception& e) {
        m_python->setPlainText(QString::fromStdString(e.what()));
        m_cpp->clear();
    }
    QString title = m_hasExport
                        ? tr("Written: %1.").arg(QDir::toNativeSeparators(path))
                        : tr("After the export, these lines load %1.").arg(QDir::toNativeSeparators(path));
    if (!m_exampleHistory.isEmpty() && f == QStringLiteral("torchscript")) {
        title += tr(" The call uses user %1's newest items as the history.").arg(m_userEdit->text());
    }
    m_snippetTitle->setText(title);
}

bool ExportPage::startExport(bool replaceExisting) {
    const CompareRun* run = currentRun();
    if (m_workspace == nullptr || run == nullptr) {
        showError(tr("Nothing to export"), tr("Choose a finished run first."), QString());
        return false;
    }
    if (m_jobs->isRunning(kExportJob)) {
        return false;
    }
    const QString path = outputPath();
    if (path.isEmpty()) {
        showError(tr("No file chosen"), tr("Choose the file to export to."), QString());
        return false;
    }
    const QFileInfo info(path);
    if (!info.absoluteDir().exists()) {
        showError(tr("Folder not found"),
                  tr("The folder %1 does not exist.").arg(QDir::toNativeSeparators(info.absolutePath())),
                  QString());
        return false;
    }
    if (info.exists() && !replaceExisting) {
        // Asked without blocking: the export starts from the answer.
        auto* box = new QMessageBox(
            QMessageBox::Question, tr("Replace file"),
            tr("%1 exists. Replace it?").arg(QDir::toNativeSeparators(info.absoluteFilePath())),
            QMessageBox::Yes | QMessageBox::Cancel, this);
        box->setObjectName(QStringLiteral("exportReplaceBox"));
        box->setDefaultButton(QMessageBox::Cancel);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this](int result) {
            if (result == QMessageBox::Yes) {
                startExport(true);
            }
        });
        box->open();
        return false;
    }
    ExportRequestUi request;
    request.cliPath = EngineProcess::locateCli();
    if (request.cliPath.isEmpty()) {
        showError(tr("tiltbench-cli not found"), tr("Exports run in tiltbench-cli."),
                  EngineProcess::cliNotFoundMessage());
        return false;
    }
    request.workspacePath = QString::fromStdString(m_workspace->path());
    request.runId = run->id();
    request.format = format();
    request.outPath = info.absoluteFilePath();
    request.k = m_kSpin->value();
    auto* worker = new ExportWorker(request);
    m_jobs->on(worker, &Worker::progress, [this](qint64 done, qint64 total, const QString& stage) {
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0) {
            m_progress->setValue(
                static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)));
        }
    });
    m_jobs->on(worker, &ExportWorker::finished, [this](const ExportOutcome& outcome) {
        m_lastExport = outcome;
        m_hasExport = true;
        QString text = tr("Exported run %1 in %2 s: %3")
                           .arg(outcome.request.runId)
                           .arg(outcome.seconds, 0, 'f', 2)
                           .arg(outcome.files.join(QStringLiteral(", ")));
        if (outcome.request.format == QStringLiteral("topk-csv")) {
            text += tr(" (%1 rows, %2 users)").arg(outcome.rows).arg(outcome.users);
        }
        setStatus(text);
        updateSnippets();
        Q_EMIT exportFinished(outcome);
    });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        setStatus(tr("Export failed: %1").arg(message));
        showError(tr("Export failed"), tr("The run could not be exported."), message);
        Q_EMIT exportFailed(message);
    });
    m_jobs->on(worker, &Worker::cancelled,
               [this] { setStatus(tr("Export cancelled; no file was written.")); });
    m_hasExport = false;
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_jobs->start(kExportJob, worker);  // the runner shows "Exporting run 3 as …" and the job's stages
    updateButtons();
    return true;
}

bool ExportPage::startPreview(const QString& user) {
    const CompareRun* run = currentRun();
    if (m_workspace == nullptr || run == nullptr || user.isEmpty() || m_jobs->isRunning(kPreviewJob)) {
        if (user.isEmpty()) {
            m_previewStatus->setText(tr("Type a user id first."));
        }
        return false;
    }
    const QString cli = EngineProcess::locateCli();
    if (cli.isEmpty()) {
        m_previewStatus->setText(EngineProcess::cliNotFoundMessage());
        return false;
    }
    auto* worker =
        new RecommendWorker(cli, QString::fromStdString(m_workspace->path()), run->id(), user, kPreviewK);
    m_jobs->on(worker, &RecommendWorker::finished, [this](const RecommendOutcome& outcome) {
        showPreview(outcome);
        Q_EMIT previewFinished(outcome);
    });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        m_previewTable->setRowCount(0);
        m_previewStatus->setText(tr("No preview: %1").arg(message));
        Q_EMIT previewFailed(message);
    });
    m_previewStatus->setText(tr("Scoring user %1 with run %2…").arg(user).arg(run->id()));
    m_jobs->start(kPreviewJob, worker);
    updateButtons();
    return true;
}

void ExportPage::showPreview(const RecommendOutcome& outcome) {
    m_previewTable->setRowCount(static_cast<int>(outcome.rows.size()));
    for (int r = 0; r < outcome.rows.size(); ++r) {
        const RecommendationRow& row = outcome.rows[r];
        const auto cell = [](const QString& text, bool number) {
            auto* item = new QTableWidgetItem(text);
            if (number) {
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            }
            return item;
        };
        m_previewTable->setItem(r, 0, cell(QString::number(row.rank), true));
        m_previewTable->setItem(r, 1, cell(row.item, false));
        m_previewTable->setItem(r, 2, cell(row.title, false));
        m_previewTable->setItem(r, 3, cell(QString::number(row.score, 'f', 4), true));
    }
    m_previewTable->resizeColumnToContents(0);
    m_previewTable->resizeColumnToContents(1);
    m_previewTable->resizeColumnToContents(3);
    m_previewStatus->setText(
        tr("Run %1, user %2: the next items after the user's whole history (items in the "
           "history are never recommended).")
            .arg(outcome.runId)
            .arg(outcome.user));
    m_exampleHistory = outcome.history.mid(std::max<qsizetype>(0, outcome.history.size() - 5));
    updateSnippets();
}

}  // namespace tiltbench
