#pragma once
// Helpers shared by the test suites: scratch folders, writing small files, locating ../shared/data and the
// built CLI, and running a child process.
#include <string>
#include <vector>

namespace tiltbench::test {

// A fresh empty folder for one test, removed at destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

  private:
    std::string m_path;
};

void writeFile(const std::string& path, const std::string& content);
std::string readFile(const std::string& path);

// ../shared/data (or $TILTBENCH_SHARED_DATA); empty string if absent.
std::string sharedDataDir();
// GTEST_SKIP()s with a clear message when the folder is missing; use as `REQUIRE_SHARED_DATA("ml-100k");`.
#define REQUIRE_SHARED_DATA(sub)                                                                 \
    do {                                                                                         \
        if (::tiltbench::test::sharedDataDir().empty() ||                                        \
            !::tiltbench::test::pathExists(::tiltbench::test::sharedDataDir() + "/" + (sub))) {  \
            GTEST_SKIP() << "real dataset '" << (sub)                                            \
                         << "' not found: ../shared/data is absent (set TILTBENCH_SHARED_DATA)"; \
        }                                                                                        \
    } while (0)
bool pathExists(const std::string& path);

// Path of the built tiltbench-cli.
std::string cliPath();

struct ProcessResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};
// Runs `args[0]` with the arguments (no shell), capturing stdout and stderr.
ProcessResult runProcess(const std::vector<std::string>& args);
// runProcess of the built tiltbench-cli with `args`.
ProcessResult runCli(std::vector<std::string> args);
// Starts tiltbench-cli with `args` without waiting (stdout and stderr to /dev/null when `quiet`); returns its
// pid
// (-1 when it could not start). The caller reaps it with waitpid.
int spawnCli(std::vector<std::string> args, bool quiet);

// The sqlite3 shell (Debian's `sqlite3`, installed by packaging/install-deps.sh): a reader of workspaces that
// shares no code with Tiltbench.
constexpr const char* kSqlite3Shell = "/usr/bin/sqlite3";

// Runs SQL statements on the file at `path` through a second SQLite connection, as another tool would; a
// failure is a test failure naming the SQLite error and the statements.
void execSql(const std::string& path, const std::string& sql);

}  // namespace tiltbench::test
