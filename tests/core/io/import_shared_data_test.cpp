// Exact figures on the real datasets in ../shared/data (skipped where the folder is absent). Import speed is
// printed for information only; nothing here asserts on time.
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "import_fixture.h"

namespace tiltbench::test {
namespace {

class ImportSharedData : public ImportFixture {
  protected:
    static std::string data(const std::string& rel) { return sharedDataDir() + "/" + rel; }

    static void printSpeed(const std::string& what, const ImportReport& r) {
        std::cout << "[ import   ] " << what << ": " << r.dataset.rows << " rows in " << r.seconds << " s ("
                  << static_cast<int64_t>(static_cast<double>(r.dataset.rows) / r.seconds) << " rows/s)\n";
    }
};

TEST_F(ImportSharedData, MovieLens100k) {
    REQUIRE_SHARED_DATA("ml-100k");
    auto req = request("ml-100k", ImportFormat::Auto, {data("ml-100k/u.data")});
    req.titlesFile = data("ml-100k/u.item");
    const auto report = run(req);
    printSpeed("ml-100k", report);
    EXPECT_EQ(report.format, ImportFormat::MovieLens100k);
    EXPECT_EQ(report.rowsRead, 100000);
    EXPECT_EQ(report.dataset.rows, 100000);
    EXPECT_EQ(report.dataset.users, 943);
    EXPECT_EQ(report.dataset.items, 1682);
    EXPECT_TRUE(report.dataset.hasTime);
    EXPECT_EQ(report.duplicates, 0);
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    const auto l = log(report);
    EXPECT_EQ(rewardCounts(l),
              (std::map<double, int64_t>{{1, 6110}, {2, 11370}, {3, 27145}, {4, 34174}, {5, 21201}}));
    EXPECT_EQ(*std::min_element(l.ts.begin(), l.ts.end()), 874724710);
    EXPECT_EQ(*std::max_element(l.ts.begin(), l.ts.end()), 893286638);
    int titled = 0;
    for (size_t i = 0; i < l.itemIds.size(); ++i) {
        titled += !l.itemTitles[i].empty();
        if (l.itemIds[i] == "1") {
            EXPECT_EQ(l.itemTitles[i], "Toy Story (1995)");
        }
    }
    EXPECT_EQ(titled, 1682);
}

TEST_F(ImportSharedData, MovieLensLatestSmall) {
    REQUIRE_SHARED_DATA("ml-latest-small");
    auto req = request("ml-latest-small", ImportFormat::Auto, {data("ml-latest-small/ratings.csv")});
    req.titlesFile = data("ml-latest-small/movies.csv");
    const auto report = run(req);
    printSpeed("ml-latest-small", report);
    EXPECT_EQ(report.format, ImportFormat::MovieLensCsv);
    EXPECT_EQ(report.dataset.rows, 100836);
    EXPECT_EQ(report.dataset.users, 610);
    EXPECT_EQ(report.dataset.items, 9724);
    const auto l = log(report);
    const auto counts = rewardCounts(l);
    EXPECT_EQ(counts.at(0.5), 1370);
    EXPECT_EQ(counts.at(3.0), 20047);
    EXPECT_EQ(counts.at(5.0), 13211);
    // movies.csv lists 9,742 movies of which 9,724 were rated.
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("18 title(s)"), std::string::npos) << report.warnings[0];
    for (size_t i = 0; i < l.itemIds.size(); ++i) {
        if (l.itemIds[i] == "11") {
            EXPECT_EQ(l.itemTitles[i], "American President, The (1995)");
        }
        EXPECT_FALSE(l.itemTitles[i].empty()) << l.itemIds[i];
    }
}

TEST_F(ImportSharedData, CoatTrainWithRandomTest) {
    REQUIRE_SHARED_DATA("coat");
    auto req = request("coat", ImportFormat::Auto, {data("coat/train.ascii")});
    req.randomTestFile = data("coat/test.ascii");
    const auto report = run(req);
    EXPECT_EQ(report.format, ImportFormat::Matrix);
    EXPECT_EQ(report.dataset.rows, 6960);
    EXPECT_EQ(report.dataset.randomTestRows, 4640);
    EXPECT_EQ(report.dataset.users, 290);
    EXPECT_EQ(report.dataset.items, 300);
    const auto l = log(report);
    EXPECT_EQ(rewardCounts(l),
              (std::map<double, int64_t>{{1, 1901}, {2, 1437}, {3, 1717}, {4, 1275}, {5, 630}}));
    std::map<double, int64_t> testCounts;
    std::set<int32_t> testUsers;
    for (const auto& e : l.randomTest) {
        ++testCounts[e.reward];
        testUsers.insert(e.user);
    }
    EXPECT_EQ(testCounts, (std::map<double, int64_t>{{1, 1879}, {2, 899}, {3, 1002}, {4, 641}, {5, 219}}));
    EXPECT_EQ(testUsers.size(), 290u);
}

TEST_F(ImportSharedData, FilmTrustInParts) {
    REQUIRE_SHARED_DATA("filmtrust");
    std::vector<std::string> parts;
    for (int k = 0; k < 4; ++k) {
        parts.push_back(data("filmtrust/rating/ratings_" + std::to_string(k) + ".txt"));
    }
    const auto report = run(request("filmtrust", ImportFormat::Auto, parts));
    EXPECT_EQ(report.format, ImportFormat::Csv);
    EXPECT_EQ(report.dataset.rows, 35497);
    EXPECT_EQ(report.dataset.users, 1508);
    EXPECT_EQ(report.dataset.items, 2071);
    EXPECT_FALSE(report.dataset.hasTime);
    // One exact repeat and two more re-rated pairs: 3 user-item pairs seen twice.
    EXPECT_EQ(report.duplicates, 3);
    const auto counts = rewardCounts(log(report));
    EXPECT_EQ(counts.at(0.5), 1060);
    EXPECT_EQ(counts.at(4.0), 9171);
}

}  // namespace
}  // namespace tiltbench::test
