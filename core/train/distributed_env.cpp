#include "train/distributed_env.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/error.h"

namespace tiltbench {
namespace {

// A whole decimal number in [lo, hi], or an Error naming the variable.
int parseInt(const char* name, const char* text, int lo, int hi) {
    const std::string s(text);
    char* end = nullptr;
    errno = 0;
    const long v = s.empty() ? 0 : std::strtol(s.c_str(), &end, 10);
    if (s.empty() || errno != 0 || end != s.c_str() + s.size() || v < lo || v > hi)
        throw Error(
            fmt::format("data-parallel launch: {}='{}' is not a whole number in {}..{}", name, s, lo, hi));
    return static_cast<int>(v);
}

}  // namespace

DistributedEnv DistributedEnv::fromEnvironment(const std::function<const char*(const char*)>& getter) {
    const auto get = [&](const char* name) -> const char* {
        return getter ? getter(name) : std::getenv(name);
    };
    DistributedEnv env;
    const char* world = get("WORLD_SIZE");
    if (!world)
        return env;
    constexpr int kMaxRanks = 65536;
    env.worldSize = parseInt("WORLD_SIZE", world, 1, kMaxRanks);
    if (env.worldSize == 1)
        return env;
    const auto required = [&](const char* name) {
        const char* v = get(name);
        if (!v || !*v)
            throw Error(
                fmt::format("data-parallel launch: WORLD_SIZE={} but {} is not set (start the ranks with "
                            "torchrun, or set "
                            "RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT yourself: docs/DISTRIBUTED.md)",
                            env.worldSize, name));
        return v;
    };
    env.rank = parseInt("RANK", required("RANK"), 0, env.worldSize - 1);
    env.masterAddr = required("MASTER_ADDR");
    env.masterPort = parseInt("MASTER_PORT", required("MASTER_PORT"), 1, 65535);
    const char* localWorld = get("LOCAL_WORLD_SIZE");
    env.localWorldSize = localWorld ? parseInt("LOCAL_WORLD_SIZE", localWorld, 1, env.worldSize) : 1;
    const char* localRank = get("LOCAL_RANK");
    env.localRank = localRank ? parseInt("LOCAL_RANK", localRank, 0,
                                         (localWorld ? env.localWorldSize : env.worldSize) - 1)
                              : 0;
    return env;
}

void DataParallelOptions::validate() const {
    if (!std::isfinite(timeoutSeconds) || timeoutSeconds < 1.0 || timeoutSeconds > kMaxTimeoutSeconds)
        throw Error(fmt::format("--dist-timeout must be in 1..{} seconds, got {}", kMaxTimeoutSeconds,
                                timeoutSeconds));
}

}  // namespace tiltbench
