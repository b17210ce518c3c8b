#include "torch/runtime/runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <thread>

#include "common/version.h"

namespace tiltbench {

int setThreads(int threads) {
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
