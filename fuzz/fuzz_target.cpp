// The libFuzzer entry point of one fuzz executable; TILTBENCH_FUZZ_TARGET (set by fuzz/CMakeLists.txt) picks
// the target. A tiltbench::Error is an expected outcome and handled inside runOne; any exception that gets
// here (an InvariantViolation, an SQLite or JSON exception, std::bad_alloc, …) is a finding: it is printed
// and the process aborts, which libFuzzer reports as a crash and saves the input.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace tiltbench::fuzz;
    try {
        runOne(Target::TILTBENCH_FUZZ_TARGET, data, size);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\n==tiltbench-fuzz== uncaught exception (not tiltbench::Error): %s\n",
                     e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "\n==tiltbench-fuzz== uncaught exception of unknown type\n");
        std::abort();
    }
    return 0;
}
