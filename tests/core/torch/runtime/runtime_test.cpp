// The runtime setup every torch entry point runs (torch/runtime/runtime.h): the thread count asked for is the
// one in effect, and large tensor buffers come from the size-class cache (torch/runtime/tensor_cache.h): a
// freed buffer is reused by the next request of its class, and what is kept never passes the cap — the two
// properties that keep a training step free of page faults and its memory bounded (bench/RESULTS.md,
// "Memory").
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <vector>

#include "torch/runtime/runtime.h"
#include "torch/runtime/tensor_cache.h"

namespace tiltbench {
namespace {

TEST(Runtime, SetThreadsGivesTheCountAskedFor) {
    EXPECT_EQ(setThreads(1), 1);
    EXPECT_EQ(runtimeInfo().threads, 1);
    EXPECT_EQ(setThreads(2), 2);
    EXPECT_GE(setThreads(0), 1);  // all cores
}

TEST(TensorCache, SizeClassesAreFourPerDoublingInWholePages) {
    EXPECT_EQ(tensorCacheClassBytes(1000), 1000u);  // below the cache: as asked
    EXPECT_EQ(tensorCacheClassBytes(kTensorCacheMinBytes), kTensorCacheMinBytes);
    EXPECT_EQ(tensorCacheClassBytes(kTensorCacheMinBytes + 1), kTensorCacheMinBytes + (64u << 10));
    EXPECT_EQ(tensorCacheClassBytes(1u << 20), 1u << 20);
    EXPECT_EQ(tensorCacheClassBytes((1u << 20) + 1), (1u << 20) + (256u << 10));
    EXPECT_EQ(tensorCacheClassBytes(3u << 20), 3u << 20);
    for (size_t b = kTensorCacheMinBytes; b < (64u << 20); b = b * 5 / 4 + 4093) {
        const size_t c = tensorCacheClassBytes(b);
        EXPECT_GE(c, b);
        EXPECT_EQ(c % 4096, 0u);
        EXPECT_LE(static_cast<double>(c), 1.25 * static_cast<double>(b) + 1.0);  // at most a quarter more
    }
}

TEST(TensorCache, AFreedBufferIsReusedAndWhatIsKeptStaysUnderTheCap) {
    if (!tuneAllocator())
        GTEST_SKIP() << "not installed (AddressSanitizer checks tensor memory with its own malloc)";
    releaseTensorCache();
    const TensorCacheStats s0 = tensorCacheStats();
    ASSERT_TRUE(s0.installed);
    EXPECT_EQ(s0.cachedBytes, 0u);
    {
        at::Tensor a = at::ones({512, 1024});  // 2 MiB
        EXPECT_EQ(a.sum().item<double>(), 512.0 * 1024.0);
        EXPECT_GE(tensorCacheStats().inUseBytes, s0.inUseBytes + (2u << 20));
    }
    const TensorCacheStats s1 = tensorCacheStats();
    EXPECT_EQ(s1.cachedBytes, 2u << 20);  // kept, not unmapped
    {
        at::Tensor b = at::full({1024, 512}, 2.0f);  // same class: the same buffer, no new mapping
        EXPECT_EQ(b.sum().item<double>(), 2.0 * 512.0 * 1024.0);
        const TensorCacheStats s2 = tensorCacheStats();
        EXPECT_EQ(s2.hits, s1.hits + 1);
        EXPECT_EQ(s2.misses, s1.misses);
    }
    // Many shapes, as the slices of a batch have: what is kept never passes the cap, and every buffer that is
    // freed is either kept or unmapped (in use returns to where it was).
    std::vector<at::Tensor> live;
    for (int round = 0; round < 3; ++round) {
        for (int64_t rows = 100; rows < 6000; rows = rows * 3 / 2 + 7)
            live.push_back(at::empty({rows, 1682}));  // 0.6 … 38 MiB
        EXPECT_LE(tensorCacheStats().cachedBytes, tensorCacheStats().capBytes);
        live.clear();
        EXPECT_LE(tensorCacheStats().cachedBytes, tensorCacheStats().capBytes);
    }
    const TensorCacheStats s3 = tensorCacheStats();
    EXPECT_EQ(s3.inUseBytes, s0.inUseBytes);
    EXPECT_GT(s3.hits, s1.hits + 10);  // rounds 2 and 3 reuse round 1's buffers
    releaseTensorCache();
    EXPECT_EQ(tensorCacheStats().cachedBytes, 0u);
}

}  // namespace
}  // namespace tiltbench
