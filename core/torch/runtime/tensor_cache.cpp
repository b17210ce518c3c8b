#include "torch/runtime/tensor_cache.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <cstdlib>
#include <iterator>
#include <list>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>

namespace tiltbench {

size_t tensorCacheClassBytes(size_t bytes) {
    if (bytes < kTensorCacheMinBytes)
        return bytes;
    size_t top = kTensorCacheMinBytes;
    while (top <= bytes / 2)
        top *= 2;
    const size_t step = top / 4;  // ≥ 64 KiB: a whole number of pages
    return (bytes + step - 1) / step * step;
}

namespace {

size_t capFromEnvironment() {
    const char* v = std::getenv("TILTBENCH_TENSOR_CACHE_MB");
    if (v == nullptr || *v == '\0')
        return size_t(512) << 20;
    char* end = nullptr;
    const unsigned long long mb = std::strtoull(v, &end, 10);
    if (end == v || *end != '\0' || mb > (1ull << 20))  // not a number, or over 1 TiB: the default
        return size_t(512) << 20;
    return static_cast<size_t>(mb) << 20;
}

class TensorCache final : public c10::Allocator {
  public:
    TensorCache() : m_fallback(c10::GetDefaultCPUAllocator()), m_cap(capFromEnvironment()) {}

    c10::DataPtr allocate(size_t n) const override {
        if (n < kTensorCacheMinBytes)
            return m_fallback->allocate(n);  // malloc, with its own deleter (see raw_deleter)
        const size_t bytes = tensorCacheClassBytes(n);
        void* p = nullptr;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            // The smallest kept buffer that holds the request and is at most twice its size.
            const auto it = m_bySize.lower_bound(bytes);
            if (it != m_bySize.end() && it->first <= 2 * bytes) {
                const size_t kept = it->first;
                p = it->second->p;
                m_lru.erase(it->second);
                m_bySize.erase(it);
                m_cached -= kept;
                ++m_hits;
                noteInUse(p, kept);
            } else {
                ++m_misses;
            }
        }
        if (p == nullptr) {
            p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) {
                releaseAll();  // what is kept may be what is missing; then once more
                p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED)
                    throw std::bad_alloc();
            }
            std::lock_guard<std::mutex> lock(m_mutex);
            noteInUse(p, bytes);
        }
        return {p, p, &TensorCache::release, c10::Device(c10::DeviceType::CPU)};
    }

    // raw_allocate / raw_deallocate (oneDNN's scratch buffers) need the deleter by itself: the context of
    // every DataPtr this allocator and its fallback hand out is its data pointer, so the deleter alone can
    // free it (a pointer it did not map goes to the fallback's deleter).
    c10::DeleterFnPtr raw_deleter() const override { return &TensorCache::release; }

    TensorCacheStats stats() const {
        std::lock_guard<std::mutex> lock(m_mutex);
        TensorCacheStats s;
        s.installed = true;
        s.inUseBytes = m_inUse;
        s.cachedBytes = m_cached;
        s.peakInUseBytes = m_peak;
        s.capBytes = m_cap;
        s.hits = m_hits;
        s.misses = m_misses;
        return s;
    }
    void resetPeak() {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_peak = m_inUse;
    }
    void releaseAll() const {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const Kept& k : m_lru)
            ::munmap(k.p, k.bytes);
        m_lru.clear();
        m_bySize.clear();
        m_cached = 0;
    }

    static TensorCache& instance();

  private:
    static void release(void* p) { instance().giveBack(p); }

    void noteInUse(void* p, size_t bytes) const {
        m_sizes.emplace(p, bytes);
        m_inUse += bytes;
        if (m_inUse > m_peak)
            m_peak = m_inUse;
    }

    void giveBack(void* p) const {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_sizes.find(p);
        if (it == m_sizes.end()) {
            // A small buffer that went through raw_allocate: the fallback's (its data is its context).
            if (const c10::DeleterFnPtr d = m_fallback->raw_deleter())
                d(p);
            return;
        }
        const size_t bytes = it->second;
        m_sizes.erase(it);
        m_inUse -= bytes;
        if (bytes > m_cap) {
            ::munmap(p, bytes);
            return;
        }
        // Room is made by unmapping the buffers kept longest.
        while (m_cached + bytes > m_cap) {
            const Kept& oldest = m_lru.front();
            ::munmap(oldest.p, oldest.bytes);
            m_cached -= oldest.bytes;
            m_bySize.erase(oldest.where);
            m_lru.pop_front();
        }
        m_lru.push_back({p, bytes, {}});
        m_lru.back().where = m_bySize.emplace(bytes, std::prev(m_lru.end()));
        m_cached += bytes;
    }

    c10::Allocator* m_fallback;
    const size_t m_cap;
    mutable std::mutex m_mutex;
    // Kept buffers, oldest first, and the same by size.
    struct Kept;
    using Lru = std::list<Kept>;
    using BySize = std::multimap<size_t, Lru::iterator>;
    struct Kept {
        void* p;
        size_t bytes;
        BySize::iterator where;
    };
    mutable Lru m_lru;
    mutable BySize m_bySize;
    mutable std::unordered_map<void*, size_t> m_sizes;  // buffers in use → their class
    mutable size_t m_inUse = 0, m_cached = 0, m_peak = 0;
    mutable int64_t m_hits = 0, m_misses = 0;
};

TensorCache& TensorCache::instance() {
    // Never destroyed: tensors freed during static destruction still find it.
    static TensorCache* cache = new TensorCache();
    return *cache;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kInstall = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kInstall = false;
#else
constexpr bool kInstall = true;
#endif
#else
constexpr bool kInstall = true;
#endif

}  // namespace

bool installTensorCache() {
    static const bool installed = [] {
        if (!kInstall)
            return false;
        c10::SetCPUAllocator(&TensorCache::instance(), /*priority=*/1);
        return c10::GetCPUAllocator() == &TensorCache::instance();
    }();
    return installed;
}

TensorCacheStats tensorCacheStats() {
    if (!installTensorCache())
        return {};
    return TensorCache::instance().stats();
}

void releaseTensorCache() {
    if (installTensorCache())
        TensorCache::instance().releaseAll();
}

void resetTensorCachePeak() {
    if (installTensorCache())
        TensorCache::instance().resetPeak();
}

}  // namespace tiltbench
