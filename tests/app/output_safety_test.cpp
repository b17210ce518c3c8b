// Outputs, read-only places and signals (issue 13, sections 3, 7 and 8), end to end through tiltbench-cli:
// no output path ever destroys the workspace, another database or an input; reading commands work on a
// read-only workspace in a read-only folder and never create or change a file; SIGTERM and SIGHUP cancel
// train and export cleanly like Ctrl-C; argument errors are refused before a run is recorded.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/test_support.h"

using nlohmann::json;
using tiltbench::test::pathExists;
using tiltbench::test::readFile;
using tiltbench::test::runCli;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace output_safety_test_file {

namespace {

using Clock = std::chrono::steady_clock;

json cliJson(const std::vector<std::string>& args) {
    const auto r = runCli(args);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return json::parse(r.out.empty() ? "{}" : r.out, nullptr, false);
}

std::string sql(const std::string& ws, const std::string& statement) {
    const auto r = tiltbench::test::runProcess({tiltbench::test::kSqlite3Shell, ws, statement});
    EXPECT_EQ(r.exitCode, 0) << statement << ": " << r.err;
    return r.out;
}

// A workspace with a small simulated dataset "sim" and one finished popularity run (id 1).
std::string workspaceWithRun(const TempDir& tmp, const std::string& name = "ws.sqlite") {
    const std::string ws = tmp.file(name);
    cliJson({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "40", "--interactions", "900",
             "--json"});
    cliJson({"train", "-w", ws, "-d", "sim", "-m", "popularity", "--bootstrap", "0", "--json"});
    return ws;
}

std::vector<std::string> filesIn(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            const std::string n = e->d_name;
            if (n != "." && n != "..")
                out.push_back(n);
        }
        ::closedir(d);
    }
    return out;
}

int runsWithStatus(const std::string& ws, const std::string& status) {
    return std::stoi(sql(ws, "SELECT count(*) FROM runs WHERE status = '" + status + "';"));
}

}  // namespace

// Section 3: `export -o` the workspace used to exit 0 and replace it with a CSV.
TEST(OutputSafety, ExportNeverReplacesTheWorkspaceAnotherDatabaseOrADevice) {
    TempDir tmp;
    const std::string ws = workspaceWithRun(tmp);
    const std::string before = readFile(ws);
    ASSERT_EQ(::symlink(ws.c_str(), tmp.file("link.sqlite").c_str()), 0);
    const std::string other = tmp.file("other.db");
    tiltbench::test::execSql(other, "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    const std::string otherBefore = readFile(other);
    for (const std::string& out :
         {ws, tmp.file("link.sqlite"), ws + "-wal", other, std::string("/dev/null")}) {
        // safetensors writes a second file beside the first: both go through the same check.
        const char* format = out == ws ? "safetensors" : "topk-csv";
        const auto r = runCli({"export", "-w", ws, "--run", "1", "-f", format, "-o", out});
        EXPECT_EQ(r.exitCode, 1) << out << " " << format << ": " << r.err;
        EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("refusing"), std::string::npos) << r.err;
    }
    EXPECT_EQ(readFile(ws), before);
    EXPECT_EQ(readFile(other), otherBefore);
    EXPECT_EQ(sql(ws, "PRAGMA integrity_check;"), "ok\n");
    // An ordinary file is still replaced, as documented.
    writeFile(tmp.file("old.csv"), "old\n");
    const auto ok = runCli({"export", "-w", ws, "--run", "1", "-f", "topk-csv", "-o", tmp.file("old.csv")});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_EQ(readFile(tmp.file("old.csv")).rfind("user,rank,item", 0), 0u);
}

