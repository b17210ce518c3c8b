// ExplorerItemsModel under QAbstractItemModelTester: resets for a new dataset, dataChanged over the two
// λ-dependent columns only, and a sorting / filtering proxy on top, as the page uses it.
#include <gtest/gtest.h>
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>

#include "pages/explorer/explorer_items_model.h"

using namespace tiltbench;

namespace {
void fill(ExplorerItemsModel& model) {
    model.setData({QStringLiteral("Alpha"), QStringLiteral("Beta"), QStringLiteral("Gamma"),
                   QStringLiteral("unlogged")},
                  {50, 30, 20, 0}, {4.5, 3.0, 2.0, 0.0}, {0.5, 0.3, 0.2, 0.0});
}
}  // namespace

TEST(ExplorerItemsModel, PassesModelTesterThroughResetsAndShareUpdates) {
    ExplorerItemsModel model;
    QAbstractItemModelTester tester(&model);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(model.columnCount(), ExplorerItemsModel::NUM_COLUMNS);
    fill(model);
    EXPECT_EQ(resets.count(), 1);
    ASSERT_EQ(model.rowCount(), 4);
    EXPECT_DOUBLE_EQ(model.changeAt(0), 0.0);  // starts at the uniform shares

    model.setShares({0.7, 0.2, 0.1, 0.0});
    ASSERT_EQ(changed.count(), 1);
    const auto args = changed.takeFirst();
    EXPECT_EQ(args.at(0).toModelIndex().column(), ExplorerItemsModel::Share);
    EXPECT_EQ(args.at(1).toModelIndex().column(), ExplorerItemsModel::Change);
    EXPECT_EQ(args.at(1).toModelIndex().row(), 3);
    EXPECT_NEAR(model.changeAt(0), 0.2, 1e-12);
    EXPECT_EQ(model.index(0, ExplorerItemsModel::Share).data().toString(), QStringLiteral("70 %"));
    EXPECT_EQ(model.index(0, ExplorerItemsModel::Change).data().toString(), QStringLiteral("+20 pp"));
    EXPECT_EQ(model.index(2, ExplorerItemsModel::Change).data().toString(), QStringLiteral("-10 pp"));
    EXPECT_EQ(model.index(3, ExplorerItemsModel::MeanReward).data().toString(), QStringLiteral("–"));
    EXPECT_EQ(model.index(1, ExplorerItemsModel::Count).data(ExplorerItemsModel::SortRole).toLongLong(), 30);
    EXPECT_EQ(model.index(2, 0).data(ExplorerItemsModel::ItemIdRole).toInt(), 2);

    model.setShares({1.0});  // wrong size: ignored
    EXPECT_EQ(changed.count(), 0);
    model.clear();
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(resets.count(), 2);
}

TEST(ExplorerItemsModel, ProxySortsByRawShareAndFilters) {
    ExplorerItemsModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(ExplorerItemsModel::SortRole);
    proxy.setDynamicSortFilter(true);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    QAbstractItemModelTester tester(&proxy);
    fill(model);
    proxy.sort(ExplorerItemsModel::Share, Qt::DescendingOrder);
    EXPECT_EQ(proxy.index(0, 0).data().toString(), QStringLiteral("Alpha"));
    model.setShares({0.1, 0.2, 0.7, 0.0});  // the proxy re-sorts on dataChanged
    EXPECT_EQ(proxy.index(0, 0).data().toString(), QStringLiteral("Gamma"));
    proxy.setFilterFixedString(QStringLiteral("et"));
    ASSERT_EQ(proxy.rowCount(), 1);
    EXPECT_EQ(proxy.index(0, 0).data().toString(), QStringLiteral("Beta"));
}
