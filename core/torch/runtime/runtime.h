#pragma once
// Runtime: what the compute library can do on this machine, and the thread count. LibTorch on Debian starts
// with one thread, so every entry point calls setThreads() explicitly (0 = all cores).
#include <string>

#include "runtime/version.h"

namespace tiltbench {

struct RuntimeInfo {
    std::string tiltbenchVersion;
    std::string torchVersion;
    bool cudaAvailable = false;
    int cudaDevices = 0;
    int threads = 0;
    int hardwareThreads = 0;
};

RuntimeInfo runtimeInfo();
int setThreads(int threads);  // returns the count in effect

}  // namespace tiltbench