// Section 3: `train --progress-jsonl w.sqlite` used to truncate the workspace before anything else.
TEST(OutputSafety, ProgressFileIsNewEmptyOrAnEarlierProgressFileNeverAnythingElse) {
    TempDir tmp;
    const std::string ws = workspaceWithRun(tmp);
    const std::string before = readFile(ws);
    const std::string notes = tmp.file("notes.txt");
    writeFile(notes, "my notes\n");
    const std::string other = tmp.file("other.db");
    tiltbench::test::execSql(other, "CREATE TABLE t(x);");
    const std::vector<std::string> train = {"train",      "-w",          ws, "-d", "sim", "-m",
                                            "popularity", "--bootstrap", "0"};
    for (const std::string& target : {ws, ws + "-shm", notes, other, tmp.file("link.sqlite")}) {
        if (target == tmp.file("link.sqlite")) {
            ASSERT_EQ(::symlink(ws.c_str(), target.c_str()), 0);
        }
        auto args = train;
        args.insert(args.end(), {"--progress-jsonl", target});
        const auto r = runCli(args);
        EXPECT_EQ(r.exitCode, 1) << target << ": " << r.err;
        EXPECT_NE(r.err.find("--progress-jsonl"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(target), std::string::npos) << r.err;
    }
    EXPECT_EQ(readFile(ws), before);
    EXPECT_EQ(readFile(notes), "my notes\n");
    EXPECT_EQ(runsWithStatus(ws, "failed"), 0);
    // Accepted: a new file, an empty one, and an earlier progress file (replaced).
    const std::string progress = tmp.file("progress.jsonl");
    writeFile(tmp.file("empty.jsonl"), "");
    for (const std::string& target : {progress, tmp.file("empty.jsonl"), progress}) {
        auto args = train;
        args.insert(args.end(), {"--progress-jsonl", target});
        const auto r = runCli(args);
        EXPECT_EQ(r.exitCode, 0) << target << ": " << r.err;
        const std::string text = readFile(target);
        EXPECT_NE(text.find("\"finished\""), std::string::npos) << text;
        EXPECT_EQ(text.find("\"finished\""), text.rfind("\"finished\""))
            << "appended, not replaced: " << text;
    }
}

// Section 3: an import never writes its workspace over one of its inputs.
TEST(OutputSafety, ImportRefusesAWorkspaceThatIsOneOfItsInputs) {
    TempDir tmp;
    const std::string log = tmp.file("log.csv");
    const std::string content = "user,item,rating,ts\nu1,a,5,1\nu1,b,4,2\nu2,a,3,3\nu2,b,2,4\n";
    writeFile(log, content);
    ASSERT_EQ(::symlink(log.c_str(), tmp.file("alias.sqlite").c_str()), 0);
    for (const std::string& ws : {log, tmp.file("alias.sqlite")}) {
        const auto r = runCli({"import", "-w", ws, "-n", "x", "-f", "csv", log});
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_NE(r.err.find("an input"), std::string::npos) << r.err;
    }
    EXPECT_EQ(readFile(log), content);
}

// Section 8: reading commands never create or change files (`datasets` used to turn a 0-byte file into a
// workspace).
TEST(ReadOnlyPlaces, ReadingCommandsNeverCreateOrChangeAFile) {
    TempDir tmp;
    const std::string empty = tmp.file("empty.sqlite");
    writeFile(empty, "");
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"datasets", "-w", empty},
                                               {"runs", "-w", empty},
                                               {"info", "-w", empty, "-d", "x"},
                                               {"weights", "-w", empty, "-d", "x"},
                                               {"train", "-w", empty, "-d", "x", "-m", "popularity"}}) {
        const auto r = runCli(args);
        EXPECT_EQ(r.exitCode, 1) << args[0] << ": " << r.err;
        EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
        EXPECT_EQ(readFile(empty), "") << args[0];
    }
    EXPECT_EQ(filesIn(tmp.path()).size(), 1u);
}

namespace {

// Runs tiltbench-cli as an unprivileged user when the tests run as root (root may write anything, so a
// read-only folder would not be read-only for it); returns false when that is impossible.
bool canDropPrivileges() {
    return ::geteuid() != 0 || pathExists("/usr/bin/setpriv");
}

tiltbench::test::ProcessResult runCliUnprivileged(const std::vector<std::string>& args) {
    if (::geteuid() != 0)
        return runCli(args);
    std::vector<std::string> full = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                     tiltbench::test::cliPath()};
    full.insert(full.end(), args.begin(), args.end());
    return tiltbench::test::runProcess(full);
}

}  // namespace

