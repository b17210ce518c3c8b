#pragma once
// BigBufferAllocator: a std::allocator for the large, short-lived arrays of an import (rows held until
// commit, duplicate-counter keys). Arrays of 512 KiB and more get their own mapping, aligned to 2 MiB and
// marked for transparent huge pages (madvise MADV_HUGEPAGE, which Debian's default THP setting "madvise"
// honours): the first write into each 2 MiB then costs one page fault instead of 512. On this 2-core VM a
// page fault is expensive enough that an import of 100 k rows spent about a tenth of its time faulting in
// these arrays. Smaller arrays, or a kernel without THP, get plain memory; the contents are never
// zero-filled.
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>

namespace tiltbench {

namespace bigbuffer {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kThreshold = size_t(512) << 10;

inline size_t mappedBytes(size_t bytes) {
    return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}

inline void* allocate(size_t bytes) {
    if (bytes < kThreshold)
        return ::operator new(bytes);
    const size_t length = mappedBytes(bytes);
    // Map one huge page more than needed and trim the ends, so that the array starts on a 2 MiB boundary.
    void* raw =
        ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > start)
        ::munmap(raw, aligned - start);
    const uintptr_t end = start + length + kHugePage;
    if (end > aligned + length)
        ::munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
    auto* p = reinterpret_cast<void*>(aligned);
    ::madvise(p, length, MADV_HUGEPAGE);  // advice only: without THP the pages are ordinary ones
    return p;
}

inline void deallocate(void* p, size_t bytes) noexcept {
    if (!p)
        return;
    if (bytes < kThreshold)
        ::operator delete(p);
    else
        ::munmap(p, mappedBytes(bytes));
}

}  // namespace bigbuffer

template <class T>
struct BigBufferAllocator {
    using value_type = T;
    BigBufferAllocator() noexcept = default;
    template <class U>
    BigBufferAllocator(const BigBufferAllocator<U>&) noexcept {}
    T* allocate(size_t n) {
        if (n > SIZE_MAX / sizeof(T) / 2)
            throw std::bad_alloc();
        return static_cast<T*>(bigbuffer::allocate(n * sizeof(T)));
    }
    void deallocate(T* p, size_t n) noexcept { bigbuffer::deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const BigBufferAllocator<U>&) const noexcept {
        return true;
    }
    template <class U>
    bool operator!=(const BigBufferAllocator<U>&) const noexcept {
        return false;
    }
};

}  // namespace tiltbench
