// The streaming building blocks of the importers: line reader, field splitter, value parsers, encodings.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/error.h"
#include "io/duplicate_counter.h"
#include "io/field_splitter.h"
#include "io/line_reader.h"
#include "io/text_encoding.h"
#include "io/value_parsing.h"
#include "support/test_support.h"

namespace tiltbench {
namespace {

struct Record {
    std::string text;
    int64_t line;
};

std::vector<Record> readAll(const std::string& path, size_t chunk, bool quoted = false,
                            char delimiter = ',') {
    LineReader reader(path, chunk);
    reader.setQuoted(quoted, delimiter);
    std::vector<Record> out;
    std::string_view rec;
    while (reader.next(rec)) {
        out.push_back({std::string(rec), reader.lineNumber()});
    }
    EXPECT_EQ(reader.bytesConsumed(), reader.fileSize());
    return out;
}

TEST(ImportLineReader, SplitsLfAndCrlfAcrossChunkBoundaries) {
    test::TempDir tmp;
    const std::string path = tmp.file("mixed.txt");
    test::writeFile(path, "1\t2\t3\r\n4\t5\t6\n\n7\t8\t9");
    for (size_t chunk : {16, 17, 64, 1 << 20}) {
        const auto records = readAll(path, chunk);
        ASSERT_EQ(records.size(), 4u) << "chunk " << chunk;
        EXPECT_EQ(records[0].text, "1\t2\t3");
        EXPECT_EQ(records[1].text, "4\t5\t6");
        EXPECT_EQ(records[2].text, "");
        EXPECT_EQ(records[3].text, "7\t8\t9");
        EXPECT_EQ(records[3].line, 4);
    }
}

TEST(ImportLineReader, DropsUtf8ByteOrderMark) {
    test::TempDir tmp;
    const std::string path = tmp.file("bom.csv");
    test::writeFile(path, "\xEF\xBB\xBFuser,item\n1,2\n");
    const auto records = readAll(path, 16);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].text, "user,item");
}

TEST(ImportLineReader, GrowsForLinesLongerThanTheChunk) {
    test::TempDir tmp;
    const std::string path = tmp.file("long.txt");
    const std::string longLine(100000, 'x');
    test::writeFile(path, "a\n" + longLine + "\nb\n");
    const auto records = readAll(path, 16);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].text, longLine);
    EXPECT_EQ(records[2].text, "b");
    EXPECT_EQ(records[2].line, 3);
}

TEST(ImportLineReader, QuotedFieldMaySpanLinesAndLineNumbersStayPhysical) {
    test::TempDir tmp;
    const std::string path = tmp.file("quoted.csv");
    test::writeFile(path, "1,\"two\nlines, \"\"quoted\"\"\",3\r\n2,x,4\n3,\"end\"");
    for (size_t chunk : {16, 1 << 20}) {
        const auto records = readAll(path, chunk, true, ',');
        ASSERT_EQ(records.size(), 3u);
        EXPECT_EQ(records[0].text, "1,\"two\nlines, \"\"quoted\"\"\",3");
        EXPECT_EQ(records[0].line, 1);
        EXPECT_EQ(records[1].text, "2,x,4");
        EXPECT_EQ(records[1].line, 3);
        EXPECT_EQ(records[2].text, "3,\"end\"");
    }
}

TEST(ImportLineReader, UnterminatedQuoteDoesNotSwallowTheRestOfTheFile) {
    test::TempDir tmp;
    const std::string path = tmp.file("stray.csv");
    test::writeFile(path, "1,\"oops,3\n2,x,4\n3,y,5\n");
    const auto records = readAll(path, 1 << 20, true, ',');
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].text, "1,\"oops,3");
    EXPECT_EQ(records[2].line, 3);
}

