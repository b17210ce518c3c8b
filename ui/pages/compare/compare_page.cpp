#include "pages/compare/compare_page.h"

#include <QAction>
#include <QCheckBox>
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
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "jobs/job_runner.h"
#include "pages/compare/compare_plots.h"
#include "pages/compare/group_table_model.h"
#include "pages/compare/run_detail_panel.h"
#include "pages/compare/run_table_model.h"
#include "process/engine_process.h"
#include "shared/csv_export.h"
#include "shared/formatting.h"
#include "store/workspace.h"
#include "widgets/dataset_combo.h"
#include "widgets/flow_layout.h"
#include "widgets/row_table.h"

namespace tiltbench {

namespace {
// The page's background jobs, one slot each (ui/jobs/job_runner.h: the latest job of a slot wins).
const QString kReferenceJob = QStringLiteral("reference");
const QString kBaselineJob = QStringLiteral("baseline");
const QString kDetailJob = QStringLiteral("detail");
}  // namespace

namespace {
QString referenceKey(int64_t datasetId, const QString& split) {
    return QString::number(datasetId) + QLatin1Char('|') + split;
}

}  // namespace

ComparePage::ComparePage(QWidget* parent)
    : QWidget(parent),
      m_datasetCombo(new DatasetCombo(this)),
      m_splitCombo(new QComboBox(this)),
      m_filter(new QLineEdit(this)),
      m_pinButton(new QPushButton(tr("Pin as baseline"), this)),
      m_clearBaselineButton(new QPushButton(tr("Clear baseline"), this)),
      m_baselineLabel(new QLabel(this)),
      m_exportButton(new QToolButton(this)),
      m_status(new QLabel(this)),
      m_model(new RunTableModel(this)),
      m_proxy(sortingProxy(m_model, RunTableModel::SortRole, this)),
      m_view(new QTableView(this)),
      m_plots(new ComparePlots(this)),
      m_detail(new RunDetailPanel(this)),
      m_splitter(new QSplitter(Qt::Vertical, this)),
      m_bottomSplitter(new QSplitter(Qt::Horizontal, this)),
      m_refreshTimer(new QTimer(this)),
      m_jobs(new JobRunner(this)) {
    setObjectName(QStringLiteral("comparePage"));
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);

    m_view->setObjectName(QStringLiteral("runsView"));
    m_view->setModel(m_proxy);
    styleRowTable(m_view, QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunTableModel::RunColumn, Qt::AscendingOrder);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->horizontalHeader()->setToolTip(tr("Right-click to choose the columns"));
    connect(m_jobs, &JobRunner::statusTextChanged, this, &ComparePage::showStatus);
    connect(m_view->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            &ComparePage::showHeaderMenu);
    connect(m_view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this](int column, Qt::SortOrder order) {
                m_sortKey = m_model->columnKey(column);
                m_sortOrder = order;
            });
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &ComparePage::showRowMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ComparePage::onSelectionChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ComparePage::onSelectionChanged);

    m_bottomSplitter->setObjectName(QStringLiteral("compareBottomSplitter"));
    m_bottomSplitter->addWidget(m_plots);
    m_bottomSplitter->addWidget(m_detail);
    m_bottomSplitter->setStretchFactor(0, 3);
    m_bottomSplitter->setStretchFactor(1, 1);
    m_bottomSplitter->setSizes({840, 300});
    m_bottomSplitter->setChildrenCollapsible(false);
    m_splitter->setObjectName(QStringLiteral("compareSplitter"));
    m_tables = new QStackedWidget(this);
    m_tables->addWidget(m_view);
    m_tables->addWidget(buildGroupView());
    m_splitter->addWidget(m_tables);
    m_splitter->addWidget(m_bottomSplitter);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({250, 520});
    m_splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildControls());
    layout->addWidget(m_splitter, 1);

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(0);
    connect(m_refreshTimer, &QTimer::timeout, this, &ComparePage::reloadRunsNow);
    refresh();
}

