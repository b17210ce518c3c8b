#include "pages/data/data_page.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "jobs/job_runner.h"
#include "pages/data/dataset_list_model.h"
#include "pages/data/dataset_load_worker.h"
#include "pages/data/dataset_plots.h"
#include "pages/data/dataset_summary_panel.h"
#include "pages/data/generate_dialog.h"
#include "pages/data/generate_worker.h"
#include "pages/data/import_dialog.h"
#include "pages/data/remove_dataset_worker.h"
#include "shared/formatting.h"
#include "store/workspace.h"
#include "widgets/feedback.h"
#include "widgets/row_table.h"

namespace tiltbench {

DataPage::DataPage(QWidget* parent)
    : QWidget(parent),
      m_model(new DatasetListModel(this)),
      m_proxy(sortingProxy(m_model, DatasetListModel::SortRole, this)),
      m_view(new QTableView(this)),
      m_summary(new DatasetSummaryPanel(this)),
      m_plots(new DatasetPlots(this)),
      m_splitter(new QSplitter(Qt::Vertical, this)),
      m_detailSplitter(new QSplitter(Qt::Horizontal, this)),
      m_importButton(new QPushButton(tr("Import…"), this)),
      m_generateButton(new QPushButton(tr("Generate demo…"), this)),
      m_deleteButton(new QPushButton(tr("Delete"), this)),
      m_jobProgress(new QProgressBar(this)),
      m_jobLabel(new QLabel(this)),
      m_jobCancel(new QPushButton(tr("Cancel"), this)),
      m_jobs(new JobRunner(this)) {
    setObjectName(QStringLiteral("dataPage"));
    m_importButton->setToolTip(
        tr("Import interaction logs (MovieLens, CSV, rating matrix) into this workspace"));
    m_generateButton->setToolTip(tr("Generate a simulated dataset whose true rewards are known"));
    m_deleteButton->setToolTip(tr("Delete the selected dataset from the workspace"));
    connect(m_importButton, &QPushButton::clicked, this, &DataPage::showImportDialog);
    connect(m_generateButton, &QPushButton::clicked, this, &DataPage::showGenerateDialog);
    connect(m_deleteButton, &QPushButton::clicked, this, &DataPage::deleteSelected);

    m_jobProgress->setMaximumWidth(220);
    m_jobProgress->setTextVisible(false);
    m_jobLabel->setObjectName(QStringLiteral("jobLabel"));
    m_jobLabel->setTextFormat(Qt::PlainText);
    connect(m_jobCancel, &QPushButton::clicked, this, [this] {
        m_jobs->stop(kWriteJob);  // the job stays current: its "cancelled" message is shown
    });
    // The write job's status text and progress, as the job runner reports them.
    connect(m_jobs, &JobRunner::statusChanged, this, [this](const QString& slot, const QString& text) {
        if (slot == kWriteJob) {
            m_jobLabel->setText(text);
        }
    });
    connect(m_jobs, &JobRunner::progress, this,
            [this](const QString& slot, qint64 done, qint64 total, const QString&) {
                if (slot == kWriteJob) {
                    onWriteProgress(done, total);
                }
            });
    for (QWidget* w : {static_cast<QWidget*>(m_jobProgress), static_cast<QWidget*>(m_jobLabel),
                       static_cast<QWidget*>(m_jobCancel)}) {
        w->setVisible(false);
    }

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_importButton);
    toolbar->addWidget(m_generateButton);
    toolbar->addWidget(m_deleteButton);
    toolbar->addStretch();
    toolbar->addWidget(m_jobLabel);
    toolbar->addWidget(m_jobProgress);
    toolbar->addWidget(m_jobCancel);

    m_view->setObjectName(QStringLiteral("datasetView"));
    m_view->setModel(m_proxy);
    styleRowTable(m_view, QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setSectionResizeMode(DatasetListModel::Name, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DataPage::onSelectionChanged);

    m_splitter->setObjectName(QStringLiteral("dataSplitter"));
    m_detailSplitter->setObjectName(QStringLiteral("detailSplitter"));
    m_detailSplitter->addWidget(m_summary);
    m_detailSplitter->addWidget(m_plots);
    m_detailSplitter->setStretchFactor(0, 0);
    m_detailSplitter->setStretchFactor(1, 1);
    m_detailSplitter->setSizes({360, 880});
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_detailSplitter);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({170, 500});
    m_splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(toolbar);
    layout->addWidget(m_splitter, 1);

