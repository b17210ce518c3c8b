// One text policy at the boundary (issue 13, section 5): ids and titles are stored as UTF-8 (Latin-1 bytes
// converted), dataset names are UTF-8 without control characters, and a refused name leaves the workspace as
// it was.
#include <gtest/gtest.h>

#include "common/error.h"
#include "import_fixture.h"
#include "io/text_encoding.h"

namespace tiltbench::test {
namespace {

class TextPolicy : public ImportFixture {};

TEST_F(TextPolicy, Latin1IdsAreStoredAsUtf8AndMeetTheirUtf8Spelling) {
    // "caf\xE9" is Latin-1 for "café"; the second row spells the same id in UTF-8.
    const auto path =
        write("latin1.csv", "user,item,rating\nb\xE9\x62\xE9,caf\xE9,4\n2,caf\xC3\xA9,5\n3,plain,1\n");
    const auto report = run(request("latin1", ImportFormat::Csv, {path}));
    const auto l = log(report);
    EXPECT_EQ(report.dataset.items, 2);
    for (const auto& id : l.itemIds)
        EXPECT_TRUE(isValidUtf8(id)) << id;
    for (const auto& id : l.userIds)
        EXPECT_TRUE(isValidUtf8(id)) << id;
    const auto p = pairs(l);
    EXPECT_EQ(p[0].first,
              "b\xC3\xA9"
              "b\xC3\xA9");
    EXPECT_EQ(p[0].second, "caf\xC3\xA9");
    EXPECT_EQ(p[0].second, p[1].second);
}

TEST_F(TextPolicy, NamesMustBeUtf8WithoutControlCharacters) {
    const auto path = write("ok.csv", "user,item,rating\n1,2,3\n");
    const std::pair<std::string, std::string> bad[] = {
        {"\xFF\xFE", "not valid UTF-8"},    {"two\nlines", "control character"},
        {"tab\there", "control character"}, {"c1\xC2\x85", "control character"},
        {"del\x7F", "control character"},   {std::string(kMaxNameBytes + 1, 'n'), "at most"},
    };
    for (const auto& [name, hint] : bad) {
        try {
            run(request(name, ImportFormat::Csv, {path}));
            FAIL() << "expected the name to be refused";
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(hint), std::string::npos) << what;
            EXPECT_TRUE(isValidUtf8(what)) << what;
            EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        }
    }
    expectWorkspaceEmpty();
    // Ordinary non-ASCII names are fine.
    EXPECT_NO_THROW(run(request("Bewertungen – Köln 2024", ImportFormat::Csv, {path})));
}

}  // namespace
}  // namespace tiltbench::test
