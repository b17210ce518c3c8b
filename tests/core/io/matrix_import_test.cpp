// Dense rating matrices (Coat layout): training matrix plus a randomly exposed test matrix in one id space.
#include <gtest/gtest.h>

#include "common/error.h"
#include "import_fixture.h"

namespace tiltbench::test {
namespace {

class MatrixImport : public ImportFixture {};

TEST_F(MatrixImport, TrainAndRandomTestShareIds) {
    const auto train = write("train.ascii", "0 4 0 1\r\n0 0 0 0\r\n5 0 2 0\r\n");
    const auto test = write("test.ascii", "3 0 0 0\r\n0 2 0 0\r\n0 0 0 1\r\n");
    auto req = request("coat", ImportFormat::Matrix, {train});
    req.randomTestFile = test;
    const auto report = run(req);
    EXPECT_EQ(report.format, ImportFormat::Matrix);
    EXPECT_EQ(report.rowsRead, 4);
    EXPECT_EQ(report.dataset.rows, 4);
    EXPECT_EQ(report.dataset.randomTestRows, 3);
    EXPECT_FALSE(report.dataset.hasTime);
    const auto l = log(report);
    // Row 1 has no training rating, so only the test set introduces user "1".
    EXPECT_EQ(l.userIds, (std::vector<std::string>{"0", "2", "1"}));
    EXPECT_EQ(l.itemIds, (std::vector<std::string>{"1", "3", "0", "2"}));
    EXPECT_EQ(pairs(l), (std::vector<std::pair<std::string, std::string>>{
                            {"0", "1"}, {"0", "3"}, {"2", "0"}, {"2", "2"}}));
    EXPECT_EQ(l.ts, (std::vector<int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(l.reward, (std::vector<double>{4, 1, 5, 2}));
    ASSERT_EQ(l.randomTest.size(), 3u);
    EXPECT_EQ(l.userIds[l.randomTest[0].user], "0");
    EXPECT_EQ(l.itemIds[l.randomTest[0].item], "0");
    EXPECT_EQ(l.randomTest[0].reward, 3);
    EXPECT_EQ(l.userIds[l.randomTest[1].user], "1");
    EXPECT_EQ(l.itemIds[l.randomTest[2].item], "3");
}

TEST_F(MatrixImport, AutoDetectsAWideSparseMatrix) {
    const auto train =
        write("train.ascii", "0 0 0 5 0 0 0 0 0 0 0 1\n0 3 0 0 0 0 0 0 0 0 0 0\n0 0 0 0 0 0 2 0 0 0 0 0\n");
    const auto report = run(request("m", ImportFormat::Auto, {train}));
    EXPECT_EQ(report.format, ImportFormat::Matrix);
    EXPECT_EQ(report.dataset.rows, 4);
    EXPECT_EQ(report.dataset.users, 3);
}

TEST_F(MatrixImport, TestMatrixOfAnotherWidthIsAnError) {
    const auto train = write("train.ascii", "0 4 0 1\n5 0 2 0\n");
    const auto test = write("test.ascii", "3 0 0\n");
    auto req = request("coat", ImportFormat::Matrix, {train});
    req.randomTestFile = test;
    try {
        run(req);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("has 3 columns but the training matrix has 4"),
                  std::string::npos)
            << e.what();
    }
    expectWorkspaceEmpty();
}

TEST_F(MatrixImport, BadCellsAndShortRowsAreProblems) {
    const auto train = write("train.ascii", "0 4 0 1\n5 x 2 0\n1 1\n0 nan 0 0\n");
    try {
        run(request("m", ImportFormat::Matrix, {train}));
        FAIL() << "expected ImportError";
    } catch (const ImportError& e) {
        ASSERT_EQ(e.problems().size(), 3u);
        EXPECT_EQ(e.problems()[0].kind, "bad_number");
        EXPECT_EQ(e.problems()[0].line, 2);
        EXPECT_NE(e.problems()[0].message.find("column 1"), std::string::npos) << e.problems()[0].message;
        EXPECT_EQ(e.problems()[1].kind, "field_count");
        EXPECT_EQ(e.problems()[1].line, 3);
        EXPECT_EQ(e.problems()[2].kind, "non_finite");
    }
    expectWorkspaceEmpty();
    auto skip = request("m", ImportFormat::Matrix, {train});
    skip.onError = OnError::Skip;
    const auto report = run(skip);
    EXPECT_EQ(report.dataset.rows, 4);
    EXPECT_EQ(report.rowsSkipped, 3);
}

TEST_F(MatrixImport, AllZeroMatrixIsAnError) {
    const auto train = write("train.ascii", "0 0 0\n0 0 0\n");
    EXPECT_THROW(run(request("m", ImportFormat::Matrix, {train})), Error);
    expectWorkspaceEmpty();
}

TEST_F(MatrixImport, RandomTestFileNeedsTheMatrixFormat) {
    const auto data = write("r.csv", "1,2,3\n");
    auto req = request("m", ImportFormat::Csv, {data});
    req.randomTestFile = data;
    EXPECT_THROW(run(req), Error);
    expectWorkspaceEmpty();
}

}  // namespace
}  // namespace tiltbench::test