ComparePage::~ComparePage() {
    cancelJobs();
}

QWidget* ComparePage::buildControls() {
    auto* box = new QWidget(this);
    m_datasetCombo->setObjectName(QStringLiteral("compareDataset"));
    m_splitCombo->setObjectName(QStringLiteral("compareSplit"));
    m_splitCombo->addItem(tr("test"), QStringLiteral("test"));
    m_splitCombo->addItem(tr("validation"), QStringLiteral("valid"));
    m_filter->setObjectName(QStringLiteral("runFilter"));
    m_filter->setPlaceholderText(tr("Filter runs…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(180);
    // Its placeholder stays readable however the row is squeezed.
    m_filter->setMinimumWidth(m_filter->fontMetrics().horizontalAdvance(m_filter->placeholderText()) + 40);
    m_pinButton->setObjectName(QStringLiteral("pinBaseline"));
    m_pinButton->setToolTip(
        tr("Show every metric of the other runs as a difference from the current run, with paired 95 % "
           "intervals (bootstrap over the users both runs were evaluated on)"));
    m_clearBaselineButton->setObjectName(QStringLiteral("clearBaseline"));
    m_baselineLabel->setObjectName(QStringLiteral("baselineLabel"));
    m_exportButton->setObjectName(QStringLiteral("compareExport"));
    m_exportButton->setText(tr("Export"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_exportButton->setMinimumWidth(m_exportButton->fontMetrics().horizontalAdvance(m_exportButton->text()) +
                                    36);
    auto* menu = new QMenu(m_exportButton);
    menu->addAction(tr("Table as shown (CSV)…"), this, &ComparePage::exportTableWithDialog);
    menu->addAction(tr("Per-user metrics of the selected runs (CSV)…"), this,
                    &ComparePage::exportPerUserWithDialog);
    menu->addAction(tr("HTML report of this dataset…"), this, &ComparePage::saveReportWithDialog);
    m_exportButton->setMenu(menu);
    m_status->setObjectName(QStringLiteral("compareStatus"));
    m_status->setStyleSheet(QStringLiteral("color: #555;"));
    m_status->setTextFormat(Qt::PlainText);  // dataset names reach it: never rendered as rich text
    // A long status text wraps (the row grows a line), never widening the page past the window or being cut.
    m_status->setWordWrap(true);
    m_status->setMinimumWidth(120);

    // The controls flow onto a second line when the window is narrow (125 % scaling on a small screen).
    auto* row = new FlowLayout(box, 10, 4);
    const auto pair = [box](const QString& text, QWidget* widget) {
        auto* w = new QWidget(box);
        auto* l = new QHBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        l->addWidget(new QLabel(text, w));
        widget->setParent(w);
        l->addWidget(widget);
        return w;
    };
    row->addWidget(pair(tr("Dataset"), m_datasetCombo));
    row->addWidget(pair(tr("Targets"), m_splitCombo));
    row->addWidget(m_filter);
    m_groupSeeds = new QCheckBox(tr("Group seeds"), box);
    m_groupSeeds->setObjectName(QStringLiteral("groupSeeds"));
    m_groupSeeds->setToolTip(
        tr("One row per configuration over its seeds (mean and 95 % interval) instead of "
           "one per run"));
    row->addWidget(m_groupSeeds);
    row->addWidget(m_pinButton);
    row->addWidget(m_clearBaselineButton);
    row->addWidget(m_baselineLabel);
    row->addWidget(m_exportButton);
    row->addWidget(m_status);

    connect(m_datasetCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_groupBaseline.clear();  // a pinned configuration belongs to its dataset
        reloadRunsNow();
    });
    connect(m_splitCombo, &QComboBox::currentIndexChanged, this, [this] {
        const QList<qint64> keep = selectedRunIds();
        const qint64 current = currentRunId();
        m_model->setSplit(split());
        applyColumnVisibility();
        selectRuns(keep);
        if (current) {
            m_view->selectionModel()->setCurrentIndex(
                m_proxy->mapFromSource(m_model->index(m_model->rowOfRun(current), 0)),
                QItemSelectionModel::NoUpdate);
        }
        if (m_model->baselineId()) {
            m_model->setBaseline(m_model->baselineId());
            startBaseline();
        }
        startReference();
        startGroups();
        updatePlots();
    });
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_pinButton, &QPushButton::clicked, this, [this] {
        if (groupSeeds()) {
            const QModelIndex current = m_groupView->selectionModel()->currentIndex();
            pinGroup(current.isValid() ? current.data(GroupTableModel::KeyRole).toString() : QString());
        } else {
            pinBaseline(currentRunId());
        }
    });
    connect(m_groupSeeds, &QCheckBox::toggled, this, [this](bool on) {
        m_tables->setCurrentIndex(on ? 1 : 0);
        m_pinButton->setEnabled(on || currentRunId() != 0);
        m_clearBaselineButton->setEnabled(on ? !m_groupBaseline.isEmpty() : m_model->baselineId() != 0);
        startGroups();
    });
    connect(m_clearBaselineButton, &QPushButton::clicked, this, [this] {
        if (groupSeeds()) {
            pinGroup(QString());
        } else {
            pinBaseline(0);
        }
    });
    return box;
}

void ComparePage::setWorkspace(Workspace* workspace) {
    cancelJobs();
    m_workspace = workspace;
    m_referenceCache.clear();
    m_reference.reset();
    m_detailKey.clear();
    m_model->clearBaseline();
    refresh();
}

void ComparePage::refresh() {
    m_datasetCombo->refill(m_workspace, [this](const QString& e) { setStatus(e); });
    reloadRunsNow();
}

void ComparePage::refreshRuns() {
    m_refreshTimer->start();
}

void ComparePage::reloadRunsNow() {
    m_refreshTimer->stop();
    const int64_t id = selectedDatasetId();
    const QList<qint64> keep = selectedRunIds();
    const qint64 current = currentRunId();
    const bool sameDataset = !m_model->runs().empty() && m_model->runs().front().record.datasetId == id;
    std::vector<CompareRun> runs;
    if (m_workspace && id >= 0) {
        try {
            runs = loadCompareRuns(*m_workspace, id);
        } catch (const std::exception& e) {
            setStatus(QString::fromStdString(e.what()));
        }
    }
    const qint64 baseline = sameDataset ? m_model->baselineId() : 0;
    m_model->setRuns(std::move(runs), split());
    applyColumnVisibility();
    if (sameDataset) {
        selectRuns(keep);
        const int row = m_model->rowOfRun(current);
        if (row >= 0) {
            m_view->selectionModel()->setCurrentIndex(m_proxy->mapFromSource(m_model->index(row, 0)),
                                                      QItemSelectionModel::NoUpdate);
        }
    }
    m_model->setBaseline(baseline);
    m_baselineLabel->setText(m_model->baselineId() ? tr("Baseline: run %1").arg(m_model->baselineId())
                                                   : QString());
    m_clearBaselineButton->setEnabled(groupSeeds() ? !m_groupBaseline.isEmpty() : m_model->baselineId() != 0);
    if (m_model->baselineId()) {
        startBaseline();
    }
    if (!m_workspace) {
        m_plots->showMessage(tr("No workspace is open"));
    } else if (id < 0) {
        m_plots->showMessage(tr("No dataset in this workspace"));
    } else if (m_model->rowCount() == 0) {
        m_plots->showMessage(tr("No runs yet: train some on the Train page"));
    } else {
        updatePlots();
    }
    setStatus(id >= 0 ? tr("%n run(s)", nullptr, m_model->rowCount()) : QString());
    startReference();
    onSelectionChanged();
    startGroups();  // nothing unless "Group seeds" is on
    Q_EMIT runsLoaded();
}

void ComparePage::selectDataset(int64_t id) {
    m_datasetCombo->selectId(id);
}

int64_t ComparePage::selectedDatasetId() const {
    return m_datasetCombo->selectedId();
}

void ComparePage::setSplit(const QString& split) {
    const int row = m_splitCombo->findData(split);
    if (row >= 0) {
        m_splitCombo->setCurrentIndex(row);
    }
}

QString ComparePage::split() const {
    return m_splitCombo->currentData().toString();
}

void ComparePage::selectRuns(const QList<qint64>& runIds) {
    QItemSelection selection;
    for (qint64 id : runIds) {
        const int row = m_model->rowOfRun(id);
        if (row >= 0) {
            const QModelIndex left = m_proxy->mapFromSource(m_model->index(row, 0));
            const QModelIndex right = m_proxy->mapFromSource(m_model->index(row, m_model->columnCount() - 1));
            selection.select(left, right);
        }
    }
    m_view->selectionModel()->select(selection,
                                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!runIds.isEmpty() && m_model->rowOfRun(runIds.front()) >= 0) {
        m_view->selectionModel()->setCurrentIndex(
            m_proxy->mapFromSource(m_model->index(m_model->rowOfRun(runIds.front()), 0)),
            QItemSelectionModel::NoUpdate);
    }
}

QList<qint64> ComparePage::selectedRunIds() const {
    QList<qint64> ids;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows()) {
        ids << index.data(RunTableModel::RunIdRole).toLongLong();
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

qint64 ComparePage::currentRunId() const {
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (current.isValid()) {
        return current.data(RunTableModel::RunIdRole).toLongLong();
    }
    const QList<qint64> selected = selectedRunIds();
    return selected.size() == 1 ? selected.front() : 0;
}

void ComparePage::pinBaseline(qint64 runId) {
    m_model->setBaseline(runId);
    m_baselineLabel->setText(m_model->baselineId() ? tr("Baseline: run %1").arg(m_model->baselineId())
                                                   : QString());
    m_clearBaselineButton->setEnabled(groupSeeds() ? !m_groupBaseline.isEmpty() : m_model->baselineId() != 0);
    if (m_model->baselineId()) {
        startBaseline();
    } else {
        m_jobs->cancel(kBaselineJob);
    }
    updatePlots();
}

qint64 ComparePage::baselineId() const {
    return m_model->baselineId();
}

bool ComparePage::isBusy() const {
    return m_jobs->isBusy();
}

void ComparePage::cancelJobs() {
    m_wantReference = false;
    m_jobs->cancelAll();
}

void ComparePage::onSelectionChanged() {
    m_pinButton->setEnabled(groupSeeds() || currentRunId() != 0);
    updatePlots();
    const CompareRun* run = m_model->runById(currentRunId());
    // A re-read that changed the current run (it finished, or trained another epoch) refreshes its detail
    // too.
    const QString key = run ? QStringLiteral("%1|%2|%3")
                                  .arg(run->id())
                                  .arg(QString::fromStdString(run->record.status))
                                  .arg(run->epochsRun)
                            : QString();
    if (key == m_detailKey && run) {
        return;
    }
    m_detailKey = key;
    m_detail->showRun(run);
    if (run) {
        startDetail();
    } else {
        m_jobs->cancel(kDetailJob);
    }
}

void ComparePage::updatePlots() {
    if (m_model->rowCount() == 0) {
        return;
    }
    const QList<qint64> selected = selectedRunIds();
    std::vector<CompareRun> runs;
    for (const CompareRun& r : m_model->runs()) {
        if (selected.size() < 2 || selected.contains(r.id())) {
            runs.push_back(r);
        }
    }
    m_plots->setRuns(runs, split(), m_model->baselineId());
}

void ComparePage::startReference() {
    const int64_t id = selectedDatasetId();
    if (!m_workspace || id < 0 || m_model->rowCount() == 0) {
        m_wantReference = false;
        return;
    }
    const QString key = referenceKey(id, split());
    if (m_referenceCache.contains(key)) {
        m_wantReference = false;
        m_jobs->cancel(kReferenceJob);
        m_reference = m_referenceCache.value(key);
        m_plots->setReference(m_reference);
        Q_EMIT referenceReady();
        return;
    }
    m_wantReference = true;
    if (!isVisible()) {
        return;  // showEvent starts it: a hidden page should not load a large log
    }
    m_wantReference = false;
    auto* worker = new ReferenceWorker(QString::fromStdString(m_workspace->path()), id, split());
    m_jobs->on(
        worker, &ReferenceWorker::finished, [this, key](std::shared_ptr<const ReferenceCurves> curves) {
            m_referenceCache.insert(key, curves);
            m_reference = curves;
            m_plots->setReference(curves);
            m_jobs->report(kReferenceJob, tr("Reference curves in %1").arg(formatDuration(curves->seconds)));
            Q_EMIT referenceReady();
        });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        m_jobs->report(kReferenceJob, tr("No reference curves: %1").arg(message));
    });
    m_jobs->start(kReferenceJob, worker);
}

void ComparePage::startBaseline() {
    const qint64 baseline = m_model->baselineId();
    if (!m_workspace || baseline == 0) {
        return;
    }
    std::vector<qint64> ids;
    for (const CompareRun& r : m_model->runs()) {
        ids.push_back(r.id());
    }
    auto* worker = new BaselineWorker(QString::fromStdString(m_workspace->path()), baseline, ids, split());
    m_jobs->on(worker, &BaselineWorker::finished, [this](const BaselineResult& result) {
        if (result.split != split()) {
            return;
        }
        m_model->setComparisons(result.baselineId, result.comparisons, result.errors);
        m_view->resizeColumnsToContents();
        m_jobs->report(kBaselineJob,
                       tr("Differences from run %1 with paired 95 % intervals").arg(result.baselineId));
        Q_EMIT comparisonsReady();
    });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        m_jobs->report(kBaselineJob, tr("No differences from the baseline: the comparison failed"));
        showError(tr("Compare"), tr("Could not compare the runs with the baseline."), message);
    });
    m_jobs->start(kBaselineJob, worker);
}

