#pragma once
// Runtime: what the compute library can do on this machine, and the thread count. LibTorch on Debian starts
// with one thread, so every entry point calls setThreads() explicitly (0 = all cores); setThreads() also
// tunes the allocator for tensor work (tuneAllocator), once per process.
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

// Installs the CPU tensor allocator that keeps freed large buffers per size class (runtime/tensor_cache.h).
// Idempotent; true when it is in effect (false under AddressSanitizer).
bool tuneAllocator();

}  // namespace tiltbench