    connect(m_jobs, &JobRunner::idle, this, [this](const QString& slot) {
        if (slot == kWriteJob) {
            onWriteStopped();
        } else if (!isBusy()) {
            Q_EMIT jobsStopped();
        }
    });
    updateButtons();
}

void DataPage::setWorkspace(Workspace* workspace) {
    m_workspace = workspace;
    m_jobs->cancel(kLoadJob);  // a load still running for the previous workspace must not show up here
    m_shownId = m_wantedId = m_loadingId = m_selectAfterRefresh = -1;
    refresh();
}

void DataPage::refresh() {
    const int64_t keep = m_selectAfterRefresh >= 0 ? m_selectAfterRefresh : selectedDatasetId();
    m_selectAfterRefresh = -1;
    try {
        m_model->setData(m_workspace ? m_workspace->datasets() : std::vector<DatasetInfo>{});
    } catch (const std::exception& e) {
        m_model->clear();
        showError(tr("Cannot list datasets"), QString::fromStdString(e.what()));
    }
    m_view->resizeColumnsToContents();
    if (m_model->rowCount() == 0) {
        m_wantedId = -1;
        m_shownId = -1;
        const QString message = m_workspace
                                    ? tr("This workspace has no datasets yet.\nImport a file or generate "
                                         "the demo dataset.")
                                    : tr("No workspace is open.");
        m_summary->showMessage(message);
        m_plots->showMessage(m_workspace ? tr("No dataset") : QString());
    } else {
        selectDataset(m_model->rowOfId(keep) >= 0 ? keep : m_model->datasetAt(0)->id);
    }
    updateButtons();
}

bool DataPage::isBusy() const {
    return m_jobs->isBusy() || (m_importDialog && m_importDialog->isImporting());
}

bool DataPage::hasWriteJob() const {
    return m_jobs->isRunning(kWriteJob) || (m_importDialog && m_importDialog->isImporting());
}

QString DataPage::busyDescription() const {
    if (m_importDialog && m_importDialog->isImporting()) {
        return tr("An import");
    }
    if (m_jobs->isRunning(kWriteJob)) {
        return m_jobs->description(kWriteJob);
    }
    return m_jobs->isRunning(kLoadJob) ? m_jobs->description(kLoadJob) : QString();
}

void DataPage::cancelJobs() {
    m_jobs->cancelAll();
    if (m_importDialog) {
        m_importDialog->cancelImport();
    }
    m_wantedId = -1;
}

void DataPage::selectDataset(int64_t id) {
    const int row = m_model->rowOfId(id);
    if (row < 0) {
        return;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
    onSelectionChanged();  // a reset model may reselect the same row without a selection signal
}

int64_t DataPage::selectedDatasetId() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        return -1;
    }
    return rows.front().data(DatasetListModel::DatasetIdRole).toLongLong();
}

void DataPage::onSelectionChanged() {
    updateButtons();
    const int64_t id = selectedDatasetId();
    const bool loadingIt = m_jobs->isActive(kLoadJob) && m_loadingId == id;
    if (id == m_wantedId && (id == m_shownId || loadingIt)) {
        return;
    }
    m_wantedId = id;
    if (id < 0) {
        m_shownId = -1;
        m_summary->showMessage(tr("Select a dataset to see its summary."));
        m_plots->showMessage(tr("Select a dataset"));
        return;
    }
    if (id == m_shownId) {
        return;
    }
    if (!loadingIt) {
        startLoad(id);  // a load of another dataset still running is cancelled; this one follows it
    }
}

void DataPage::startLoad(int64_t id) {
    if (!m_workspace) {
        return;
    }
    const int row = m_model->rowOfId(id);
    const QString name =
        row >= 0 ? QString::fromStdString(m_model->datasetAt(row)->name) : QString::number(id);
    m_loadingId = id;
    m_summary->showMessage(tr("Loading '%1'…").arg(name));
    m_plots->showMessage(tr("Loading…"));
    auto* worker = new DatasetLoadWorker(QString::fromStdString(m_workspace->path()), id);
    m_jobs->on(worker, &Worker::progress, [this, name](qint64 done, qint64 total, const QString& stage) {
        const QString amount = total > 0
                                   ? formatPercent(static_cast<double>(done) / static_cast<double>(total), 0)
                                   : (done > 0 ? formatCount(done) : QString());
        m_summary->showMessage(tr("Loading '%1'…\n%2 %3").arg(name, stage, amount));
    });
    m_jobs->on(worker, &DatasetLoadWorker::finished,
               [this](const LoadedDataset& result) { onLoaded(result); });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) { onLoadFailed(message); });
    m_jobs->start(kLoadJob, worker);
}

