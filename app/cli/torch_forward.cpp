#include "torch_forward.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"
#include "engine/locator.h"

namespace tiltbench::cli {

namespace {
int g_argc = 0;
char** g_argv = nullptr;
}  // namespace

void rememberArguments(int argc, char** argv) {
    g_argc = argc;
    g_argv = argv;
}

int forwardToTorchCli() {
    std::vector<char*> args(g_argv, g_argv + g_argc);
    args.push_back(nullptr);
    const std::string path = engine::locate(engine::torchCliSearch());
    if (path.empty()) {
        throw Error("this command needs LibTorch, which runs in tiltbench-cli-torch: " +
                    engine::notFoundMessage(engine::torchCliSearch()));
    }
    ::execv(path.c_str(), args.data());
    throw Error(fmt::format("cannot start '{}': {}", path, std::strerror(errno)));
}

}  // namespace tiltbench::cli
