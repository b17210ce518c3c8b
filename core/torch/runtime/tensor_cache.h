#pragma once
// The CPU tensor allocator every torch entry point installs (through setThreads): large tensor buffers come
// from their own mappings, grouped in size classes, and a freed one is kept for the next request of its
// class, up to a cap on the bytes kept; smaller buffers are LibTorch's default allocator (malloc).
//
// Why (bench/RESULTS.md, "Memory"): a training step allocates and frees the same few dozen large buffers
// (activations, attention maps, logits) in shapes that change with every slice of a batch. glibc serves
// them from a fresh mmap each time (every batch faults in zeroed pages: half the validation time), or, with
// its mmap threshold raised, from the heap, where the mix of shapes fragmented it and freed memory never went
// back: a default ML-100K run grew by about 50 MB an epoch to 1.7 GB after 25 epochs and 3.5 GB after 200,
// while the bytes actually in use never passed 260 MB. Kept per class, a freed buffer is reused as it is
// (its pages already present), and what is not in use is bounded by the cap.
//
// Under AddressSanitizer nothing is installed (its malloc checks tensor memory). Torch-free header.
#include <cstddef>
#include <cstdint>

namespace tiltbench {

struct TensorCacheStats {
    bool installed = false;
    size_t inUseBytes = 0;      // large buffers handed out and not freed
    size_t cachedBytes = 0;     // freed large buffers kept for reuse
    size_t peakInUseBytes = 0;  // since installation (or resetTensorCachePeak)
    size_t capBytes = 0;        // the most cachedBytes may reach
    int64_t hits = 0;           // requests served from the cache
    int64_t misses = 0;         // requests that mapped new memory
};

// Installs the allocator (idempotent; true when it is LibTorch's CPU allocator afterwards). The cap is
// TILTBENCH_TENSOR_CACHE_MB from the environment when set (0 keeps nothing), else 512 MiB.
bool installTensorCache();
TensorCacheStats tensorCacheStats();
// Releases every cached buffer (the next requests map fresh memory).
void releaseTensorCache();
void resetTensorCachePeak();

// Smallest buffer the allocator serves itself, and its size classes: four per doubling, rounded to pages. A
// request takes the smallest kept buffer of its class or larger, up to twice its size; what is kept beyond
// the cap is unmapped, the buffers kept longest first.
constexpr size_t kTensorCacheMinBytes = size_t(256) << 10;
size_t tensorCacheClassBytes(size_t bytes);

}  // namespace tiltbench