void ComparePage::startDetail() {
    const CompareRun* run = m_model->runById(currentRunId());
    if (!m_workspace || !run) {
        m_jobs->cancel(kDetailJob);
        return;
    }
    if (run->record.status == "running") {
        m_jobs->cancel(kDetailJob);
        m_detail->showProfileMessage(tr("The run is still training"));
        return;
    }
    if (run->record.status != "done" && !(run->isSasrec() && run->epochsRun > 0)) {
        m_jobs->cancel(kDetailJob);
        m_detail->showProfileMessage(tr("The run did not finish: no recommendations to profile"));
        return;
    }
    auto* worker =
        new RunDetailWorker(QString::fromStdString(m_workspace->path()), *run, EngineProcess::locateCli());
    m_jobs->on(worker, &RunDetailWorker::finished, [this](const RunDetail& detail) {
        m_detail->showProfile(detail);
        Q_EMIT detailReady();
    });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        m_detail->showProfileMessage(tr("Top-10 lists unavailable: %1").arg(message));
        Q_EMIT detailReady();
    });
    m_detail->showProfileMessage(run->isSasrec() ? tr("Scoring the test users with the run's checkpoint…")
                                                 : tr("Refitting the policy for its top-10 lists…"));
    m_jobs->start(kDetailJob, worker);
}

void ComparePage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_wantReference) {
        startReference();  // deferred while the page was hidden
    }
}

}  // namespace tiltbench
