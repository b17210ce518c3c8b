// Item models under QAbstractItemModelTester (fatal on any violation of the model contract).
#include <gtest/gtest.h>
#include <QAbstractItemModelTester>
#include <QSignalSpy>

#include "pages/data/dataset_list_model.h"
#include "pages/data/import_preview_model.h"

using namespace tiltbench;

namespace {
DatasetInfo info(int64_t id, const std::string& name, int64_t rows) {
    DatasetInfo d;
    d.id = id;
    d.name = name;
    d.format = "csv";
    d.rows = rows;
    d.users = rows / 10;
    d.items = rows / 20;
    d.rewardMin = 1;
    d.rewardMax = 5;
    d.rewardMean = 3.5;
    d.createdAt = "2024-05-01T14:03:00Z";
    return d;
}
}  // namespace

TEST(DatasetListModel, PassesModelTesterThroughResets) {
    DatasetListModel model;
    QAbstractItemModelTester tester(&model);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(model.columnCount(), DatasetListModel::NUM_COLUMNS);

    model.setData({info(1, "ml-100k", 100000), info(2, "demo", 2500)});
    EXPECT_EQ(resets.count(), 1);
    ASSERT_EQ(model.rowCount(), 2);
    model.setData({info(3, "coat", 6960)});
    model.clear();
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(resets.count(), 3);
}

TEST(DatasetListModel, FormatsColumnsAndExposesRawValues) {
    DatasetListModel model;
    QAbstractItemModelTester tester(&model);
    model.setData({info(7, "ml-100k", 100000)});
    auto text = [&](int col) { return model.index(0, col).data().toString(); };
    EXPECT_EQ(text(DatasetListModel::Name), QStringLiteral("ml-100k"));
    EXPECT_EQ(text(DatasetListModel::Format), QStringLiteral("csv"));
    EXPECT_EQ(text(DatasetListModel::Rows), QStringLiteral("100,000"));
    EXPECT_EQ(text(DatasetListModel::Users), QStringLiteral("10,000"));
    EXPECT_EQ(text(DatasetListModel::RewardRange), QStringLiteral("1 – 5"));
    EXPECT_EQ(text(DatasetListModel::Created), QStringLiteral("2024-05-01 14:03"));
    EXPECT_EQ(model.index(0, DatasetListModel::Rows).data(DatasetListModel::SortRole).toLongLong(), 100000);
    EXPECT_EQ(model.index(0, 0).data(DatasetListModel::DatasetIdRole).toLongLong(), 7);
    EXPECT_EQ(model.headerData(DatasetListModel::Items, Qt::Horizontal).toString(), QStringLiteral("Items"));
    EXPECT_EQ(model.rowOfId(7), 0);
    EXPECT_EQ(model.rowOfId(8), -1);
    EXPECT_EQ(model.datasetAt(1), nullptr);
}

TEST(ImportPreviewModel, PassesModelTesterAndMarksMappedColumns) {
    ImportPreviewModel model;
    QAbstractItemModelTester tester(&model);
    ImportPreview preview;
    preview.columns = {"userId", "movieId", "rating", "timestamp", "tag"};
    preview.rows = {
        {"1", "10", "4", "100", "x"}, {"2", "11", "5", "101"}, {"3", "12", "3", "102", "y", "extra"}};
    preview.userColumn = 0;
    preview.itemColumn = 1;
    preview.rewardColumn = 2;
    preview.timeColumn = 3;
    model.setPreview(preview);
    EXPECT_EQ(model.rowCount(), 3);
    EXPECT_EQ(model.columnCount(), 6);  // the widest (bad) row decides
    EXPECT_EQ(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("userId → user"));
    EXPECT_EQ(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("rating → reward"));
    EXPECT_EQ(model.headerData(4, Qt::Horizontal).toString(), QStringLiteral("tag"));
    EXPECT_EQ(model.roleOfColumn(3), QStringLiteral("time"));
    EXPECT_TRUE(model.roleOfColumn(4).isEmpty());
    EXPECT_EQ(model.index(1, 4).data().toString(), QString());
    EXPECT_EQ(model.index(2, 5).data().toString(), QStringLiteral("extra"));
    EXPECT_TRUE(model.index(0, 0).data(Qt::BackgroundRole).isValid());
    EXPECT_FALSE(model.index(0, 4).data(Qt::BackgroundRole).isValid());
    model.clear();
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_EQ(model.columnCount(), 0);
}
