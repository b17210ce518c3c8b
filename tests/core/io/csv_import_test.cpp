// The generic delimited importer end to end: files written here, imported into a fresh workspace, read back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "import_fixture.h"

namespace tiltbench::test {
namespace {

class CsvImport : public ImportFixture {};

TEST_F(CsvImport, HeaderNamesInAnyOrderWithIsoTimes) {
    const auto path = write("log.csv",
                            "date,item_id,user_id,stars\n"
                            "2020-01-31,i1,alice,5\n"
                            "2020-01-31T12:00:00,i2,alice,3.5\n"
                            "2020-02-01 00:00:00,i1,bob,1\n");
    auto req = request("log", ImportFormat::Csv, {path});
    const auto report = run(req);
    EXPECT_EQ(report.format, ImportFormat::Csv);
    EXPECT_EQ(report.rowsRead, 3);
    EXPECT_EQ(report.dataset.rows, 3);
    EXPECT_EQ(report.dataset.users, 2);
    EXPECT_EQ(report.dataset.items, 2);
    EXPECT_TRUE(report.dataset.hasTime);
    EXPECT_EQ(report.dataset.format, "csv");
    const auto l = log(report);
    EXPECT_EQ(l.userIds, (std::vector<std::string>{"alice", "bob"}));
    EXPECT_EQ(l.itemIds, (std::vector<std::string>{"i1", "i2"}));
    EXPECT_EQ(l.ts, (std::vector<int64_t>{1580428800, 1580472000, 1580515200}));
    EXPECT_EQ(l.reward, (std::vector<double>{5, 3.5, 1}));
}

TEST_F(CsvImport, ColumnsByIndexWithoutHeaderAndGivenDelimiter) {
    const auto path = write("log.txt", "100;x;u1;4\n200;y;u2;2\n");
    auto req = request("log", ImportFormat::Csv, {path});
    req.csv.delimiter = ';';
    req.csv.header = false;
    req.csv.userCol = "2";
    req.csv.itemCol = "1";
    req.csv.rewardCol = "3";
    req.csv.timeCol = "0";
    const auto report = run(req);
    const auto l = log(report);
    EXPECT_EQ(pairs(l), (std::vector<std::pair<std::string, std::string>>{{"u1", "x"}, {"u2", "y"}}));
    EXPECT_EQ(l.ts, (std::vector<int64_t>{100, 200}));
    EXPECT_EQ(l.reward, (std::vector<double>{4, 2}));
}

TEST_F(CsvImport, QuotedFieldsCrlfAndByteOrderMark) {
    const auto path = write("log.csv",
                            "\xEF\xBB\xBFuser,item,rating\r\n"
                            "\"Smith, J.\",\"The \"\"Best\"\" Film\",4\r\n"
                            "\"Smith, J.\",plain,2\r\n"
                            "lee,\"multi\nline id\",3\r\n");
    const auto report = run(request("quoted", ImportFormat::Auto, {path}));
    EXPECT_EQ(report.format, ImportFormat::Csv);
    EXPECT_EQ(report.dataset.rows, 3);
    EXPECT_FALSE(report.dataset.hasTime);
    const auto l = log(report);
    EXPECT_EQ(l.userIds, (std::vector<std::string>{"Smith, J.", "lee"}));
    EXPECT_EQ(l.itemIds, (std::vector<std::string>{"The \"Best\" Film", "plain", "multi\nline id"}));
}

TEST_F(CsvImport, SeveralFilesAreOneLogAndPositionsRunOnWithoutTime) {
    // Like FilmTrust: parts without header, space-separated, mixed line endings.
    const auto a = write("ratings_0.txt", "1 10 3\r\n1 11 2.5\r\n");
    const auto b = write("ratings_1.txt", "2 10 4\n3 12 0.5\n");
    const auto report = run(request("parts", ImportFormat::Auto, {a, b}));
    EXPECT_EQ(report.rowsRead, 4);
    EXPECT_EQ(report.dataset.rows, 4);
    EXPECT_EQ(report.dataset.users, 3);
    EXPECT_EQ(report.dataset.items, 3);
    EXPECT_FALSE(report.dataset.hasTime);
    const auto l = log(report);
    EXPECT_EQ(l.ts, (std::vector<int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(pairs(l).back(), (std::pair<std::string, std::string>{"3", "12"}));
}

TEST_F(CsvImport, AutoWithColumnOptionsReadsMovieLensFilesAsCsv) {
    const auto path =
        write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0,964981247\n");
    auto req = request("latest", ImportFormat::Auto, {path});
    req.csv.timeCol = "none";
    const auto report = run(req);
    EXPECT_EQ(report.format, ImportFormat::Csv);
    EXPECT_FALSE(report.dataset.hasTime);
    EXPECT_EQ(log(report).ts, (std::vector<int64_t>{0, 1}));
}

TEST_F(CsvImport, TwoColumnsMeanImplicitRewardOne) {
    const auto path = write("clicks.csv", "user,item\na,x\nb,x\n");
    const auto report = run(request("clicks", ImportFormat::Csv, {path}));
    EXPECT_EQ(report.dataset.rewardMin, 1.0);
    EXPECT_EQ(report.dataset.rewardMax, 1.0);
}

TEST_F(CsvImport, SourceAndMetaRecordFilesOptionsAndReport) {
    const auto path = write("log.csv", "u,i,r,t\n1,2,3,100\n1,2,3,100\n2,2,5,200\n");
    auto req = request("log", ImportFormat::Csv, {path});
    req.csv.timeCol = "t";
    const auto report = run(req);
    const auto source = nlohmann::json::parse(report.dataset.source);
    EXPECT_EQ(source["files"][0], path);
    EXPECT_EQ(source["format"], "csv");
    EXPECT_EQ(source["on_error"], "fail");
    EXPECT_EQ(source["options"]["time_col"], "t");
    EXPECT_EQ(source["mapping"]["time_col"], "3");
    EXPECT_EQ(source["mapping"]["delimiter"], ",");
    const auto meta = nlohmann::json::parse(report.dataset.meta);
    EXPECT_EQ(meta["rows_read"], 3);
    EXPECT_EQ(meta["rows_skipped"], 0);
    EXPECT_EQ(meta["duplicates"], 1);
    EXPECT_TRUE(meta["skipped_by_kind"].empty());
    ASSERT_EQ(meta["warnings"].size(), 1u);
    EXPECT_NE(meta["warnings"][0].get<std::string>().find("repeat"), std::string::npos);
    const auto again = m_ws->datasetByName("log");
    EXPECT_EQ(again.meta, report.dataset.meta);
}

TEST_F(CsvImport, ProgressReportsBytesUpToTheTotal) {
    std::string content;
    for (int r = 0; r < 150000; ++r) {
        content += std::to_string(r % 500) + "," + std::to_string(r % 97) + ",1\n";
    }
    const auto path = write("big.csv", content);
    std::vector<Progress> seen;
    const auto report = run(request("big", ImportFormat::Csv, {path}), [&](const Progress& p) {
        seen.push_back(p);
        return true;
    });
    EXPECT_EQ(report.dataset.rows, 150000);
    std::vector<Progress> reading;
    for (const auto& p : seen) {
        if (p.unit == "bytes") {
            reading.push_back(p);
        }
    }
    ASSERT_GE(reading.size(), 4u);  // start, two at 64K-row steps, end
    for (size_t k = 1; k < reading.size(); ++k) {
        EXPECT_GE(reading[k].done, reading[k - 1].done);
        EXPECT_EQ(reading[k].total, content.size());
    }
    EXPECT_EQ(reading.back().done, content.size());
    EXPECT_EQ(reading.front().stage, "reading big.csv");
}

}  // namespace
}  // namespace tiltbench::test
