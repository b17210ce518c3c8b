#pragma once
// Data-parallel training's launch settings, torch-free: who this process is among the ranks of one training
// run, read from the variables torchrun (and `srun` with them exported) sets — RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT — and how long a rank waits for the others. The process group
// itself (c10d's TCPStore and ProcessGroupGloo) is built in core/torch/runtime/data_parallel.cpp;
// docs/DISTRIBUTED.md says how to launch it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace tiltbench {

struct DistributedEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;
    std::string masterAddr;
    int masterPort = 0;

    bool active() const { return worldSize > 1; }
    bool writes() const { return rank == 0; }  // rank 0 alone writes the workspace

    // Reads the variables through `get` (nullptr when unset; the process environment by default). No
    // WORLD_SIZE, or WORLD_SIZE=1: one process, not distributed. Otherwise every variable but the LOCAL_ ones
    // must be set and valid; a bad one is an Error naming it and its value.
    static DistributedEnv fromEnvironment(const std::function<const char*(const char*)>& get = {});
};

// What a data-parallel run needs besides its settings.
struct DataParallelOptions {
    DistributedEnv env;
    // How long a rank waits for the others in a collective (and at the rendezvous) before giving up with an
    // error. A rank that dies closes its connections, so the others end at once; the timeout bounds a rank
    // that hangs or a machine that drops off the network. It must also cover rank 0's validation after each
    // epoch, while the other ranks wait.
    double timeoutSeconds = 120.0;
    static constexpr double kMaxTimeoutSeconds = 86400.0;
    void validate() const;
};

}  // namespace tiltbench
