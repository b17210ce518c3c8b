// The three MovieLens layouts with their titles files, on tiny hand-written copies.
#include <gtest/gtest.h>

#include "common/error.h"
#include "import_fixture.h"

namespace tiltbench::test {
namespace {

class MovieLensImport : public ImportFixture {
  protected:
    static std::string titleOf(const InteractionLog& l, const std::string& itemId) {
        for (size_t i = 0; i < l.itemIds.size(); ++i) {
            if (l.itemIds[i] == itemId) {
                return l.itemTitles[i];
            }
        }
        return "<no such item>";
    }
};

TEST_F(MovieLensImport, Ml100kWithLatin1Titles) {
    const auto data =
        write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t5\t881250950\n");
    const auto items =
        write("u.item",
              "242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|0|0\n"
              "302|Les Mis\xe9rables (1995)|01-Jan-1995||http://x|0|1\n"
              "999|Never Rated (1990)|01-Jan-1990||http://y|0|0\n");
    auto req = request("ml", ImportFormat::Auto, {data});
    req.titlesFile = items;
    const auto report = run(req);
    EXPECT_EQ(report.format, ImportFormat::MovieLens100k);
    EXPECT_EQ(report.dataset.format, "movielens-100k");
    EXPECT_EQ(report.dataset.rows, 3);
    EXPECT_EQ(report.dataset.users, 2);
    EXPECT_EQ(report.dataset.items, 2);
    EXPECT_TRUE(report.dataset.hasTime);
    const auto l = log(report);
    EXPECT_EQ(titleOf(l, "242"), "Kolya (1996)");
    EXPECT_EQ(titleOf(l, "302"), "Les Mis\xc3\xa9rables (1995)");
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("1 title(s) in 'u.item' belong to items without any rating"),
              std::string::npos)
        << report.warnings[0];
}

TEST_F(MovieLensImport, DatRatingsWithMoviesDat) {
    const auto ratings =
        write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
    const auto movies = write("movies.dat",
                              "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n"
                              "661::James and the Giant Peach (1996)::Animation|Children's|Musical\n");
    auto req = request("ml1m", ImportFormat::MovieLensDat, {ratings});
    req.titlesFile = movies;
    const auto report = run(req);
    EXPECT_EQ(report.dataset.rows, 3);
    EXPECT_EQ(report.dataset.users, 2);
    EXPECT_EQ(report.dataset.items, 2);
    EXPECT_TRUE(report.warnings.empty());
    const auto l = log(report);
    EXPECT_EQ(titleOf(l, "661"), "James and the Giant Peach (1996)");
    EXPECT_EQ(l.ts.front(), 978300760);
}

TEST_F(MovieLensImport, CsvWithQuotedTitlesAndCrlf) {
    const auto ratings =
        write("ratings.csv",
              "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,11,4.5,964981247\r\n"
              "2,1,0.5,964982224\r\n");
    const auto movies = write("movies.csv",
                              "movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n"
                              "11,\"American President, The (1995)\",Comedy|Drama|Romance\r\n"
                              "12,\"Film with \"\"quotes\"\", and commas (2001)\",Drama\r\n");
    auto req = request("latest", ImportFormat::Auto, {ratings});
    req.titlesFile = movies;
    const auto report = run(req);
    EXPECT_EQ(report.format, ImportFormat::MovieLensCsv);
    EXPECT_EQ(report.dataset.rows, 3);
    EXPECT_EQ(report.dataset.rewardMin, 0.5);
    EXPECT_EQ(report.dataset.rewardMax, 4.5);
    const auto l = log(report);
    EXPECT_EQ(titleOf(l, "11"), "American President, The (1995)");
    EXPECT_EQ(titleOf(l, "1"), "Toy Story (1995)");
    ASSERT_EQ(report.warnings.size(), 1u);  // movie 12 was never rated
}

TEST_F(MovieLensImport, CsvFormatInsistsOnTheMovieLensHeader) {
    const auto ratings = write("ratings.csv", "user,item,rating,ts\n1,1,4,5\n");
    try {
        run(request("x", ImportFormat::MovieLensCsv, {ratings}));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("userId,movieId,rating,timestamp"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find(ratings), std::string::npos) << e.what();
    }
    expectWorkspaceEmpty();
}

TEST_F(MovieLensImport, TitlesFileThatMatchesNothingIsAWarningNotAFailure) {
    const auto data = write("u.data", "1\t2\t3\t4\n");
    const auto items = write("u.item", "50|Star Wars (1977)|01-Jan-1977||x\nbroken line without pipes\n");
    auto req = request("ml", ImportFormat::MovieLens100k, {data});
    req.titlesFile = items;
    const auto report = run(req);
    EXPECT_EQ(report.dataset.rows, 1);
    ASSERT_EQ(report.warnings.size(), 3u);
    EXPECT_NE(report.warnings[1].find("(first: line 2)"), std::string::npos) << report.warnings[1];
    EXPECT_NE(report.warnings[2].find("No title"), std::string::npos);
}

}  // namespace
}  // namespace tiltbench::test
