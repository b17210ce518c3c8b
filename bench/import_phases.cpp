// import_phases: runs one import through core's importDataset, like `tiltbench-cli import`, and prints how
// long each phase took, taken from the progress callback's stage changes:
//
//   startup   process start → main()            (shared-library loading and static initialisers)
//   plan      main() → first "reading" report    (open workspace, sniff, BEGIN, insert dataset row)
//   read      first → last "reading" report      (parse + id maps on this thread; SQLite inserts overlap on
//                                                 the store's writer thread)
//   drain     last "reading" → "writing users and items"  (duplicate sort, then waiting for the writer)
//   ids       → "committing"                     (users and items tables)
//   commit    → importDataset returns            (COMMIT, including SQLite's WAL auto-checkpoint)
//   close     → workspace closed                 (final checkpoint, WAL removed)
//
// It is linked with --as-needed and uses nothing from core/runtime, so unlike tiltbench-cli it does not load
// LibTorch: the difference in `startup` is what the CLI pays for linking torch into every command.
//
//   import_phases WORKSPACE movielens-100k u.data
//   import_phases WORKSPACE csv FILE            (tab-separated, no header, columns user item rating time)
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "io/import.h"
#include "store/workspace.h"

namespace {

using Clock = std::chrono::steady_clock;

// Seconds since this process started (/proc/self/stat field 22, in clock ticks since boot).
double secondsSinceProcessStart() {
    FILE* f = std::fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // Field 22 (starttime) counts after the ")" that closes the command name.
    const std::string s(buf);
    size_t p = s.rfind(')');
    if (p == std::string::npos)
        return -1;
    int field = 2;
    unsigned long long start = 0;
    for (size_t i = p + 1; i < s.size() && field < 22; ++i) {
        if (s[i] == ' ') {
            ++field;
            if (field == 22)
                start = std::strtoull(s.c_str() + i + 1, nullptr, 10);
        }
    }
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    return static_cast<double>(now.tv_sec) + now.tv_nsec * 1e-9 - static_cast<double>(start) / ticks;
}

}  // namespace

int main(int argc, char** argv) {
    const double startup = secondsSinceProcessStart();
    const auto t0 = Clock::now();
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s WORKSPACE movielens-100k|csv FILE\n", argv[0]);
        return 2;
    }
    try {
        tiltbench::ImportRequest req;
        req.name = "bench";
        req.format = tiltbench::parseFormatName(argv[2]);
        req.files = {argv[3]};
        if (req.format == tiltbench::ImportFormat::Csv) {
            req.csv.delimiter = '\t';
            req.csv.header = false;
            req.csv.userCol = "0";
            req.csv.itemCol = "1";
            req.csv.rewardCol = "2";
            req.csv.timeCol = "3";
        }
        struct Mark {
            std::string stage;
            Clock::time_point at;
        };
        std::vector<Mark> marks;
        Clock::time_point lastReading{};
        auto progress = [&](const tiltbench::Progress& p) {
            const auto now = Clock::now();
            if (p.stage.rfind("reading", 0) == 0) {
                if (marks.empty() || marks.back().stage != "read")
                    marks.push_back({"read", now});
                lastReading = now;
            } else if (marks.empty() || marks.back().stage != p.stage) {
                marks.push_back({p.stage, now});
            }
            return true;
        };
        tiltbench::ImportReport report;
        Clock::time_point done, closed;
        {
            tiltbench::Workspace ws(argv[1], tiltbench::OpenMode::CreateIfMissing);
            report = tiltbench::importDataset(ws, req, progress);
            done = Clock::now();
        }
        closed = Clock::now();

        auto secs = [](Clock::time_point a, Clock::time_point b) {
            return std::chrono::duration<double>(b - a).count();
        };
        auto at = [&](const std::string& stage, Clock::time_point fallback) {
            for (const auto& m : marks)
                if (m.stage == stage)
                    return m.at;
            return fallback;
        };
        const auto readStart = at("read", t0);
        const auto idsStart = at("writing users and items", lastReading);
        const auto commitStart = at("committing", idsStart);
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        std::printf(
            "rows %lld  startup %.3f  plan %.3f  read %.3f  drain %.3f  ids %.3f  commit %.3f  close %.3f  "
            "total-in-process %.3f  cpu user %.3f sys %.3f  maxrss %ld MiB\n",
            static_cast<long long>(report.dataset.rows), startup, secs(t0, readStart),
            secs(readStart, lastReading), secs(lastReading, idsStart), secs(idsStart, commitStart),
            secs(commitStart, done), secs(done, closed), secs(t0, closed),
            ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6,
            ru.ru_maxrss / 1024);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "import_phases: %s\n", e.what());
        return 1;
    }
    return 0;
}