// Section 7: a workspace in a read-only folder used to be "not a Tiltbench workspace … attempt to write a
// readonly database", even for `datasets`.
TEST(ReadOnlyPlaces, ReadingCommandsWorkOnAReadOnlyWorkspaceInAReadOnlyFolder) {
    if (!canDropPrivileges())
        GTEST_SKIP() << "running as root without /usr/bin/setpriv: cannot make a folder read-only";
    TempDir tmp;
    const std::string dir = tmp.file("ro");
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    const std::string ws = dir + "/ws.sqlite";
    cliJson({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "40", "--interactions", "900"});
    cliJson({"train", "-w", ws, "-d", "sim", "-m", "markov", "--bootstrap", "0"});
    const std::string outDir = tmp.file("out");
    ASSERT_EQ(::mkdir(outDir.c_str(), 0777), 0);
    ASSERT_EQ(::chmod(outDir.c_str(), 0777), 0);
    ASSERT_EQ(::chmod(tmp.path().c_str(), 0755), 0);
    ASSERT_EQ(::chmod(ws.c_str(), 0444), 0);
    ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
    const std::string before = readFile(ws);
    const std::vector<std::vector<std::string>> reading = {
        {"datasets", "-w", ws, "--json"},
        {"info", "-w", ws, "-d", "sim", "--json"},
        {"runs", "-w", ws, "--json"},
        {"weights", "-w", ws, "-d", "sim", "--json"},
        {"eval", "-w", ws, "--run", "1", "--json"},
        {"recommend", "-w", ws, "--run", "1", "--user", "u1", "--json"},
        {"export", "-w", ws, "--run", "1", "-f", "topk-csv", "-o", outDir + "/top.csv", "--json"}};
    for (const auto& args : reading) {
        const auto r = runCliUnprivileged(args);
        EXPECT_EQ(r.exitCode, 0) << args[0] << ": " << r.err;
        EXPECT_FALSE(json::parse(r.out, nullptr, false).contains("error")) << r.out;
    }
    EXPECT_TRUE(pathExists(outDir + "/top.csv"));
    EXPECT_EQ(filesIn(dir), std::vector<std::string>{"ws.sqlite"});
    EXPECT_EQ(readFile(ws), before);
    // Writing commands say why they cannot write.
    const auto train = runCliUnprivileged({"train", "-w", ws, "-d", "sim", "-m", "popularity"});
    EXPECT_EQ(train.exitCode, 1);
    EXPECT_NE(train.err.find("cannot write to workspace"), std::string::npos) << train.err;
    EXPECT_NE(train.err.find("not writable"), std::string::npos) << train.err;
    const auto import = runCliUnprivileged({"generate", "-w", dir + "/new.sqlite", "-n", "x"});
    EXPECT_EQ(import.exitCode, 1);
    EXPECT_NE(import.err.find("cannot create workspace"), std::string::npos) << import.err;
    EXPECT_EQ(filesIn(dir), std::vector<std::string>{"ws.sqlite"});
    // A read-only workspace of an older schema cannot be upgraded: an error saying so, the file untouched.
    ::chmod(dir.c_str(), 0755);
    const std::string old = dir + "/old.sqlite";
    cliJson({"generate", "-w", old, "-n", "sim", "--users", "5", "--items", "10", "--interactions", "30"});
    sql(old, "PRAGMA user_version = 3;");
    ASSERT_EQ(::chmod(old.c_str(), 0444), 0);
    ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
    const std::string oldBefore = readFile(old);
    const auto upgrade = runCliUnprivileged({"datasets", "-w", old});
    EXPECT_EQ(upgrade.exitCode, 1);
    EXPECT_NE(upgrade.err.find("must be upgraded"), std::string::npos) << upgrade.err;
    EXPECT_NE(upgrade.err.find("read-only"), std::string::npos) << upgrade.err;
    EXPECT_EQ(readFile(old), oldBefore);
    ::chmod(dir.c_str(), 0755);
}

