// buildNewWorkspace: a new workspace is built aside and appears at its path only once complete, never
// replacing a file, and leaves nothing behind when it fails.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/output_guard.h"
#include "store/dataset_writer.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::readFile;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

namespace {

std::vector<std::string> listFolder(const std::string& folder) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(folder.c_str());
    if (!dir)
        return names;
    while (const dirent* e = ::readdir(dir)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..")
            names.push_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

void writeTwoRows(Workspace& ws) {
    auto w = ws.createDataset({"d", "test", "{}"});
    const int32_t a = w->userIndex("a");
    const int32_t x = w->itemIndex("x"), y = w->itemIndex("y");
    w->add(a, x, 5.0, 1);
    w->add(a, y, 2.0, 2);
    w->commit();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST(BuildNewWorkspace, PublishesACompleteWalWorkspaceAndNothingElse) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    int calls = 0;
    bool visibleDuringFill = true;
    ASSERT_TRUE(buildNewWorkspace(path, [&](Workspace& ws) {
        ++calls;
        EXPECT_EQ(ws.path(), path);  // messages name the workspace, not the temporary file
        writeTwoRows(ws);
        visibleDuringFill = exists(path);
    }));
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(visibleDuringFill) << "the workspace appeared before it was complete";
    EXPECT_EQ(listFolder(tmp.path()), std::vector<std::string>{"ws.sqlite"});

    // WAL mode is in the header (bytes 18 and 19 are 2), as for a workspace created in place.
    const std::string bytes = readFile(path);
    ASSERT_GT(bytes.size(), 20u);
    EXPECT_EQ(bytes[18], 2);
    EXPECT_EQ(bytes[19], 2);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    const mode_t mask = ::umask(0);
    ::umask(mask);
    EXPECT_EQ(st.st_mode & 0777, 0644 & ~mask);

    Workspace ws(path);
    EXPECT_EQ(ws.schemaVersion(), Workspace::kSchemaVersion);
    const InteractionLog log = ws.loadLog(ws.datasetByName("d").id);
    EXPECT_EQ(log.reward, (std::vector<double>{5.0, 2.0}));
    // A second writer can add to it the usual way.
    auto w = ws.createDataset({"e", "test", "{}"});
    w->add(w->userIndex("u"), w->itemIndex("i"), 1.0, 0);
    EXPECT_EQ(w->commit().rows, 1);
}

TEST(BuildNewWorkspace, AFailedFillLeavesNoFileAtAll) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    EXPECT_THROW(buildNewWorkspace(path,
                                   [&](Workspace& ws) {
                                       writeTwoRows(ws);
                                       throw Error("bad input on line 3");
                                   }),
                 Error);
    EXPECT_TRUE(listFolder(tmp.path()).empty());
}

TEST(BuildNewWorkspace, AnExistingPathIsLeftToTheUsualWay) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        writeTwoRows(ws);
    }
    const std::string before = readFile(path);
    bool called = false;
    EXPECT_FALSE(buildNewWorkspace(path, [&](Workspace&) { called = true; }));
    EXPECT_FALSE(called);
    EXPECT_EQ(readFile(path), before);
}

TEST(BuildNewWorkspace, AFileThatAppearsMeanwhileIsNeverReplaced) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    // Another process creates the path while this one builds: link() refuses, the other file stays.
    EXPECT_FALSE(buildNewWorkspace(path, [&](Workspace& ws) {
        writeTwoRows(ws);
        writeFile(path, "someone else's file\n");
    }));
    EXPECT_EQ(readFile(path), "someone else's file\n");
    EXPECT_EQ(listFolder(tmp.path()), std::vector<std::string>{"ws.sqlite"});
}

TEST(BuildNewWorkspace, RemovesTheTemporaryFilesOfAKilledBuild) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    // The temporary file name of a process that no longer runs (a child that has exited and been reaped).
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    std::string stale = temporaryFilePattern(path);
    const std::string ownTag = ".tiltbench-tmp-" + std::to_string(::getpid()) + "-";
    const size_t at = stale.rfind(ownTag);
    ASSERT_NE(at, std::string::npos) << stale;
    stale.replace(at, ownTag.size(), ".tiltbench-tmp-" + std::to_string(child) + "-");
    stale.replace(stale.size() - 6, 6, "abcdef");
    writeFile(stale, "half a workspace");
    ASSERT_TRUE(exists(stale));
    ASSERT_TRUE(buildNewWorkspace(path, writeTwoRows));
    EXPECT_EQ(listFolder(tmp.path()), std::vector<std::string>{"ws.sqlite"});
}