void DataPage::onLoaded(const LoadedDataset& result) {
    if (result.info.id != m_wantedId) {
        return;  // the selection moved on while this was loading
    }
    m_shownId = result.info.id;
    m_summary->showDataset(result);
    m_plots->showDataset(result);
    Q_EMIT datasetShown(static_cast<qint64>(m_shownId));
}

void DataPage::onLoadFailed(const QString& message) {
    if (m_loadingId != m_wantedId) {
        return;
    }
    m_shownId = -1;
    m_summary->showMessage(tr("Could not load this dataset:\n%1").arg(message));
    m_plots->showMessage(tr("No data"));
}

ImportDialog* DataPage::importDialog() const {
    return m_importDialog;
}

ImportDialog* DataPage::showImportDialog() {
    if (!m_workspace || m_jobs->isRunning(kWriteJob)) {
        return nullptr;
    }
    if (m_importDialog) {
        m_importDialog->raise();
        m_importDialog->activateWindow();
        return m_importDialog;
    }
    m_importDialog = new ImportDialog(QString::fromStdString(m_workspace->path()), datasetNames(), this);
    m_importDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_importDialog, &ImportDialog::imported, this, &DataPage::onImported);
    auto emitIfIdle = [this] {
        if (!isBusy()) {
            Q_EMIT jobsStopped();
        }
    };
    connect(m_importDialog, &ImportDialog::importStopped, this, emitIfIdle);
    connect(m_importDialog, &QDialog::finished, this, emitIfIdle);
    m_importDialog->open();
    return m_importDialog;
}

void DataPage::onImported(const ImportReport& report) {
    m_selectAfterRefresh = report.dataset.id;
    refresh();
    Q_EMIT datasetsChanged();

    const DatasetInfo& d = report.dataset;
    QStringList lines;
    lines << tr("%1 rows, %2 users, %3 items, reward %4.")
                 .arg(formatCount(d.rows), formatCount(d.users), formatCount(d.items),
                      formatRange(d.rewardMin, d.rewardMax));
    lines << tr("Read %1 data rows in %2 s (format %3).")
                 .arg(formatCount(report.rowsRead), formatReal(report.seconds, 3),
                      QString::fromStdString(formatName(report.format)));
    if (report.rowsSkipped > 0) {
        QStringList kinds;
        for (const auto& [kind, count] : report.skippedByKind) {
            kinds << QStringLiteral("%1 %2").arg(formatCount(count), QString::fromStdString(kind));
        }
        lines << tr("Skipped %1 bad rows (%2).")
                     .arg(formatCount(report.rowsSkipped), kinds.join(QStringLiteral(", ")));
    }
    if (report.duplicates > 0) {
        lines << tr("%1 rows repeat an earlier (user, item, time).").arg(formatCount(report.duplicates));
    }
    for (const std::string& warning : report.warnings) {
        lines << QString::fromStdString(warning);
    }
    openMessageBox(this, QMessageBox::Information, QStringLiteral("importReportBox"), tr("Import finished"),
                   tr("Imported '%1'.").arg(QString::fromStdString(d.name)), lines.join(QLatin1Char('\n')));
    Q_EMIT statusMessage(
        tr("Imported '%1': %2 rows").arg(QString::fromStdString(d.name), formatCount(d.rows)));
}

void DataPage::showGenerateDialog() {
    if (!m_workspace || hasWriteJob()) {
        return;
    }
    auto* dialog = new GenerateDialog(datasetNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { startGenerate(dialog->datasetName(), dialog->config()); });
    dialog->open();
}

