#pragma once
// Where Tiltbench finds its own executables — the one locator for both: the GUI looking for `tiltbench-cli`
// (which runs everything that needs LibTorch in a child process) and the torch-free `tiltbench-cli` looking
// for `tiltbench-cli-torch` (which it execs for the commands that need LibTorch). In order: the environment
// variable (tests, unusual layouts), then folders relative to the running executable (build tree and
// installed layout), then PATH where the search allows it. Torch-free and Qt-free.
#include <string>
#include <vector>

namespace tiltbench::engine {

struct ExecutableSearch {
    std::string name;                          // file name
    std::string environment;                   // variable that names the file, tried first
    std::vector<std::string> relativeFolders;  // relative to the running executable's folder
    bool searchPath = false;
};

// tiltbench-cli from the GUI: $TILTBENCH_CLI, beside the GUI (installed: both in bin/), the build tree's
// app/cli next to app/gui, then PATH.
const ExecutableSearch& cliSearch();
// tiltbench-cli-torch from tiltbench-cli: $TILTBENCH_CLI_TORCH, beside it (build tree), then
// ../libexec/tiltbench/ (installed). Never PATH: only the one built with this CLI will do.
const ExecutableSearch& torchCliSearch();

// The running executable's folder (/proc/self/exe), "." when it cannot be read.
std::string selfDirectory();
// The places searched, in order (PATH not included).
std::vector<std::string> candidates(const ExecutableSearch& search,
                                    const std::string& selfDir = selfDirectory());
// The first candidate that is an executable regular file, then PATH's; empty when none is.
std::string locate(const ExecutableSearch& search, const std::string& selfDir = selfDirectory());
// "tiltbench-cli was not found (looked at: …, PATH). Build it (target tiltbench-cli) or set TILTBENCH_CLI to
// its path." — for an error that says what to fix.
std::string notFoundMessage(const ExecutableSearch& search, const std::string& selfDir = selfDirectory());

}  // namespace tiltbench::engine
