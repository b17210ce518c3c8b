#include "engine/locator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace tiltbench::engine {

namespace {
bool isExecutableFile(const std::string& path) {
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

// "a/./b/../c" → "a/c" (for messages and returned paths; symlinks are left alone).
std::string clean(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, end - start);
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else if (path.empty() || path[0] != '/')
                parts.push_back(part);
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = end + 1;
    }
    std::string out = !path.empty() && path[0] == '/' ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i)
        out += (i > 0 ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}
}  // namespace

const ExecutableSearch& cliSearch() {
    static const ExecutableSearch search{
        "tiltbench-cli", "TILTBENCH_CLI", {".", "../cli", "../app/cli"}, true};
    return search;
}

const ExecutableSearch& torchCliSearch() {
    static const ExecutableSearch search{
        "tiltbench-cli-torch", "TILTBENCH_CLI_TORCH", {".", "../libexec/tiltbench"}, false};
    return search;
}

std::string selfDirectory() {
    std::vector<char> buffer(4096);
    const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (n <= 0)
        return ".";
    const std::string path(buffer.data(), static_cast<size_t>(n));
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

std::vector<std::string> candidates(const ExecutableSearch& search, const std::string& selfDir) {
    std::vector<std::string> out;
    if (const char* env = std::getenv(search.environment.c_str()); env != nullptr && *env != '\0')
        out.emplace_back(env);
    for (const auto& folder : search.relativeFolders)
        out.push_back(clean(selfDir + "/" + folder + "/" + search.name));
    return out;
}

std::string locate(const ExecutableSearch& search, const std::string& selfDir) {
    for (const std::string& path : candidates(search, selfDir)) {
        if (isExecutableFile(path))
            return path;
    }
    if (!search.searchPath)
        return {};
    const char* pathVariable = std::getenv("PATH");
    const std::string folders = pathVariable ? pathVariable : "";
    size_t start = 0;
    while (start <= folders.size()) {
        const size_t end = std::min(folders.find(':', start), folders.size());
        const std::string folder = folders.substr(start, end - start);
        if (!folder.empty() && folder[0] == '/' && isExecutableFile(folder + "/" + search.name))
            return folder + "/" + search.name;
        start = end + 1;
    }
    return {};
}

std::string notFoundMessage(const ExecutableSearch& search, const std::string& selfDir) {
    std::string looked;
    for (const std::string& path : candidates(search, selfDir))
        looked += (looked.empty() ? "" : ", ") + path;
    if (search.searchPath)
        looked += (looked.empty() ? "" : ", ") + std::string("PATH");
    return search.name + " was not found (looked at: " + looked + "). Build it (target " + search.name +
           ") or set " + search.environment + " to its path.";
}

}  // namespace tiltbench::engine
