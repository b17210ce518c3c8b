// The runtime setup every torch entry point runs (torch/runtime/runtime.h): the thread count asked for is the
// one in effect, and on glibc the allocator keeps large tensor buffers in the heap — the settings must be
// accepted, or every batch pays for fresh zeroed pages again (bench/RESULTS.md, "Where the time went").
#include <gtest/gtest.h>

#include "torch/runtime/runtime.h"

namespace tiltbench {
namespace {

TEST(Runtime, SetThreadsGivesTheCountAskedFor) {
    EXPECT_EQ(setThreads(1), 1);
    EXPECT_EQ(runtimeInfo().threads, 1);
    EXPECT_EQ(setThreads(2), 2);
    EXPECT_GE(setThreads(0), 1);  // all cores
}

#if defined(__GLIBC__)
TEST(Runtime, TheAllocatorTakesTheTensorSettings) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer replaces malloc; its mallopt takes no settings";
#endif
    EXPECT_TRUE(tuneAllocator());
    EXPECT_TRUE(tuneAllocator());  // idempotent
}
#endif

}  // namespace
}  // namespace tiltbench
