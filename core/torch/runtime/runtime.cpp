#include "torch/runtime/runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <thread>

#include "common/version.h"
#include "torch/runtime/tensor_cache.h"

namespace tiltbench {

bool tuneAllocator() {
    // Large tensor buffers come from the size-class cache (runtime/tensor_cache.h): reused without page
    // faults, and never fragmenting the heap. (Before, glibc's mmap threshold was raised to 256 MiB for the
    // first reason, which fragmented the heap: bench/RESULTS.md, "Memory".)
    return installTensorCache();
}

int setThreads(int threads) {
    tuneAllocator();
    if (threads <= 0) {
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    at::set_num_threads(threads);
    return at::get_num_threads();
}

RuntimeInfo runtimeInfo() {
    RuntimeInfo info;
    info.tiltbenchVersion = TILTBENCH_VERSION;
    info.torchVersion = TORCH_VERSION;
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDevices = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
    info.threads = at::get_num_threads();
    info.hardwareThreads = static_cast<int>(std::thread::hardware_concurrency());
    return info;
}

}  // namespace tiltbench
