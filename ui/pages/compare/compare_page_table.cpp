// ComparePage's runs table: which columns show, the header and row menus, CSV export, and the saved settings.
#include "pages/compare/compare_page.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QShowEvent>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "jobs/job_handle.h"
#include "jobs/job_runner.h"
#include "pages/compare/compare_plots.h"
#include "pages/compare/compare_workers.h"
#include "pages/compare/run_detail_panel.h"
#include "pages/compare/run_table_model.h"
#include "process/engine_process.h"
#include "shared/csv_export.h"
#include "shared/formatting.h"
#include "store/workspace.h"
#include "widgets/dataset_combo.h"
#include "widgets/feedback.h"

namespace tiltbench {

namespace {
bool hiddenByDefault(const QString& key) {
    return key.endsWith(QStringLiteral("@20")) || key.startsWith(QStringLiteral("mrr"));
}
}  // namespace

void ComparePage::setColumnHidden(const QString& key, bool hidden) {
    if (!m_hiddenColumnsSet) {
        // The first explicit choice starts from what the defaults showed.
        for (int c = 0; c < m_model->columnCount(); ++c) {
            if (m_view->isColumnHidden(c)) {
                m_hiddenColumns.insert(m_model->columnKey(c));
            }
        }
        m_hiddenColumnsSet = true;
    }
    if (hidden) {
        m_hiddenColumns.insert(key);
    } else {
        m_hiddenColumns.remove(key);
    }
    applyColumnVisibility();
}

bool ComparePage::isColumnHidden(const QString& key) const {
    const int column = m_model->columnOfKey(key);
    return column >= 0 && m_view->isColumnHidden(column);
}

void ComparePage::applyColumnVisibility() {
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const QString key = m_model->columnKey(c);
        m_view->setColumnHidden(c, m_hiddenColumnsSet ? m_hiddenColumns.contains(key) : hiddenByDefault(key));
    }
    const int sortColumn = m_model->columnOfKey(m_sortKey);
    if (sortColumn >= 0) {
        m_view->sortByColumn(sortColumn, m_sortOrder);
    }
    m_view->resizeColumnsToContents();
}

void ComparePage::showHeaderMenu(const QPoint& pos) {
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const QString key = m_model->columnKey(c);
        if (c == RunTableModel::RunColumn) {
            continue;  // the row's identity stays visible
        }
        QAction* a = menu->addAction(m_model->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!m_view->isColumnHidden(c));
        connect(a, &QAction::toggled, this, [this, key](bool on) { setColumnHidden(key, !on); });
    }
    menu->addSeparator();
    menu->addAction(tr("Default columns"), this, [this] {
        m_hiddenColumns.clear();
        m_hiddenColumnsSet = false;
        applyColumnVisibility();
    });
    menu->popup(m_view->horizontalHeader()->mapToGlobal(pos));
}

void ComparePage::showRowMenu(const QPoint& pos) {
    const QModelIndex index = m_view->indexAt(pos);
    const CompareRun* run =
        index.isValid() ? m_model->runById(index.data(RunTableModel::RunIdRole).toLongLong()) : nullptr;
    if (!run) {
        return;
    }
    const qint64 id = run->id();
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Pin run %1 as baseline").arg(id), this, [this, id] { pinBaseline(id); });
    QAction* resume = menu->addAction(tr("Resume training of run %1").arg(id), this,
                                      [this, id] { Q_EMIT resumeRequested(id); });
    const std::string& status = run->record.status;
    resume->setEnabled(run->isSasrec() && run->epochsRun > 0 &&
                       (status == "cancelled" || status == "interrupted" || status == "failed"));
    QAction* exportRun =
        menu->addAction(tr("Export run %1…").arg(id), this, [this, id] { Q_EMIT exportRequested(id); });
    exportRun->setEnabled(status == "done");
    menu->addSeparator();
    menu->addAction(tr("Export per-user metrics of the selected runs…"), this,
                    &ComparePage::exportPerUserWithDialog);
    menu->popup(m_view->viewport()->mapToGlobal(pos));
}

bool ComparePage::exportTableCsv(const QString& path, QString* error) const {
    return writeViewCsv(m_view, path, error);
}

bool ComparePage::exportPerUserCsv(const QString& path, QString* error) const {
    QList<qint64> ids = selectedRunIds();
    if (ids.isEmpty() && currentRunId()) {
        ids << currentRunId();
    }
    if (!m_workspace || ids.isEmpty()) {
        if (error) {
            *error = tr("Select the runs whose per-user metrics to export.");
        }
        return false;
    }
    return writePerUserCsv(*m_workspace, selectedDatasetId(), ids, path, error);
}

