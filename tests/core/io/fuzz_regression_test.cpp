// Replays the fuzzers' inputs with the normal build (no libFuzzer, no sanitizers): every input that once made
// a fuzz target fail (tests/data/fuzz_regressions/<target>/) and every seed (fuzz/corpus/<target>/) goes
// through the same entry function as the libFuzzer targets (fuzz/fuzz_entry.cpp). Each must import or fail
// with a tiltbench::Error — never another exception type or a broken consistency check. See
// docs/RELIABILITY.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_entry.h"
#include "import_fixture.h"
#include "io/text_encoding.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace tiltbench::test {
namespace {

using fuzz::Outcome;
using fuzz::Target;

std::vector<std::string> filesIn(const std::string& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return files;
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Runs one stored input; a failure names the file and what escaped.
std::optional<Outcome> replay(Target target, const std::string& path) {
    const std::string data = readFile(path);
    try {
        return fuzz::runOne(target, reinterpret_cast<const uint8_t*>(data.data()), data.size());
    } catch (const std::exception& e) {
        ADD_FAILURE() << path << ": " << e.what();
    } catch (...) {
        ADD_FAILURE() << path << ": an exception of unknown type";
    }
    return std::nullopt;
}

class FuzzRegression : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzRegression, StoredFailingInputsImportOrFailWithAnError) {
    const std::string dir = std::string(TILTBENCH_FUZZ_REGRESSIONS_DIR) + "/" + fuzz::targetName(GetParam());
    for (const auto& path : filesIn(dir)) {
        replay(GetParam(), path);
    }
}

TEST_P(FuzzRegression, SeedCorpusImports) {
    const std::string dir = std::string(TILTBENCH_FUZZ_CORPUS_DIR) + "/" + fuzz::targetName(GetParam());
    const auto seeds = filesIn(dir);
    ASSERT_FALSE(seeds.empty()) << "no seeds in " << dir;
    for (const auto& path : seeds) {
        // The seeds are valid files (some with bad rows that the Skip policy gets past), so the harness must
        // reach a committed import with each of them.
        const auto outcome = replay(GetParam(), path);
        EXPECT_TRUE(outcome == Outcome::Imported) << path << " did not import";
    }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression, ::testing::ValuesIn(fuzz::allTargets()),
                         [](const ::testing::TestParamInfo<Target>& info) {
                             return fuzz::targetName(info.param);
                         });

// The fuzzers' findings, each also checked directly.
class FuzzFindings : public ImportFixture {};

TEST_F(FuzzFindings, ProblemMessagesAndMetaAreUtf8WhateverTheFileHolds) {
    // A Latin-1 byte in a bad value, and a two-byte UTF-8 character across the 40-byte cut of a quoted value:
    // nlohmann::json threw type_error 316 when the meta JSON held such a message (found by fuzz_import_csv).
    const std::string cut = std::string(39, 'x') + "\xc3\xa9yz";
    const auto path = write("log.csv", "u,i,r\n1,2,3\n1,3,caf\xe9\n1,4," + cut + "\n");
    try {
        run(request("x", ImportFormat::Csv, {path}));
        FAIL() << "expected ImportError";
    } catch (const ImportError& e) {
        EXPECT_TRUE(isValidUtf8(e.what())) << e.what();
        ASSERT_EQ(e.problems().size(), 2u);
        EXPECT_NE(e.problems()[0].message.find("\"caf\xc3\xa9\""), std::string::npos)
            << e.problems()[0].message;
        EXPECT_NE(e.problems()[1].message.find("\"" + std::string(39, 'x') + "...\""), std::string::npos)
            << e.problems()[1].message;
    }
    expectWorkspaceEmpty();
    auto skip = request("x", ImportFormat::Csv, {path});
    skip.onError = OnError::Skip;
    const auto report = run(skip);
    EXPECT_EQ(report.dataset.rows, 1);
    for (const auto& p : report.problems) {
        EXPECT_TRUE(isValidUtf8(p.message)) << p.message;
    }
}

TEST_F(FuzzFindings, HeaderNamesThatAreNotUtf8AreStoredConverted) {
    const auto path = write("log.csv",
                            "user,item,r\xe9"
                            "compense\n1,2,3\n");
    const auto report = run(request("x", ImportFormat::Csv, {path}));
    EXPECT_NE(report.dataset.source.find("r\xc3\xa9"
                                         "compense"),
              std::string::npos)
        << report.dataset.source;
}

TEST_F(FuzzFindings, BadRandomTestEntriesAreCountedApartFromSkippedRows) {
    // Found by fuzz_import_matrix and fuzz_import_auto: a skipped test-matrix entry counted as a skipped row,
    // so rows != rows read - rows skipped.
    const auto train = write("train.ascii", "0 4 0 1\n5 0 2 0\n");
    const auto test = write("test.ascii", "3 0 x 0\n0 2 0 0\n");
    auto req = request("coat", ImportFormat::Matrix, {train});
    req.randomTestFile = test;
    req.onError = OnError::Skip;
    const auto report = run(req);
    EXPECT_EQ(report.dataset.rows, 4);
    EXPECT_EQ(report.rowsRead, 4);
    EXPECT_EQ(report.rowsSkipped, 0);
    EXPECT_TRUE(report.skippedByKind.empty());
    EXPECT_EQ(report.randomTestSkipped, 1);
    EXPECT_EQ(report.dataset.randomTestRows, 2);
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_EQ(report.problems[0].file, test);
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("1 bad entry of the random test matrix 'test.ascii'"),
              std::string::npos)
        << report.warnings[0];
}

TEST_F(FuzzFindings, RewardMeanOfHugeRewardsIsFinite) {
    // The harness's invariant on a hand-written input: two rewards of 1e308 summed to infinity. Since issue
    // 13 such rewards are refused at import (kind reward_range); the largest allowed magnitude keeps every
    // statistic finite and exact.
    const auto path = write("log.csv", "1,2,1e15\n1,3,1e15\n2,3,-1e15\n");
    const auto report = run(request("x", ImportFormat::Csv, {path}));
    EXPECT_DOUBLE_EQ(report.dataset.rewardMean, 1e15 / 3);
    EXPECT_EQ(report.dataset.rewardMax, 1e15);
    const auto same = write("same.csv", "1,2,1.7976931348623157e308\n1,3,1.7976931348623157e308\n");
    try {
        run(request("y", ImportFormat::Csv, {same}));
        FAIL() << "expected the rewards to be refused";
    } catch (const ImportError& e) {
        ASSERT_FALSE(e.problems().empty());
        EXPECT_EQ(e.problems()[0].kind, "reward_range");
    }
}

}  // namespace
}  // namespace tiltbench::test