TEST(ImportLineReader, CheckTextFileRejectsMissingDirectoryEmptyAndBinary) {
    test::TempDir tmp;
    const std::string missing = tmp.file("nope.csv");
    const std::string empty = tmp.file("empty.csv");
    const std::string binary = tmp.file("data.bin");
    const std::string gzip = tmp.file("ratings.csv.gz");
    test::writeFile(empty, "");
    test::writeFile(binary, std::string("1,2,3\n\0\0\0", 9));
    test::writeFile(gzip, std::string("\x1f\x8b\x08\x00\x00", 5));
    auto messageOf = [](const std::string& path) {
        try {
            checkTextFile(path, "ratings file");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(messageOf(missing).find("does not exist"), std::string::npos);
    EXPECT_NE(messageOf(missing).find(missing), std::string::npos);
    EXPECT_NE(messageOf(tmp.path()).find("is a directory"), std::string::npos);
    EXPECT_NE(messageOf(empty).find("is empty"), std::string::npos);
    EXPECT_NE(messageOf(binary).find("not a text file"), std::string::npos);
    EXPECT_NE(messageOf(gzip).find("gzip"), std::string::npos);
    test::writeFile(empty, "1,2,3\n");
    EXPECT_EQ(checkTextFile(empty, "ratings file"), 6u);
}

TEST(CsvFieldSplitter, CommaFieldsAreTrimmedAndEmptyFieldsKept) {
    FieldSplitter s(Delimiter::character(','), true);
    const auto& f = s.split(" 1 , 2,,4 ,");
    ASSERT_EQ(f.size(), 5u);
    EXPECT_EQ(f[0], "1");
    EXPECT_EQ(f[1], "2");
    EXPECT_EQ(f[2], "");
    EXPECT_EQ(f[3], "4");
    EXPECT_EQ(f[4], "");
}

TEST(CsvFieldSplitter, QuotedFieldsKeepDelimitersAndUndoubleQuotes) {
    FieldSplitter s(Delimiter::character(','), true);
    const auto& f = s.split("11,\"Cry, the Beloved \"\"Country\"\" (1995)\",Drama|War, \"x\"");
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(f[0], "11");
    EXPECT_EQ(f[1], "Cry, the Beloved \"Country\" (1995)");
    EXPECT_EQ(f[2], "Drama|War");
    EXPECT_EQ(f[3], "x");
    FieldSplitter unquoted(Delimiter::character(','), false);
    EXPECT_EQ(unquoted.split("\"a,b\",c").size(), 3u);
}

TEST(CsvFieldSplitter, WhitespaceAndMultiCharacterDelimiters) {
    FieldSplitter ws(Delimiter::whitespace(), false);
    const auto& f = ws.split("  308 \t 12   4 ");
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0], "308");
    EXPECT_EQ(f[2], "4");
    FieldSplitter dat(Delimiter::text("::"), false);
    const auto& g = dat.split("1::Toy Story (1995)::Animation|Children's");
    ASSERT_EQ(g.size(), 3u);
    EXPECT_EQ(g[1], "Toy Story (1995)");
}

TEST(CsvFieldSplitter, DelimiterParseUnderstandsNames) {
    EXPECT_EQ(Delimiter::parse("tab").ch(), '\t');
    EXPECT_EQ(Delimiter::parse("\\t").ch(), '\t');
    EXPECT_EQ(Delimiter::parse(";").ch(), ';');
    EXPECT_EQ(Delimiter::parse("space").kind(), Delimiter::Kind::Whitespace);
    EXPECT_EQ(Delimiter::parse("::").kind(), Delimiter::Kind::Text);
    EXPECT_EQ(Delimiter::parse("pipe").describe(), "pipe");
    EXPECT_THROW(Delimiter::parse(""), Error);
}

TEST(ImportValueParsing, Rewards) {
    double v = 0;
    EXPECT_EQ(parseReward("4", v), NumberStatus::Ok);
    EXPECT_EQ(v, 4.0);
    EXPECT_EQ(parseReward("3.5", v), NumberStatus::Ok);
    EXPECT_EQ(v, 3.5);
    EXPECT_EQ(parseReward("+2", v), NumberStatus::Ok);
    EXPECT_EQ(v, 2.0);
    EXPECT_EQ(parseReward("-1e1", v), NumberStatus::Ok);
    EXPECT_EQ(v, -10.0);
    EXPECT_EQ(parseReward("", v), NumberStatus::Empty);
    EXPECT_EQ(parseReward("abc", v), NumberStatus::NotANumber);
    EXPECT_EQ(parseReward("4x", v), NumberStatus::NotANumber);
    EXPECT_EQ(parseReward("+-1", v), NumberStatus::NotANumber);
    EXPECT_EQ(parseReward("nan", v), NumberStatus::NonFinite);
    EXPECT_EQ(parseReward("inf", v), NumberStatus::NonFinite);
    EXPECT_EQ(parseReward("-Infinity", v), NumberStatus::NonFinite);
    EXPECT_EQ(parseReward("1e999", v), NumberStatus::NonFinite);
    EXPECT_EQ(parseReward("1e-999", v), NumberStatus::Ok);
}

