// ComparePage's "group seeds" view: the runs of an experiment over seeds as one row per configuration
// (GroupsWorker, GroupTableModel), a group pinned as the baseline of its experiment.
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>

#include "jobs/job_runner.h"
#include "pages/compare/compare_page.h"
#include "pages/compare/compare_workers.h"
#include "pages/compare/group_table_model.h"
#include "store/workspace.h"
#include "widgets/row_table.h"

namespace tiltbench {

namespace {
const QString kGroupsJob = QStringLiteral("groups");
}

QWidget* ComparePage::buildGroupView() {
    m_groupModel = new GroupTableModel(this);
    m_groupProxy = sortingProxy(m_groupModel, GroupTableModel::SortRole, this);
    m_groupView = new QTableView(this);
    m_groupView->setObjectName(QStringLiteral("groupsView"));
    m_groupView->setModel(m_groupProxy);
    styleRowTable(m_groupView, QAbstractItemView::SingleSelection);
    m_groupView->setSortingEnabled(true);
    m_groupView->setToolTip(
        tr("One row per configuration over its seeds: the mean, its 95 % interval in the "
           "tooltip; pin a row to see the others as paired differences against it"));
    connect(m_jobs, &JobRunner::idle, this, [this](const QString& slot) {
        if (slot == kGroupsJob) {
            m_pinButton->setEnabled(true);
        }
    });
    return m_groupView;
}

bool ComparePage::groupSeeds() const {
    return m_groupSeeds != nullptr && m_groupSeeds->isChecked();
}

void ComparePage::setGroupSeeds(bool on) {
    m_groupSeeds->setChecked(on);  // toggled → the view switches and the groups load
}

void ComparePage::pinGroup(const QString& key) {
    m_groupBaseline = key;
    m_clearBaselineButton->setEnabled(!key.isEmpty());
    startGroups();
}

void ComparePage::startGroups() {
    if (!m_workspace || selectedDatasetId() < 0 || !groupSeeds()) {
        m_jobs->cancel(kGroupsJob);
        return;
    }
    auto* worker = new GroupsWorker(QString::fromStdString(m_workspace->path()), selectedDatasetId(), split(),
                                    m_groupBaseline);
    m_jobs->on(worker, &GroupsWorker::finished, [this](const GroupTable& table) {
        m_groupModel->setTable(table);
        m_groupView->resizeColumnsToContents();
        m_jobs->report(kGroupsJob, table.baselineKey.isEmpty()
                                       ? tr("%n configuration(s) over seeds", nullptr,
                                            static_cast<int>(table.rows.size()))
                                       : tr("Paired differences against the pinned configuration, over the "
                                            "seeds both have (95 %)"));
        Q_EMIT groupsReady();
    });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) {
        m_jobs->report(kGroupsJob, tr("Could not group the runs: %1").arg(message));
    });
    m_jobs->start(kGroupsJob, worker);
}

}  // namespace tiltbench
