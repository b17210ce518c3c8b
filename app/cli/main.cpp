// tiltbench-cli: the headless front end. Argument parsing and output only; all work is done by core.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_commands.h"
#include "common/error.h"
#include "progress_stream.h"
#include "runtime/version.h"
#include "store/workspace.h"
#include "torch_forward.h"

int main(int argc, char** argv) {
    using namespace tiltbench::cli;
    rememberArguments(argc, argv);
    CLI::App app{"Tiltbench: reward-weighted fine-tuning workbench for generative recommenders (headless)",
                 "tiltbench-cli"};
    app.set_version_flag("--version", tiltbench::versionString());
    app.require_subcommand(1);
    app.fallthrough();

    // A command that finds the workspace's write lock taken waits for it (store/workspace.h) and says so.
    tiltbench::Workspace::setDefaultLockWaitCallback(reportLockWait);
    Commands commands;
    commands.registerAll(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 prints the message (or the help / version text); its own codes (104, 105, 109, …) are not
        // ours: an argument error exits 1 like every other error (README, "exit codes").
        return app.exit(e) == 0 ? 0 : 1;
    }
    return commands.run();
}
