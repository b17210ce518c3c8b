#include "torch_forward.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"

namespace tiltbench::cli {

namespace {
int g_argc = 0;
char** g_argv = nullptr;

std::string selfDirectory() {
    std::vector<char> buffer(4096);
    const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (n <= 0) {
        return ".";
    }
    std::string path(buffer.data(), static_cast<size_t>(n));
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::string> candidates() {
    std::vector<std::string> out;
    if (const char* env = std::getenv("TILTBENCH_CLI_TORCH"); env != nullptr && *env != '\0') {
        out.emplace_back(env);
    }
    const std::string dir = selfDirectory();
    out.push_back(dir + "/tiltbench-cli-torch");
    out.push_back(dir + "/../libexec/tiltbench/tiltbench-cli-torch");
    return out;
}
}  // namespace

void rememberArguments(int argc, char** argv) {
    g_argc = argc;
    g_argv = argv;
}

int forwardToTorchCli() {
    std::vector<char*> args(g_argv, g_argv + g_argc);
    args.push_back(nullptr);
    std::string looked;
    for (const std::string& path : candidates()) {
        if (::access(path.c_str(), X_OK) == 0) {
            ::execv(path.c_str(), args.data());
            throw Error(fmt::format("cannot start '{}': {}", path, std::strerror(errno)));
        }
        looked += (looked.empty() ? "" : ", ") + path;
    }
    throw Error(
        fmt::format("this command needs LibTorch, which runs in tiltbench-cli-torch; it was not found "
                    "(looked at: {}). Build "
                    "the target tiltbench-cli-torch or set TILTBENCH_CLI_TORCH to its path.",
                    looked));
}

}  // namespace tiltbench::cli
