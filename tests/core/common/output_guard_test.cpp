// OutputGuard (common/output_guard.h): what an output may replace, compared by device and inode; progress
// files; AtomicFile's recognisable temporary files and their cleanup.
#include "common/output_guard.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "common/error.h"
#include "store/workspace.h"
#include "support/test_support.h"

using tiltbench::Error;
using tiltbench::OutputGuard;
using tiltbench::test::pathExists;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

namespace {

// The message of the Error `f` throws ("" when it throws none).
template <typename F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST(OutputGuard, RefusesTheWorkspaceItsSideFilesAndInputsUnderAnyName) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    { tiltbench::Workspace w(ws, tiltbench::OpenMode::CreateIfMissing); }
    const std::string input = tmp.file("in.csv");
    writeFile(input, "a,b\n");
    ASSERT_EQ(::symlink(ws.c_str(), tmp.file("sym").c_str()), 0);
    ASSERT_EQ(::link(input.c_str(), tmp.file("hard.csv").c_str()), 0);
    ASSERT_EQ(::mkdir(tmp.file("sub").c_str(), 0755), 0);
    OutputGuard guard;
    guard.protectWorkspace(ws);
    guard.protectInput(input);
    for (const std::string& path :
         {ws, tmp.file("sym"), tmp.file("sub/../ws.sqlite"), ws + "-wal", ws + "-shm", ws + "-journal"}) {
        const std::string e = errorOf([&] { guard.checkNotProtected(path, "output"); });
        EXPECT_NE(e.find("the workspace"), std::string::npos) << path << ": " << e;
        EXPECT_NE(e.find(path), std::string::npos) << e;
    }
    for (const std::string& path : {input, tmp.file("hard.csv")}) {
        const std::string e = errorOf([&] { guard.checkOutput(path, "output"); });
        EXPECT_NE(e.find("an input"), std::string::npos) << path << ": " << e;
    }
    EXPECT_EQ(errorOf([&] { guard.checkOutput(tmp.file("new.csv"), "output"); }), "");
    writeFile(tmp.file("old.csv"), "x\n");
    EXPECT_EQ(errorOf([&] { guard.checkOutput(tmp.file("old.csv"), "output"); }), "");
}

TEST(OutputGuard, RefusesAnySqliteDatabaseDirectoryOrDevice) {
    TempDir tmp;
    const std::string db = tmp.file("other.bin");
    tiltbench::test::execSql(db, "CREATE TABLE t(x);");
    const OutputGuard guard;
    EXPECT_NE(errorOf([&] { guard.checkOutput(db, "output"); }).find("SQLite database"), std::string::npos);
    EXPECT_NE(errorOf([&] { guard.checkOutput(tmp.path(), "output"); }).find("directory"), std::string::npos);
    EXPECT_NE(errorOf([&] { guard.checkOutput("/dev/null", "output"); }).find("not a regular file"),
              std::string::npos);
}

TEST(OutputGuard, ProgressFileIsNewEmptyFifoDescriptorOrAnEarlierProgressFile) {
    TempDir tmp;
    const OutputGuard guard;
    auto ok = [&](const std::string& path) { return errorOf([&] { guard.checkProgressFile(path, "--p"); }); };
    EXPECT_EQ(ok(tmp.file("new.jsonl")), "");
    writeFile(tmp.file("empty"), "");
    EXPECT_EQ(ok(tmp.file("empty")), "");
    writeFile(tmp.file("earlier.jsonl"), "{\"event\":\"run\",\"run_id\":3}\n{\"event\":\"progress\"}\n");
    EXPECT_EQ(ok(tmp.file("earlier.jsonl")), "");
    ASSERT_EQ(::mkfifo(tmp.file("fifo").c_str(), 0600), 0);
    EXPECT_EQ(ok(tmp.file("fifo")), "");
    EXPECT_EQ(ok("/dev/fd/2"), "");
    for (const std::string& content : {std::string("notes\n"), std::string("{\"a\":1}\n"),
                                       std::string("{\"event\":\"run\"}"),  // no complete first line
                                       std::string("[1,2]\nmore\n")}) {
        writeFile(tmp.file("foreign"), content);
        EXPECT_NE(ok(tmp.file("foreign")).find("not a Tiltbench progress file"), std::string::npos)
            << content;
    }
    const std::string db = tmp.file("db");
    tiltbench::test::execSql(db, "CREATE TABLE t(x);");
    EXPECT_NE(ok(db).find("SQLite database"), std::string::npos);
    // An inherited descriptor open on the workspace (or any database) is refused too.
    OutputGuard withWorkspace;
    withWorkspace.protectWorkspace(db);
    const int fd = ::open(db.c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    const std::string e =
        errorOf([&] { withWorkspace.checkProgressFile("/proc/self/fd/" + std::to_string(fd), "--p"); });
    EXPECT_NE(e.find("the workspace"), std::string::npos) << e;
    EXPECT_NE(errorOf([&] { guard.checkProgressFile("fd:" + std::to_string(fd), "--p"); }).find("SQLite"),
              std::string::npos);
    ::close(fd);
}

TEST(OutputGuard, InheritedDescriptorNames) {
    EXPECT_EQ(tiltbench::inheritedDescriptor("fd:3"), 3);
    EXPECT_EQ(tiltbench::inheritedDescriptor("/dev/fd/12"), 12);
    EXPECT_EQ(tiltbench::inheritedDescriptor("/proc/self/fd/0"), 0);
    for (const char* other :
         {"fd:", "fd:-1", "fd:x", "/dev/fd/", "/dev/fd/1/x", "fd:99999999999", "out.jsonl"})
        EXPECT_EQ(tiltbench::inheritedDescriptor(other), -1) << other;
}

TEST(OutputGuard, TemporaryFilesOfDeadWritersAreRemovedOthersKept) {
    TempDir tmp;
    const std::string target = tmp.file("out.csv");
    const std::string mine = tiltbench::temporaryFilePattern(target);
    EXPECT_EQ(mine.rfind(tmp.path() + "/.tiltbench-tmp-" + std::to_string(::getpid()) + "-out.csv-", 0), 0u)
        << mine;
    // A process that has exited: its pid no longer runs.
    const pid_t dead = ::fork();
    if (dead == 0)
        _exit(0);
    ::waitpid(dead, nullptr, 0);
    const std::string stale = tmp.file(".tiltbench-tmp-" + std::to_string(dead) + "-out.csv-abc123");
    const std::string live = tmp.file(".tiltbench-tmp-" + std::to_string(::getpid()) + "-out.csv-def456");
    const std::string unrelated = tmp.file(".tiltbench-tmp-notapid");
    for (const auto& f : {stale, live, unrelated})
        writeFile(f, "partial");
    EXPECT_EQ(tiltbench::removeStaleTemporaryFiles(target), 1);
    EXPECT_FALSE(pathExists(stale));
    EXPECT_TRUE(pathExists(live));
    EXPECT_TRUE(pathExists(unrelated));
}
