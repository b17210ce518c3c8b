// One text policy at the boundary (issue 13, section 5): ids and titles are stored as UTF-8 (Latin-1 bytes
// converted), dataset names are UTF-8 without control characters, and a refused name leaves the workspace as
// it was.
#include <gtest/gtest.h>

#include "common/error.h"
#include "import_fixture.h"
#include "io/text_encoding.h"

#include <nlohmann/json.hpp>

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

// A workspace may hold bytes that are not UTF-8 (written by an older version, or crafted): every --json
// output is still valid JSON (it used to fail as a whole with nlohmann's type_error 316) and the plain
// listing shows the name on one line.
TEST_F(TextPolicy, JsonOutputIsValidWhateverTheWorkspaceHolds) {
    const auto path = write("ok.csv", "user,item,rating\n1,caf\xC3\xA9,3\n2,x,4\n");
    run(request("legacy", ImportFormat::Csv, {path}));
    m_ws.reset();
    const std::string ws = m_tmp.file("workspace.sqlite");
    execSql(ws,
            "UPDATE datasets SET name = 'bad' || char(10) || x'FFFE' || 'name', meta = '{not json'; "
            "UPDATE id_chunks SET text = CAST(replace(text, x'C3A9', x'E9FF') AS BLOB) WHERE kind = 'item';");
    const auto listed = runCli({"datasets", "-w", ws, "--json"});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    const auto j = nlohmann::json::parse(listed.out);
    const std::string name = j.at("datasets").at(0).at("name").get<std::string>();
    EXPECT_TRUE(isValidUtf8(name)) << name;
    EXPECT_TRUE(j.at("datasets").at(0).at("meta").is_null()) << listed.out;  // not "<discarded>"
    const auto plain = runCli({"datasets", "-w", ws});
    ASSERT_EQ(plain.exitCode, 0) << plain.err;
    EXPECT_NE(plain.out.find("bad\\x0A"), std::string::npos) << plain.out;
    const auto info = runCli({"info", "-w", ws, "-d", "bad\n\xFF\xFEname", "--json"});
    ASSERT_EQ(info.exitCode, 0) << info.err;
    EXPECT_NO_THROW(nlohmann::json::parse(info.out)) << info.out;
}

}  // namespace
}  // namespace tiltbench::test
