// The bad-input table (issue 7), end to end through tiltbench-cli: one case per class of bad or unusual
// input. Each is either a clear error — non-zero exit, a message naming the file (and the line and field
// where there is one) — that leaves the workspace exactly as it was (integrity check, table row counts and
// the dataset catalogue compared before and after, read with the sqlite3 shell, independent of Tiltbench's
// code), or a documented acceptance whose result is checked. A file that changes while it is read is tested
// in-process (core/io/import_changing_file_test.cpp), where the change can be timed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/test_support.h"

using nlohmann::json;
using tiltbench::test::runProcess;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

namespace {

constexpr auto cli = &tiltbench::test::runCli;

// What "unchanged" means, read with the sqlite3 shell: integrity, row counts of every data table, and the
// catalogue rows.
std::string fingerprint(const std::string& ws) {
    const auto r = runProcess({tiltbench::test::kSqlite3Shell, ws,
                               "PRAGMA integrity_check; SELECT count(*) FROM datasets; SELECT count(*) FROM "
                               "interactions; SELECT count(*) FROM items; SELECT count(*) FROM users; SELECT "
                               "id, name, rows, users, items FROM datasets ORDER BY id;"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("ok\n", 0), 0u) << r.out;
    return r.out;
}

struct Case {
    const char* name;
    std::string content;  // written to the file (unless `path` says otherwise)
    std::vector<std::string> options;
    // Rejected: every fragment must appear in the message. Accepted: the expected row count.
    std::vector<std::string> mustSay;
    int64_t acceptedRows = -1;
    std::string titles;  // movielens-100k: u.item content
};

Case rejected(const char* name, std::string content, std::vector<std::string> options,
              std::vector<std::string> mustSay) {
    return Case{name, std::move(content), std::move(options), std::move(mustSay), -1, {}};
}

Case accepted(const char* name, std::string content, std::vector<std::string> options, int64_t rows,
              std::string titles = {}) {
    return Case{name, std::move(content), std::move(options), {}, rows, std::move(titles)};
}

std::string ml100kItems(const std::string& title2) {
    return "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n2|" + title2 +
           "|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n";
}

std::vector<Case> cases() {
    const std::vector<std::string> csv = {"-f", "csv"};
    std::string binary("PK\x03\x04\x00\x00\x08\x00", 8);
    for (int i = 0; i < 600; ++i) {
        binary += static_cast<char>((i * 37) % 256);
    }
    return {
        rejected("empty", "", csv, {"bad.txt", "empty"}),
        rejected("header_only", "user,item,rating\n", csv, {"bad.txt", "no"}),
        rejected("wrong_field_count", "user,item,rating\nu1,a,5\nu2,b\nu3,c,4\n", csv, {"bad.txt", "line 3"}),
        rejected("non_numeric_reward", "user,item,rating\nu1,a,5\nu2,b,five\n", csv,
                 {"bad.txt", "line 3", "reward"}),
        rejected("nan_reward", "user,item,rating\nu1,a,5\nu2,b,nan\n", csv, {"bad.txt", "line 3", "reward"}),
        rejected("infinite_reward", "user,item,rating\nu1,a,inf\nu2,b,3\n", csv,
                 {"bad.txt", "line 2", "reward"}),
        rejected("huge_reward", "user,item,rating\nu1,a,1e400\nu2,b,3\n", csv,
                 {"bad.txt", "line 2", "reward"}),
        rejected("binary", binary, csv, {"bad.txt"}),
        // Accepted, documented: ids are opaque strings, so negative or huge ones are just names.
        accepted("negative_and_huge_ids", "user,item,rating\n-5,a,5\n123456789012345678901234567890,-7,3\n",
                 csv, 2),
        // Accepted: duplicates are kept and counted (the import report's "duplicates").
        accepted("duplicate_rows", "user,item,rating\nu1,a,5\nu1,a,5\nu2,b,3\n", csv, 3),
        accepted("mixed_line_endings", "user,item,rating\r\nu1,a,5\nu2,b,3\r\nu3,c,1\n", csv, 3),
        accepted("byte_order_mark", "\xEF\xBB\xBFuser,item,rating\nu1,a,5\nu2,b,3\n", csv, 2),
        accepted("one_line", "user,item,rating\nu1,a,5\n", csv, 1),
        accepted("one_user", "user,item,rating\nu1,a,5\nu1,b,3\nu1,c,4\n", csv, 3),
        // Accepted: a title that is not UTF-8 is read as Latin-1 (what ML-100K's u.item is) and stored as
        // UTF-8.
        accepted("invalid_utf8_title", "1\t1\t5\t881250949\n1\t2\t3\t881250950\n", {"-f", "movielens-100k"},
                 2, ml100kItems("Caf\xE9 \xFF\xFE (1995)")),
    };
}

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

class BadInput : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(BadInput, IsAClearErrorThatLeavesTheWorkspaceAsItWasOrADocumentedAcceptance) {
    const Case& c = GetParam();
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    const std::string good = tmp.file("good.csv");
    writeFile(good, "user,item,rating\nu1,a,5\nu2,b,3\nu3,c,4\n");
    ASSERT_EQ(cli({"import", "-w", ws, "-f", "csv", "-n", "good", good}).exitCode, 0);
    const std::string before = fingerprint(ws);

    const std::string file = tmp.file("bad.txt");
    writeFile(file, c.content);
    std::vector<std::string> args = {"import", "-w", ws, "-n", "new", "--json"};
    args.insert(args.end(), c.options.begin(), c.options.end());
    if (!c.titles.empty()) {
        const std::string titles = tmp.file("u.item");
        writeFile(titles, c.titles);
        args.insert(args.end(), {"--titles", titles});
    }
    args.push_back(file);
    const auto r = cli(args);
    if (c.acceptedRows < 0) {
        EXPECT_NE(r.exitCode, 0) << c.name << ": accepted\n" << r.out;
        const std::string message = r.err + r.out;
        for (const std::string& fragment : c.mustSay) {
            EXPECT_NE(message.find(fragment), std::string::npos) << c.name << ": no '" << fragment << "' in\n"
                                                                 << message;
        }
        EXPECT_EQ(fingerprint(ws), before) << c.name;
    } else {
        ASSERT_EQ(r.exitCode, 0) << c.name << "\n" << r.err;
        EXPECT_EQ(json::parse(r.out).value("rows", int64_t{-1}), c.acceptedRows) << r.out;
        const auto info = cli({"info", "-w", ws, "-d", "new", "--json"});
        ASSERT_EQ(info.exitCode, 0) << info.err;
        if (!c.titles.empty()) {
            // Valid UTF-8 in the workspace, read back by the sqlite3 shell.
            const auto title = runProcess(
                {tiltbench::test::kSqlite3Shell, ws, "SELECT title FROM items WHERE external_id = '2'"});
            EXPECT_NE(title.out.find("Caf\xC3\xA9"), std::string::npos) << title.out;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Table, BadInput, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return std::string(info.param.name);
                         });

TEST(BadInputFiles, MissingFileAndDirectoryAreErrorsNamingThemAndLeaveTheWorkspace) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    const std::string good = tmp.file("good.csv");
    writeFile(good, "user,item,rating\nu1,a,5\nu2,b,3\n");
    ASSERT_EQ(cli({"import", "-w", ws, "-f", "csv", "-n", "good", good}).exitCode, 0);
    const std::string before = fingerprint(ws);
    for (const std::string& path : {tmp.file("absent.csv"), tmp.path()}) {
        const auto r = cli({"import", "-w", ws, "-f", "csv", "-n", "new", path});
        EXPECT_NE(r.exitCode, 0) << path;
        EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
        EXPECT_EQ(fingerprint(ws), before) << path;
    }
}
