// previewImport: what the import dialog shows before anything is written.
#include <gtest/gtest.h>

#include "common/error.h"
#include "import_fixture.h"

namespace tiltbench::test {
namespace {

class ImportPreviewTest : public ImportFixture {};

TEST_F(ImportPreviewTest, CsvShowsLinesColumnsRowsAndTheResolvedMapping) {
    const auto path =
        write("log.csv", "user_id,item_id,rating,timestamp\r\n1,10,4,100\r\n2,20,3,200\r\n3,30,5,300\r\n");
    const auto p = previewImport(request("x", ImportFormat::Auto, {path}), 2);
    EXPECT_EQ(p.format, ImportFormat::Csv);
    EXPECT_EQ(p.lines, (std::vector<std::string>{"user_id,item_id,rating,timestamp", "1,10,4,100"}));
    EXPECT_EQ(p.columns, (std::vector<std::string>{"user_id", "item_id", "rating", "timestamp"}));
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[1], (std::vector<std::string>{"2", "20", "3", "200"}));
    EXPECT_EQ(p.mapping.delimiter, ',');
    EXPECT_EQ(p.mapping.header, std::optional<bool>(true));
    EXPECT_EQ(p.userColumn, 0);
    EXPECT_EQ(p.itemColumn, 1);
    EXPECT_EQ(p.rewardColumn, 2);
    EXPECT_EQ(p.timeColumn, 3);
    EXPECT_TRUE(p.problem.empty()) << p.problem;
    bool sawDelimiterNote = false;
    for (const auto& n : p.notes) {
        sawDelimiterNote |= n == "delimiter: comma (detected)";
    }
    EXPECT_TRUE(sawDelimiterNote);
    EXPECT_TRUE(m_ws->datasets().empty());
}

TEST_F(ImportPreviewTest, MovieLensIsDetectedAndItsTitlesFileSuggested) {
    const auto data = write("u.data", "196\t242\t3\t881250949\n");
    const auto item = write("u.item", "242|Kolya (1996)|24-Jan-1997||x\n");
    const auto p = previewImport(request("x", ImportFormat::Auto, {data}));
    EXPECT_EQ(p.format, ImportFormat::MovieLens100k);
    EXPECT_EQ(p.suggestedTitlesFile, item);
    EXPECT_EQ(p.timeColumn, 3);
    EXPECT_EQ(p.mapping.delimiter, '\t');
}

TEST_F(ImportPreviewTest, ImpossibleMappingIsReportedNotThrown) {
    const auto path = write("log.csv", "a,b,c\nx,y,1\n");
    auto req = request("x", ImportFormat::Csv, {path});
    req.csv.userCol = "customer";
    const auto p = previewImport(req);
    EXPECT_NE(p.problem.find("No column named 'customer'"), std::string::npos) << p.problem;
    EXPECT_EQ(p.lines.size(), 2u);
    EXPECT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.userColumn, -1);
}

TEST_F(ImportPreviewTest, MatrixSuggestsItsTestMatrixAndMissingFilesThrow) {
    const auto train = write("train.ascii", "0 0 0 5 0 0 0 0 0 0 0 1\n0 3 0 0 0 0 0 0 0 0 0 0\n");
    const auto test = write("test.ascii", "0 0 0 1 0 0 0 0 0 0 0 1\n0 3 0 0 0 0 0 0 0 0 0 0\n");
    const auto p = previewImport(request("x", ImportFormat::Auto, {train}));
    EXPECT_EQ(p.format, ImportFormat::Matrix);
    EXPECT_EQ(p.columns.size(), 12u);
    EXPECT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.suggestedRandomTestFile, test);
    EXPECT_THROW(previewImport(request("x", ImportFormat::Auto, {m_tmp.file("none.csv")})), Error);
    EXPECT_THROW(previewImport(request("x", ImportFormat::Auto, {})), Error);
}

}  // namespace
}  // namespace tiltbench::test
