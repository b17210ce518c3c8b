// Bad input: every bad-row kind under both policies, unusable files, cancel, duplicates. A failed or
// cancelled import must leave the workspace exactly as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "import_fixture.h"

namespace tiltbench::test {
namespace {

class ImportErrors : public ImportFixture {
  protected:
    std::string errorOf(const ImportRequest& req) {
        try {
            run(req);
        } catch (const Error& e) {
            return e.what();
        }
        return "no error";
    }
};

struct BadRowCase {
    const char* kind;
    const char* row;
    int64_t line;
    const char* field;
    const char* hint;  // a piece of the message
};

const BadRowCase kBadRows[] = {
    {"field_count", "2,20", 3, "row", "expected 4 fields separated by comma, found 2"},
    {"bad_number", "2,20,good,500", 3, "reward", "expected a number, found \"good\""},
    {"bad_number", "2,20,,500", 3, "reward", "found an empty field"},
    {"non_finite", "2,20,nan,500", 3, "reward", "expected a finite number, found \"nan\""},
    {"non_finite", "2,20,inf,500", 3, "reward", "expected a finite number"},
    {"empty_id", ",20,3,500", 3, "user", "the user id is empty"},
    {"empty_id", "2,\"\",3,500", 3, "item", "the item id is empty"},
    {"bad_time", "2,20,3,last tuesday", 3, "timestamp", "found \"last tuesday\""},
    // Finite, but the statistics (sum of squares) would overflow: refused at import (issue 13).
    {"reward_range", "2,20,1e300,500", 3, "reward", "magnitude at most 1e15"},
    {"reward_range", "2,20,-1.7e308,500", 3, "reward", "found \"-1.7e308\""},
};

TEST_F(ImportErrors, EveryBadRowKindFailsTheImportNamingFileLineAndField) {
    int n = 0;
    for (const auto& c : kBadRows) {
        SCOPED_TRACE(c.row);
        const auto path =
            write("bad" + std::to_string(n++) + ".csv",
                  std::string("user,item,rating,timestamp\n1,10,4,100\n") + c.row + "\n3,30,5,700\n");
        try {
            run(request("bad", ImportFormat::Csv, {path}));
            FAIL() << "expected ImportError";
        } catch (const ImportError& e) {
            ASSERT_EQ(e.problems().size(), 1u);
            const auto& p = e.problems()[0];
            EXPECT_EQ(p.kind, c.kind);
            EXPECT_EQ(p.file, path);
            EXPECT_EQ(p.line, c.line);
            EXPECT_EQ(p.field, c.field);
            EXPECT_NE(p.message.find(path + ", line 3"), std::string::npos) << p.message;
            EXPECT_NE(p.message.find(c.hint), std::string::npos) << p.message;
            if (std::string(c.field) != "row") {
                EXPECT_NE(p.message.find(std::string("field \"") + c.field + "\""), std::string::npos)
                    << p.message;
            }
            const std::string what = e.what();
            EXPECT_NE(what.find("1 bad row"), std::string::npos) << what;
            EXPECT_NE(what.find(p.message), std::string::npos) << what;
        }
        expectWorkspaceEmpty();
    }
}

TEST_F(ImportErrors, SkipPolicyImportsTheRestAndCountsPerKind) {
    std::string content = "user,item,rating,timestamp\n1,10,4,100\n";
    for (const auto& c : kBadRows) {
        content += std::string(c.row) + "\n";
    }
    content += "3,30,5,700\n";
    const auto path = write("mixed.csv", content);
    auto req = request("mixed", ImportFormat::Csv, {path});
    req.onError = OnError::Skip;
    const auto report = run(req);
    EXPECT_EQ(report.rowsRead, 12);
    EXPECT_EQ(report.rowsSkipped, 10);
    EXPECT_EQ(report.dataset.rows, 2);
    EXPECT_EQ(
        report.skippedByKind,
        (std::map<std::string, int64_t>{
            {"bad_number", 2}, {"bad_time", 1}, {"empty_id", 2}, {"field_count", 1}, {"non_finite", 2},
            {"reward_range", 2}}));
    EXPECT_EQ(report.problems.size(), 10u);
    EXPECT_EQ(report.problems.front().line, 3);
    const auto meta = nlohmann::json::parse(report.dataset.meta);
    EXPECT_EQ(meta["rows_skipped"], 10);
    EXPECT_EQ(meta["skipped_by_kind"]["empty_id"], 2);
    ASSERT_FALSE(report.warnings.empty());
    EXPECT_NE(report.warnings[0].find("Skipped 10 bad row(s)"), std::string::npos) << report.warnings[0];
}

TEST_F(ImportErrors, FailPolicyStopsAtTwentyProblemsAndSkipKeepsTwentyExamples) {
    std::string content;
    for (int r = 0; r < 30; ++r) {
        content += "1," + std::to_string(r) + ",oops\n";
    }
    content += "1,99,3\n";
    const auto path = write("many.csv", content);
    try {
        run(request("many", ImportFormat::Csv, {path}));
        FAIL() << "expected ImportError";
    } catch (const ImportError& e) {
        EXPECT_EQ(e.problems().size(), 20u);
        EXPECT_NE(std::string(e.what()).find("at least 20 bad rows"), std::string::npos) << e.what();
        EXPECT_EQ(e.problems()[19].line, 20);
    }
    expectWorkspaceEmpty();
    auto skip = request("many", ImportFormat::Csv, {path});
    skip.onError = OnError::Skip;
    const auto report = run(skip);
    EXPECT_EQ(report.rowsSkipped, 30);
    EXPECT_EQ(report.problems.size(), 20u);
    EXPECT_EQ(report.dataset.rows, 1);
}

TEST_F(ImportErrors, SkipWithNothingLeftIsStillAnError) {
    const auto path = write("allbad.csv", "1,2,x\n3,4,y\n");
    auto req = request("allbad", ImportFormat::Csv, {path});
    req.onError = OnError::Skip;
    req.csv.header = false;
    EXPECT_THROW(run(req), ImportError);
    expectWorkspaceEmpty();
}

TEST_F(ImportErrors, UnusableFilesAreErrorsNamingTheFile) {
    const auto empty = write("empty.csv", "");
    const auto blank = write("blank.csv", "\n  \n\n");
    const auto headerOnly = write("header.csv", "userId,movieId,rating,timestamp\n");
    const auto binary = write("binary.csv", std::string("1,2,3\n\0\x01\x02", 9));
    const auto missing = m_tmp.file("missing.csv");
    const auto good = write("good.csv", "1,2,3\n");
    struct Case {
        std::vector<std::string> files;
        std::string path;
        std::string hint;
    } cases[] = {
        {{empty}, empty, "is empty"},
        {{blank}, blank, "no data rows"},
        {{headerOnly}, headerOnly, "no data rows"},
        {{binary}, binary, "not a text file"},
        {{missing}, missing, "does not exist"},
        {{m_tmp.path()}, m_tmp.path(), "is a directory"},
        {{good, empty}, empty, "is empty"},
    };
    for (const auto& c : cases) {
        for (ImportFormat f : {ImportFormat::Auto, ImportFormat::Csv}) {
            const std::string message = errorOf(request("x", f, c.files));
            EXPECT_NE(message.find(c.path), std::string::npos) << message;
            EXPECT_NE(message.find(c.hint), std::string::npos) << message;
        }
    }
    auto withTitles = request("x", ImportFormat::Csv, {good});
    withTitles.titlesFile = missing;
    EXPECT_NE(errorOf(withTitles).find("titles file"), std::string::npos);
    expectWorkspaceEmpty();
}

TEST_F(ImportErrors, PartWithOnlyAHeaderAmongSeveralFilesIsAnError) {
    const auto a = write("a.csv", "user,item,rating\n1,2,3\n");
    const auto b = write("b.csv", "user,item,rating\n");
    const std::string message = errorOf(request("x", ImportFormat::Csv, {a, b}));
    EXPECT_NE(message.find(b + "' has no data rows"), std::string::npos) << message;
    expectWorkspaceEmpty();
}

TEST_F(ImportErrors, CancelFromTheProgressCallbackRollsBack) {
    std::string content;
    for (int r = 0; r < 200000; ++r) {
        content +=
            std::to_string(r % 1000) + "\t" + std::to_string(r % 300) + "\t4\t" + std::to_string(r) + "\n";
    }
    const auto path = write("big.tsv", content);
    int calls = 0;
    EXPECT_THROW(run(request("big", ImportFormat::Csv, {path}),
                     [&](const Progress& p) { return ++calls < 3 || p.done == 0; }),
                 Cancelled);
    EXPECT_GE(calls, 3);
    expectWorkspaceEmpty();
    // Cancelling at the very last moment (while committing) also leaves nothing behind.
    EXPECT_THROW(run(request("big", ImportFormat::Csv, {path}),
                     [](const Progress& p) { return p.stage != "committing"; }),
                 Cancelled);
    expectWorkspaceEmpty();
    // And the workspace is still usable afterwards.
    EXPECT_EQ(run(request("big", ImportFormat::Csv, {path})).dataset.rows, 200000);
}

TEST_F(ImportErrors, FailedImportLeavesEarlierDatasetsUntouched) {
    const auto good = write("good.csv", "1,2,3\n1,3,4\n");
    const auto bad = write("bad.csv", "1,2,3\n1,3,x\n");
    run(request("first", ImportFormat::Csv, {good}));
    const auto before = m_ws->datasets();
    EXPECT_THROW(run(request("second", ImportFormat::Csv, {bad})), ImportError);
    const auto after = m_ws->datasets();
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].name, "first");
    EXPECT_EQ(after[0].rows, before[0].rows);
    EXPECT_EQ(m_ws->loadLog(after[0].id).size(), 2u);
}