// Section 8: argument errors are refused before anything is recorded, with the documented limits.
TEST(ArgumentErrors, AreRefusedBeforeARunIsRecordedAndWithinDocumentedLimits) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    cliJson({"generate", "-w", ws, "-n", "sim", "--users", "30", "--items", "20", "--interactions", "300"});
    struct Bad {
        std::vector<std::string> option;
        std::vector<std::string> models;
    };
    const std::vector<Bad> bad = {{{"--k", "0"}, {"markov", "sasrec"}},
                                  {{"--k", "-1"}, {"itemmean"}},
                                  {{"--k", "2147483647"}, {"popularity", "sasrec"}},
                                  {{"--threads", "-1"}, {"markov", "sasrec"}},
                                  {{"--bootstrap", "-1"}, {"popularity"}},
                                  {{"--bootstrap", "2000000000"}, {"markov", "sasrec"}},
                                  {{"--markov-smoothing", "-1"}, {"markov"}},
                                  {{"--itemmean-prior", "-2"}, {"itemmean"}}};
    for (const auto& b : bad) {
        for (const auto& model : b.models) {
            std::vector<std::string> args = {"train", "-w", ws, "-d", "sim", "-m", model, "--epochs", "1"};
            args.insert(args.end(), b.option.begin(), b.option.end());
            const auto r = runCli(args);
            EXPECT_EQ(r.exitCode, 1) << b.option[0] << " " << b.option[1] << " " << model << ": " << r.err;
            EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
        }
    }
    EXPECT_EQ(sql(ws, "SELECT count(*) FROM runs;"), "0\n");
    // Parse errors exit 1, as documented, not CLI11's own codes.
    EXPECT_EQ(runCli({"train", "-w", ws, "--epochs", "x"}).exitCode, 1);
    EXPECT_EQ(runCli({"datasets"}).exitCode, 1);
    EXPECT_EQ(runCli({"datasets", "-w", ws, "--no-such-option"}).exitCode, 1);
    EXPECT_EQ(runCli({"export", "-w", ws, "--run", "1", "-f", "topk-csv", "-o", tmp.file("x.csv"), "--k",
                      "2147483647"})
                  .exitCode,
              1);
}

namespace {

// Waits until `file` holds a line with `needle` (true) or `seconds` pass or the child exits (false).
bool waitForLine(const std::string& file, const std::string& needle, pid_t child, double seconds) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
        if (pathExists(file) && readFile(file).find(needle) != std::string::npos)
            return true;
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

int waitExit(pid_t child) {
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

json lastLine(const std::string& file) {
    std::istringstream in(readFile(file));
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty())
            last = line;
    return json::parse(last, nullptr, false);
}

}  // namespace

// Section 7: SIGTERM and SIGHUP used to kill training with rc 143/129, the run left `interrupted` and no
// `finished` event. Now they cancel like Ctrl-C.
TEST(Signals, TermAndHupCancelTrainingCleanly) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    cliJson({"generate", "-w", ws, "-n", "sim", "--users", "40", "--items", "30", "--interactions", "700"});
    int run = 0;
    for (const int signal : {SIGTERM, SIGHUP}) {
        ++run;
        const std::string progress = tmp.file("progress" + std::to_string(signal) + ".jsonl");
        const pid_t pid = tiltbench::test::spawnCli(
            {"train", "-w",         ws,  "-d",       "sim", "-m",          "sasrec", "--epochs",
             "500",   "--patience", "0", "--dim",    "8",   "--blocks",    "1",      "--max-len",
             "10",    "--threads",  "1", "--device", "cpu", "--bootstrap", "0",      "--progress-jsonl",
             progress},
            true);
        ASSERT_GT(pid, 0);
        ASSERT_TRUE(waitForLine(progress, "\"progress\"", pid, 120)) << "no progress event";
        ::kill(pid, signal);
        EXPECT_EQ(waitExit(pid), 130) << "signal " << signal;
        const json finished = lastLine(progress);
        EXPECT_EQ(finished.value("event", ""), "finished") << finished.dump();
        EXPECT_EQ(finished.value("status", ""), "cancelled") << finished.dump();
        EXPECT_EQ(sql(ws, "SELECT status FROM runs WHERE id = " + std::to_string(run) + ";"), "cancelled\n");
    }
}