void ComparePage::exportCsvWithDialog(const QString& title, const QString& fileName, const QString& failure,
                                      const std::function<bool(const QString&, QString*)>& write) {
    QString path =
        QFileDialog::getSaveFileName(this, title, QDir::home().filePath(fileName), tr("CSV files (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".csv");
    }
    QString error;
    if (!write(path, &error)) {
        showError(tr("Export"), failure, error);
    } else {
        setStatus(tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
    }
}

void ComparePage::exportTableWithDialog() {
    exportCsvWithDialog(tr("Export runs table"), QStringLiteral("runs.csv"),
                        tr("Could not export the table."),
                        [this](const QString& path, QString* error) { return exportTableCsv(path, error); });
}

void ComparePage::exportPerUserWithDialog() {
    exportCsvWithDialog(
        tr("Export per-user metrics"), QStringLiteral("per-user-metrics.csv"),
        tr("Could not export the per-user metrics."),
        [this](const QString& path, QString* error) { return exportPerUserCsv(path, error); });
}

bool ComparePage::saveReport(const QString& path) {
    if (!m_workspace || selectedDatasetId() < 0 || path.isEmpty()) {
        return false;
    }
    auto* worker =
        new ReportWorker(QString::fromStdString(m_workspace->path()), m_datasetCombo->currentText(), path);
    m_jobs->on(worker, &ReportWorker::finished, [this](const QString& written, qint64 bytes) {
        m_jobs->report(
            QStringLiteral("report"),
            tr("Wrote the report %1 (%2 KB)").arg(QDir::toNativeSeparators(written)).arg(bytes / 1024));
        Q_EMIT reportSaved(written);
    });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        m_jobs->report(QStringLiteral("report"), tr("No report written"));
        showError(tr("Report"), tr("Could not write the report."), message);
        Q_EMIT reportFailed(message);
    });
    m_jobs->start(QStringLiteral("report"), worker);
    return true;
}

void ComparePage::saveReportWithDialog() {
    if (!m_workspace || selectedDatasetId() < 0) {
        return;
    }
    QString path = QFileDialog::getSaveFileName(
        this, tr("Save HTML report"),
        QDir::home().filePath(m_datasetCombo->currentText() + QStringLiteral("-report.html")),
        tr("HTML files (*.html)"));
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".html");
    }
    saveReport(path);
}

void ComparePage::setStatus(const QString& text) {
    m_jobs->report(QStringLiteral("page"), text);  // a message of the page's own, no job behind it
}

void ComparePage::showStatus(const QString& text) {
    m_status->setText(text);
    if (!text.isEmpty()) {
        Q_EMIT statusMessage(text);
    }
}

void ComparePage::showError(const QString& title, const QString& text, const QString& details) {
    openWarning(this, QStringLiteral("compareErrorBox"), title, text, details);
}

void ComparePage::saveSettings(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("compare"));
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("bottomSplitter"), m_bottomSplitter->saveState());
    settings.setValue(QStringLiteral("split"), split());
    settings.setValue(QStringLiteral("hiddenColumnsSet"), m_hiddenColumnsSet);
    settings.setValue(QStringLiteral("hiddenColumns"), QStringList(m_hiddenColumns.values()));
    settings.setValue(QStringLiteral("sortKey"), m_sortKey);
    settings.setValue(QStringLiteral("sortOrder"), static_cast<int>(m_sortOrder));
    settings.endGroup();
}

void ComparePage::restoreSettings(const QSettings& settings) {
    auto value = [&](const char* key) {
        return settings.value(QStringLiteral("compare/") + QLatin1String(key));
    };
    m_splitter->restoreState(value("splitter").toByteArray());
    m_bottomSplitter->restoreState(value("bottomSplitter").toByteArray());
    if (value("split").isValid()) {
        setSplit(value("split").toString());
    }
    m_hiddenColumnsSet = value("hiddenColumnsSet").toBool();
    const QStringList hidden = value("hiddenColumns").toStringList();
    m_hiddenColumns = QSet<QString>(hidden.begin(), hidden.end());
    if (value("sortKey").isValid()) {
        m_sortKey = value("sortKey").toString();
        m_sortOrder = static_cast<Qt::SortOrder>(value("sortOrder").toInt());
    }
    applyColumnVisibility();
}

}  // namespace tiltbench
