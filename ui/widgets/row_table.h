#pragma once
// The house style of every list of records in the GUI (datasets, runs, groups, items, the train queue): whole
// rows selected, never edited in place, alternating row colours, no row numbers and compact rows.
#include <QAbstractItemView>

class QAbstractItemModel;
class QSortFilterProxyModel;
class QTableView;

namespace tiltbench {

void styleRowTable(QTableView* view, QAbstractItemView::SelectionMode selection);

// A proxy that sorts `source` by `sortRole` (numbers as numbers), owned by `parent`.
QSortFilterProxyModel* sortingProxy(QAbstractItemModel* source, int sortRole, QObject* parent);

}  // namespace tiltbench
