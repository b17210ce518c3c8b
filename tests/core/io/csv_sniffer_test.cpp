// Delimiter and header sniffing, column resolution and `auto` format detection, on in-memory samples.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "io/csv_sniffer.h"
#include "io/format_detector.h"

namespace tiltbench {
namespace {

using Lines = std::vector<std::string>;

std::string sniff(const Lines& lines) {
    return CsvSniffer::sniffDelimiter(lines, "sample.txt").describe();
}

std::string errorOf(const Lines& lines, const CsvOptions& options) {
    try {
        CsvSniffer::resolve("ratings.csv", lines, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(CsvSniffer, PicksTheDelimiterThatSplitsEveryLineAlike) {
    EXPECT_EQ(sniff({"user,item,rating", "1,2,3", "1,3,4"}), "comma");
    EXPECT_EQ(sniff({"1\t2\t3\t881250949", "1\t3\t4\t881250950"}), "tab");
    EXPECT_EQ(sniff({"1;2;3,5", "2;2;4,0"}), "semicolon");  // decimal commas do not fool it
    EXPECT_EQ(sniff({"1|Toy Story (1995)|01-Jan-1995", "2|GoldenEye (1995)|01-Jan-1995"}), "pipe");
    EXPECT_EQ(sniff({"1::1193::5::978300760", "1::661::3::978302109"}), "'::'");
    EXPECT_EQ(sniff({"1050 215 3", "1050  250 2", "7 1 0.5"}), "whitespace");
    EXPECT_EQ(sniff({"1,\"American President, The (1995)\",Comedy", "2,Jumanji (1995),Adventure"}), "comma");
    EXPECT_THROW(sniff({"justonefield", "another"}), Error);
}

TEST(CsvSniffer, DetectsHeaderByNamesOrByTypedColumns) {
    EXPECT_TRUE(CsvSniffer::detectHeader({{"userId", "movieId", "rating"}, {"1", "2", "3"}}));
    EXPECT_TRUE(CsvSniffer::detectHeader({{"who", "what", "how much"}, {"a", "b", "3"}, {"c", "d", "4.5"}}));
    EXPECT_TRUE(CsvSniffer::detectHeader({{"a", "b", "when"}, {"x", "y", "2020-01-31"}}));
    EXPECT_FALSE(CsvSniffer::detectHeader({{"1", "2", "3"}, {"1", "3", "4"}}));
    EXPECT_FALSE(CsvSniffer::detectHeader({{"alice", "book", "5"}, {"bob", "film", "3"}}));
}

TEST(CsvSniffer, GuessesColumnsFromHeaderNamesInAnyOrder) {
    const auto layout = CsvSniffer::resolve(
        "ratings.csv", {"when,item_id,User ID,stars", "2020-01-31,i1,u1,5", "2020-02-01,i2,u1,4"}, {});
    EXPECT_TRUE(layout.header);
    EXPECT_EQ(layout.fieldCount, 4u);
    EXPECT_EQ(layout.userCol, 2);
    EXPECT_EQ(layout.itemCol, 1);
    EXPECT_EQ(layout.rewardCol, 3);
    EXPECT_EQ(layout.timeCol, -1) << "\"when\" is not a known time name and column 3 is taken";
    const auto named =
        CsvSniffer::resolve("ratings.csv", {"when,item_id,User ID,stars", "2020-01-31,i1,u1,5"},
                            {',', "", true, "", "", "", "when"});
    EXPECT_EQ(named.timeCol, 0);
}

TEST(CsvSniffer, ExplicitNamesAndIndicesWin) {
    CsvOptions o;
    o.userCol = "2";
    o.itemCol = "movie";
    o.rewardCol = "0";
    o.timeCol = "none";
    const auto layout = CsvSniffer::resolve("ratings.csv", {"score,movie,person,ts", "5,m,p,100"}, o);
    EXPECT_EQ(layout.userCol, 2);
    EXPECT_EQ(layout.itemCol, 1);
    EXPECT_EQ(layout.rewardCol, 0);
    EXPECT_EQ(layout.timeCol, -1);
    EXPECT_EQ(layout.asOptions().timeCol, "none");
}

TEST(CsvSniffer, PositionalTimeOnlyWhenTheValuesAreTimes) {
    const auto withTime = CsvSniffer::resolve("r.txt", {"1 2 3 881250949", "1 3 4 881250950"}, {});
    EXPECT_FALSE(withTime.header);
    EXPECT_EQ(withTime.timeCol, 3);
    const auto noTime = CsvSniffer::resolve("r.txt", {"1,2,3,Comedy", "1,3,4,Drama"}, {});
    EXPECT_EQ(noTime.timeCol, -1);
    const auto implicit = CsvSniffer::resolve("r.txt", {"1,2", "1,3"}, {});
    EXPECT_EQ(implicit.rewardCol, -1);
}

TEST(CsvSniffer, ImpossibleMappingsAreErrorsNamingFileAndColumn) {
    const Lines lines = {"userId,movieId,rating", "1,2,3"};
    CsvOptions unknownName;
    unknownName.itemCol = "product";
    const std::string e1 = errorOf(lines, unknownName);
    EXPECT_NE(e1.find("No column named 'product'"), std::string::npos) << e1;
    EXPECT_NE(e1.find("ratings.csv"), std::string::npos) << e1;
    EXPECT_NE(e1.find("userId, movieId, rating"), std::string::npos) << e1;

    CsvOptions outOfRange;
    outOfRange.rewardCol = "7";
    const std::string e2 = errorOf(lines, outOfRange);
    EXPECT_NE(e2.find("index 7 is out of range"), std::string::npos) << e2;

    CsvOptions same;
    same.userCol = "0";
    same.itemCol = "userId";
    EXPECT_NE(errorOf(lines, same).find("user and item columns are both column 0"), std::string::npos);

    CsvOptions nameWithoutHeader;
    nameWithoutHeader.header = false;
    nameWithoutHeader.userCol = "user";
    EXPECT_NE(errorOf({"1,2,3"}, nameWithoutHeader).find("must be a 0-based index"), std::string::npos);

    CsvOptions headerOnly;
    headerOnly.header = true;
    EXPECT_NE(errorOf({"userId,movieId,rating"}, headerOnly).find("no data rows"), std::string::npos);
}

TEST(ImportAutoDetect, RecognisesMovieLensMatrixAndFallsBackToCsv) {
    const Lines udata = {"196\t242\t3\t881250949", "186\t302\t3\t891717742"};
    EXPECT_EQ(FormatDetector::detect("/x/u.data", udata).format, ImportFormat::MovieLens100k);
    EXPECT_EQ(FormatDetector::detect("/x/u1.base", udata).format, ImportFormat::MovieLens100k);
    EXPECT_EQ(FormatDetector::detect("/x/other.tsv", udata).format, ImportFormat::Csv);
    EXPECT_EQ(FormatDetector::detect("/x/u.data", {"a,b,c", "1,2,3"}).format, ImportFormat::Csv);
    EXPECT_EQ(FormatDetector::detect("/x/ratings.dat", {"1::1193::5::978300760"}).format,
              ImportFormat::MovieLensDat);
    EXPECT_EQ(
        FormatDetector::detect("/x/r.csv", {"userId,movieId,rating,timestamp", "1,1,4.0,964982703"}).format,
        ImportFormat::MovieLensCsv);
    const Lines matrix = {"0 0 0 5 0 0 0 0 0 0 0 1", "0 3 0 0 0 0 0 0 0 0 0 0", "0 0 0 0 0 0 2 0 0 0 0 0"};
    EXPECT_EQ(FormatDetector::detect("/x/train.ascii", matrix).format, ImportFormat::Matrix);
    EXPECT_EQ(FormatDetector::detect("/x/r.txt", {"1 2 3", "4 5 0"}).format, ImportFormat::Csv);
}

}  // namespace
}  // namespace tiltbench