// Section 7: an export stopped by SIGTERM removes its temporary file; the temporaries of a SIGKILLed export
// are removed by the next export into that folder.
TEST(Signals, ExportCancelledByTermOrKilledLeavesNoTemporaryFileBehind) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    cliJson(
        {"generate", "-w", ws, "-n", "sim", "--users", "4000", "--items", "1200", "--interactions", "40000"});
    cliJson({"train", "-w", ws, "-d", "sim", "-m", "popularity", "--bootstrap", "0"});
    const std::string outDir = tmp.file("out");
    ASSERT_EQ(::mkdir(outDir.c_str(), 0755), 0);
    for (const int signal : {SIGTERM, SIGHUP, SIGKILL}) {
        const std::string progress = tmp.file("export" + std::to_string(signal) + ".jsonl");
        const pid_t pid = tiltbench::test::spawnCli(
            {"export", "-w", ws, "--run", "1", "-f", "topk-csv", "--k", "1000", "--threads", "1", "-o",
             outDir + "/top.csv", "--progress-jsonl", progress},
            true);
        ASSERT_GT(pid, 0);
        ASSERT_TRUE(waitForLine(progress, "writing", pid, 60)) << "no progress event";
        ::kill(pid, signal);
        const int rc = waitExit(pid);
        if (signal == SIGKILL) {
            EXPECT_EQ(rc, 128 + SIGKILL);
            continue;
        }
        EXPECT_EQ(rc, 130) << "signal " << signal;
        EXPECT_EQ(lastLine(progress).value("status", ""), "cancelled");
        EXPECT_TRUE(filesIn(outDir).empty()) << filesIn(outDir).front();
    }
    // The SIGKILLed export left its temporary file; the next export into the folder removes it.
    EXPECT_EQ(filesIn(outDir).size(), 1u);
    const auto r =
        runCli({"export", "-w", ws, "--run", "1", "-f", "topk-csv", "--k", "1", "-o", outDir + "/small.csv"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(filesIn(outDir), std::vector<std::string>{"small.csv"});
}

namespace {

// Starts tiltbench-cli with stdout to /dev/null and stderr to `errFile`; returns its pid.
pid_t spawnWithStderr(std::vector<std::string> args, const std::string& errFile) {
    args.insert(args.begin(), tiltbench::test::cliPath());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null = ::open("/dev/null", O_WRONLY);
        if (err < 0 || null < 0 || ::dup2(err, 2) < 0 || ::dup2(null, 1) < 0)
            _exit(127);
        ::execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

}  // namespace

// Section 7: a sweep stopped by SIGTERM cancels the run under way (recorded `cancelled`) and plans no more.
TEST(Signals, TermCancelsASweepAtOnce) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    cliJson({"generate", "-w", ws, "-n", "sim", "--users", "40", "--items", "30", "--interactions", "700"});
    const std::string err = tmp.file("sweep.err");
    const pid_t pid = spawnWithStderr(
        {"sweep", "-w",        ws,    "-d",         "sim", "-m",       "sasrec", "--lambdas",
         "inf,1", "--epochs",  "500", "--patience", "0",   "--dim",    "8",      "--blocks",
         "1",     "--max-len", "10",  "--threads",  "1",   "--device", "cpu",    "--bootstrap",
         "0"},
        err);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(waitForLine(err, "epoch   1:", pid, 120)) << readFile(err);
    ::kill(pid, SIGTERM);
    EXPECT_EQ(waitExit(pid), 130) << readFile(err);
    EXPECT_NE(readFile(err).find("terminated by a signal"), std::string::npos) << readFile(err);
    EXPECT_EQ(sql(ws, "SELECT id, status FROM runs;"), "1|cancelled\n");
}

// Section 8: concurrent imports of one name used to print a raw "UNIQUE constraint failed: datasets.name".
namespace {

// A 20,000-row CSV log (500 users, 300 items) for the concurrent-import tests.
void writeConcurrencyLog(const std::string& path) {
    std::ofstream out(path);
    out << "user,item,rating,ts\n";
    for (int i = 0; i < 20000; ++i)
        out << "u" << i % 500 << ",i" << (i * 7) % 300 << "," << 1 + i % 5 << "," << i << "\n";
}

}  // namespace

TEST(ArgumentErrors, ConcurrentImportsOfOneNameSayTheDatasetExists) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    const std::string log = tmp.file("log.csv");
    writeConcurrencyLog(log);
    cliJson({"generate", "-w", ws, "-n", "other", "--users", "5", "--items", "10", "--interactions", "30"});
    std::vector<pid_t> pids;
    for (int k = 0; k < 4; ++k) {
        pids.push_back(spawnWithStderr({"import", "-w", ws, "-n", "same", "-f", "csv", log},
                                       tmp.file("import" + std::to_string(k) + ".err")));
    }
    int ok = 0;
    for (size_t k = 0; k < pids.size(); ++k) {
        const int rc = waitExit(pids[k]);
        const std::string text = readFile(tmp.file("import" + std::to_string(k) + ".err"));
        if (rc == 0) {
            ++ok;
            continue;
        }
        EXPECT_EQ(rc, 1) << text;
        EXPECT_NE(text.find("already has a dataset named 'same'"), std::string::npos) << text;
        EXPECT_EQ(text.find("UNIQUE"), std::string::npos) << text;
    }
    EXPECT_EQ(ok, 1);
    EXPECT_EQ(sql(ws, "SELECT count(*) FROM datasets WHERE name = 'same';"), "1\n");
}

