// Workspace open modes (store/workspace.h): only CreateIfMissing creates or initialises a file; a reader
// (OpenMode::ReadOnly) never creates, initialises or sets up anything (issue 13, sections 7 and 8).
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "store/workspace.h"
#include "support/test_support.h"

using tiltbench::Error;
using tiltbench::OpenMode;
using tiltbench::Workspace;
using tiltbench::test::pathExists;
using tiltbench::test::readFile;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

TEST(WorkspaceOpenModes, OnlyCreateIfMissingTurnsAnEmptyFileIntoAWorkspace) {
    TempDir tmp;
    const std::string empty = tmp.file("empty.sqlite");
    writeFile(empty, "");
    for (const OpenMode mode : {OpenMode::ReadOnly, OpenMode::OpenExisting}) {
        try {
            Workspace ws(empty, mode);
            ADD_FAILURE() << "an empty file opened as a workspace";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("empty file"), std::string::npos) << e.what();
        }
        EXPECT_EQ(readFile(empty), "");
    }
    EXPECT_THROW(Workspace(tmp.file("missing.sqlite"), OpenMode::ReadOnly), Error);
    EXPECT_FALSE(pathExists(tmp.file("missing.sqlite")));
    // An SQLite database without tables (made by another tool) is not a workspace for readers either.
    const std::string bare = tmp.file("bare.sqlite");
    tiltbench::test::execSql(bare, "CREATE TABLE x(a); DROP TABLE x;");
    const std::string bareBefore = readFile(bare);
    EXPECT_THROW(Workspace(bare, OpenMode::ReadOnly), Error);
    EXPECT_EQ(readFile(bare), bareBefore);
    { Workspace ws(empty, OpenMode::CreateIfMissing); }
    Workspace reader(empty, OpenMode::ReadOnly);
    EXPECT_EQ(reader.schemaVersion(), Workspace::kSchemaVersion);
    EXPECT_TRUE(reader.datasets().empty());
}

TEST(WorkspaceOpenModes, AReaderLeavesTheJournalModeAsTheFileHasIt) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    { Workspace ws(path, OpenMode::CreateIfMissing); }
    // Someone switched the file to a rollback journal (e.g. to copy it somewhere WAL does not work).
    tiltbench::test::execSql(path, "PRAGMA journal_mode = DELETE;");
    { Workspace reader(path, OpenMode::ReadOnly); }
    const auto mode =
        tiltbench::test::runProcess({tiltbench::test::kSqlite3Shell, path, "PRAGMA journal_mode;"});
    EXPECT_EQ(mode.out, "delete\n");
    { Workspace writer(path, OpenMode::OpenExisting); }
    const auto after =
        tiltbench::test::runProcess({tiltbench::test::kSqlite3Shell, path, "PRAGMA journal_mode;"});
    EXPECT_EQ(after.out, "wal\n");
}

// ReadOnlyStrict (a data-parallel rank other than 0) never upgrades an older schema, even in a writable file
// (rank 0 may be upgrading it at that moment).
TEST(WorkspaceOpenModes, AStrictReaderNeverUpgradesAWritableWorkspace) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    { Workspace ws(path, OpenMode::CreateIfMissing); }
    tiltbench::test::execSql(path, "PRAGMA user_version = 3;");
    const std::string before = readFile(path);
    try {
        Workspace strict(path, OpenMode::ReadOnlyStrict);
        ADD_FAILURE() << "an older schema opened without its upgrade";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("must be upgraded"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("only reads it"), std::string::npos) << e.what();
    }
    EXPECT_EQ(readFile(path), before);
    tiltbench::test::execSql(path,
                             "PRAGMA user_version = " + std::to_string(Workspace::kSchemaVersion) + ";");
    Workspace strict(path, OpenMode::ReadOnlyStrict);
    EXPECT_EQ(strict.schemaVersion(), Workspace::kSchemaVersion);
}