void DataPage::startGenerate(const QString& name, const SimulatorConfig& config) {
    if (!m_workspace || hasWriteJob()) {
        Q_EMIT statusMessage(tr("Another job is still running; try again when it has finished."));
        return;
    }
    auto* worker =
        new GenerateWorker(QString::fromStdString(m_workspace->path()), name.toStdString(), config);
    m_jobs->on(worker, &GenerateWorker::finished, [this](const DatasetInfo& info) {
        m_selectAfterRefresh = info.id;
        Q_EMIT statusMessage(
            tr("Generated '%1': %2 rows").arg(QString::fromStdString(info.name), formatCount(info.rows)));
    });
    m_jobs->on(worker, &Worker::failed,
               [this](const QString& message) { showError(tr("Could not generate the dataset"), message); });
    m_jobs->on(worker, &Worker::cancelled,
               [this] { Q_EMIT statusMessage(tr("Generation cancelled; the workspace is unchanged.")); });
    m_jobs->start(kWriteJob, worker);
    m_jobProgress->setRange(0, 0);
    for (QWidget* w : {static_cast<QWidget*>(m_jobProgress), static_cast<QWidget*>(m_jobLabel),
                       static_cast<QWidget*>(m_jobCancel)}) {
        w->setVisible(true);
    }
    updateButtons();
}

void DataPage::deleteSelected() {
    const int row = m_model->rowOfId(selectedDatasetId());
    if (!m_workspace || row < 0 || hasWriteJob()) {
        return;
    }
    const DatasetInfo d = *m_model->datasetAt(row);
    const QString name = QString::fromStdString(d.name);
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("Delete dataset"),
        tr("Delete '%1' (%2 rows) from the workspace? This cannot be undone.").arg(name, formatCount(d.rows)),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, id = d.id, name](int result) {
        if (result == QMessageBox::Yes) {
            startRemove(id, name);
        }
    });
    box->open();
}

void DataPage::startRemove(int64_t id, const QString& name) {
    if (!m_workspace || hasWriteJob()) {
        return;
    }
    if (m_loadingId == id) {
        m_jobs->cancel(kLoadJob);
    }
    auto* worker = new RemoveDatasetWorker(QString::fromStdString(m_workspace->path()), id, name);
    m_jobs->on(worker, &RemoveDatasetWorker::finished,
               [this, name] { Q_EMIT statusMessage(tr("Deleted '%1'").arg(name)); });
    m_jobs->on(worker, &Worker::failed,
               [this](const QString& message) { showError(tr("Could not delete the dataset"), message); });
    m_jobs->start(kWriteJob, worker);
    m_jobProgress->setRange(0, 0);
    m_jobProgress->setVisible(true);
    m_jobLabel->setVisible(true);
    updateButtons();
}

void DataPage::onWriteProgress(qint64 done, qint64 total) {
    showProgress(m_jobProgress, done, total);
}

void DataPage::onWriteStopped() {
    for (QWidget* w : {static_cast<QWidget*>(m_jobProgress), static_cast<QWidget*>(m_jobLabel),
                       static_cast<QWidget*>(m_jobCancel)}) {
        w->setVisible(false);
    }
    if (m_workspace) {
        refresh();
        Q_EMIT datasetsChanged();
    }
    updateButtons();
    if (!isBusy()) {
        Q_EMIT jobsStopped();
    }
}

void DataPage::showError(const QString& title, const QString& message) {
    openWarning(this, QStringLiteral("dataErrorBox"), title, message);
}

void DataPage::updateButtons() {
    const bool open = m_workspace != nullptr;
    const bool writing = m_jobs->isRunning(kWriteJob);
    m_importButton->setEnabled(open && !writing);
    m_generateButton->setEnabled(open && !writing);
    m_deleteButton->setEnabled(open && !writing && selectedDatasetId() >= 0);
}

QStringList DataPage::datasetNames() const {
    QStringList names;
    for (const DatasetInfo& d : m_model->datasets()) {
        names << QString::fromStdString(d.name);
    }
    return names;
}

void DataPage::saveSettings(QSettings& settings) const {
    settings.setValue(QStringLiteral("dataPage/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("dataPage/detailSplitter"), m_detailSplitter->saveState());
}

void DataPage::restoreSettings(const QSettings& settings) {
    m_splitter->restoreState(settings.value(QStringLiteral("dataPage/splitter")).toByteArray());
    m_detailSplitter->restoreState(settings.value(QStringLiteral("dataPage/detailSplitter")).toByteArray());
}

}  // namespace tiltbench