TEST_F(ImportErrors, DuplicatesAreCountedWithTimeAndAsPairsWithout) {
    const auto timed = write("timed.csv", "1,2,3,100\n1,2,3,100\n1,2,4,101\n1,2,5,100\n");
    const auto report = run(request("timed", ImportFormat::Csv, {timed}));
    EXPECT_EQ(report.duplicates, 2);
    EXPECT_EQ(report.dataset.rows, 4);
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("2 row(s) repeat an earlier (user, item, timestamp)"),
              std::string::npos);

    const auto untimed = write("untimed.txt", "308 12 4\n308 12 4\n308 207 3\n308 207 2\n1 12 4\n");
    const auto pairsReport = run(request("untimed", ImportFormat::Csv, {untimed}));
    EXPECT_EQ(pairsReport.duplicates, 2);
    EXPECT_NE(nlohmann::json::parse(pairsReport.dataset.meta)["duplicate_key"], "user,item,timestamp");
}

TEST_F(ImportErrors, FormatNamesRoundTripAndUnknownNamesListTheValidOnes) {
    for (const auto& name : formatNames()) {
        EXPECT_EQ(formatName(parseFormatName(name)), name);
    }
    EXPECT_EQ(formatNames(), (std::vector<std::string>{"auto", "movielens-100k", "movielens-dat",
                                                       "movielens-csv", "csv", "matrix"}));
    try {
        parseFormatName("excel");
        FAIL() << "expected Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'excel'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("movielens-100k, movielens-dat, movielens-csv, csv, matrix"),
                  std::string::npos);
    }
}

TEST_F(ImportErrors, TakenDatasetNameIsAnError) {
    const auto good = write("good.csv", "1,2,3\n");
    run(request("same", ImportFormat::Csv, {good}));
    EXPECT_THROW(run(request("same", ImportFormat::Csv, {good})), Error);
    EXPECT_EQ(m_ws->datasets().size(), 1u);
}

}  // namespace
}  // namespace tiltbench::test
