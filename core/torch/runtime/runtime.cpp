#include "torch/runtime/runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <thread>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/version.h"

namespace tiltbench {

bool tuneAllocator() {
    static const bool tuned = [] {
#if defined(__GLIBC__)
        // glibc serves blocks over a dynamic threshold (128 KiB at first, at most 32 MiB) with a fresh mmap
        // and unmaps them on free, so every batch's activations, attention maps and logits fault in new
        // zeroed pages: on ML-100K (dim 64, length 200) that was half of the per-epoch validation and a
        // quarter of training (bench/RESULTS.md, "Where the time went"). Blocks up to 256 MiB now come from
        // the heap and freed memory stays there for the next batch (the peak stays what the largest batch
        // needs).
        const bool mmap = mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1;
        const bool trim = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
        return mmap && trim;
#else
        return false;
#endif
    }();
    return tuned;
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