TEST(ImportValueParsing, TimestampsEpochAndIso8601) {
    int64_t t = 0;
    EXPECT_TRUE(parseTimestamp("964982703", t));
    EXPECT_EQ(t, 964982703);
    EXPECT_TRUE(parseTimestamp("964982703.75", t));
    EXPECT_EQ(t, 964982703);
    EXPECT_TRUE(parseTimestamp("-0.5", t));
    EXPECT_EQ(t, -1);
    EXPECT_TRUE(parseTimestamp("1970-01-01", t));
    EXPECT_EQ(t, 0);
    EXPECT_TRUE(parseTimestamp("2020-01-31", t));
    EXPECT_EQ(t, 1580428800);
    EXPECT_TRUE(parseTimestamp("2020-01-31T12:00:00", t));
    EXPECT_EQ(t, 1580472000);
    EXPECT_TRUE(parseTimestamp("2020-01-31 12:00:00", t));
    EXPECT_EQ(t, 1580472000);
    EXPECT_TRUE(parseTimestamp("2020-01-31T12:00", t));
    EXPECT_EQ(t, 1580472000);
    EXPECT_TRUE(parseTimestamp("2020-01-31T12:00:00.123Z", t));
    EXPECT_EQ(t, 1580472000);
    EXPECT_TRUE(parseTimestamp("2020-01-31T14:00:00+02:00", t));
    EXPECT_EQ(t, 1580472000);
    EXPECT_TRUE(parseTimestamp("2020-01-31T07:00:00-0500", t));
    EXPECT_EQ(t, 1580472000);
    EXPECT_TRUE(parseTimestamp("2000-02-29", t));
    EXPECT_TRUE(parseTimestamp("1969-12-31", t));
    EXPECT_EQ(t, -86400);
    EXPECT_FALSE(parseTimestamp("2019-02-29", t));
    EXPECT_FALSE(parseTimestamp("2020-13-01", t));
    EXPECT_FALSE(parseTimestamp("2020-01-31T25:00:00", t));
    EXPECT_FALSE(parseTimestamp("2020-01-31X", t));
    EXPECT_FALSE(parseTimestamp("31/01/2020", t));
    EXPECT_FALSE(parseTimestamp("yesterday", t));
    EXPECT_FALSE(parseTimestamp("", t));
    EXPECT_FALSE(parseTimestamp("12.", t));
}

TEST(ImportValueParsing, Latin1TitlesBecomeUtf8AndUtf8IsKept) {
    EXPECT_EQ(toUtf8("Les Mis\xe9rables (1995)"), "Les Mis\xc3\xa9rables (1995)");
    EXPECT_EQ(toUtf8("Les Mis\xc3\xa9rables (1995)"), "Les Mis\xc3\xa9rables (1995)");
    EXPECT_EQ(toUtf8("plain"), "plain");
    EXPECT_FALSE(isValidUtf8("\xc3"));
    EXPECT_FALSE(isValidUtf8("\xc0\xaf"));  // overlong
    EXPECT_TRUE(isValidUtf8("\xe2\x82\xac"));
}

TEST(ImportDuplicateCounter, CountsRepeatsWithAndWithoutTime) {
    std::mt19937 rng(7);
    for (bool withTime : {true, false}) {
        DuplicateCounter counter(withTime);
        std::vector<std::tuple<int32_t, int32_t, int64_t>> rows;
        for (int k = 0; k < 200000; ++k) {
            rows.emplace_back(rng() % 3000, rng() % 500, rng() % 4);
            counter.add(std::get<0>(rows.back()), std::get<1>(rows.back()), std::get<2>(rows.back()));
        }
        auto keys = rows;
        if (!withTime) {
            for (auto& r : keys) {
                std::get<2>(r) = 0;
            }
        }
        std::sort(keys.begin(), keys.end());
        const auto distinct = std::unique(keys.begin(), keys.end()) - keys.begin();
        EXPECT_EQ(counter.count(), static_cast<int64_t>(rows.size()) - distinct) << "withTime " << withTime;
    }
    DuplicateCounter empty(true);
    EXPECT_EQ(empty.count(), 0);
}

}  // namespace
}  // namespace tiltbench