// A new workspace appears whole (store/workspace.h, buildNewWorkspace): four imports started together into a
// path that does not exist yet all succeed — one publishes the workspace, the others find it there and import
// into it the usual way — and nothing but the workspace and its inputs is left in the folder.
TEST(NewWorkspace, ConcurrentImportsIntoAMissingWorkspaceAllLand) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    const std::string log = tmp.file("log.csv");
    writeConcurrencyLog(log);
    std::vector<pid_t> pids;
    for (int k = 0; k < 4; ++k) {
        pids.push_back(spawnWithStderr({"import", "-w", ws, "-n", "d" + std::to_string(k), "-f", "csv", log},
                                       tmp.file("import" + std::to_string(k) + ".err")));
    }
    for (size_t k = 0; k < pids.size(); ++k)
        EXPECT_EQ(waitExit(pids[k]), 0) << readFile(tmp.file("import" + std::to_string(k) + ".err"));
    EXPECT_EQ(sql(ws, "SELECT count(*), sum(rows) FROM datasets;"), "4|80000\n");
    EXPECT_EQ(sql(ws, "PRAGMA journal_mode;"), "wal\n");
    DIR* dir = ::opendir(tmp.path().c_str());
    ASSERT_NE(dir, nullptr);
    while (const dirent* e = ::readdir(dir)) {
        const std::string n = e->d_name;
        EXPECT_TRUE(n == "." || n == ".." || n == "ws.sqlite" || n == "log.csv" || n.rfind("import", 0) == 0)
            << "left behind: " << n;
    }
    ::closedir(dir);
}

// A failed import into a workspace that does not exist yet leaves no file (before, an empty workspace).
TEST(NewWorkspace, AFailedImportLeavesNoWorkspaceFile) {
    TempDir tmp;
    const std::string ws = tmp.file("ws.sqlite");
    const std::string log = tmp.file("log.csv");
    writeFile(log, "user,item,rating,ts\nu1,a,5,1\nu1,b,oops,2\n");
    const auto r = runCli({"import", "-w", ws, "-n", "x", "-f", "csv", log});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
    EXPECT_FALSE(pathExists(ws));
    EXPECT_FALSE(pathExists(ws + "-wal"));
}

}  // namespace output_safety_test_file
