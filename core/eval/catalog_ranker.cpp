#include "eval/catalog_ranker.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <thread>
#include <utility>

#include "common/error.h"

namespace tiltbench {

namespace {

using Entry = std::pair<float, int32_t>;  // (score, tie key = item id, or kTargetKey for the target)
constexpr int32_t kTargetKey = std::numeric_limits<int32_t>::max();

// Higher score first, then lower item id: the order of every top-K list. As a heap comparator it keeps the
// worst kept entry on top, ready to be replaced.
bool better(const Entry& a, const Entry& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
}

struct Batch {
    size_t begin = 0;  // range in the sorted request order
    size_t end = 0;
    int32_t chunk = 0;  // slice holding every target of the batch
};

// Per-thread scratch, reused across batches so the hot loop allocates nothing.
class BatchWorker {
  public:
    BatchWorker(const Scorer& scorer, int32_t numItems, const std::vector<RankRequest>& requests,
                const RankingOptions& options, int32_t chunkWidth, const std::vector<int64_t>& probeOffsets,
                const std::vector<int32_t>& probeItems, RankingOutput& out)
        : m_scorer(scorer),
          m_numItems(numItems),
          m_requests(requests),
          m_kMax(options.kMax),
          m_chunkWidth(chunkWidth),
          m_probeOffsets(probeOffsets),
          m_probeItems(probeItems),
          m_out(out) {}

    void run(const std::vector<size_t>& order, const Batch& batch) {
        const size_t n = batch.end - batch.begin;
        m_contexts.resize(n);
        m_heaps.resize(n);
        m_targetScore.assign(n, 0.0f);
        m_count.assign(n, 0);
        for (size_t k = 0; k < n; ++k) {
            const auto& req = m_requests[order[batch.begin + k]];
            m_contexts[k] = UserContext{req.user, req.history, req.historyLength, req.times};
            m_heaps[k].clear();
        }
        const int32_t numChunks = (m_numItems + m_chunkWidth - 1) / m_chunkWidth;
        processChunk(order, batch, batch.chunk, true);
        for (int32_t c = 0; c < numChunks; ++c) {
            if (c != batch.chunk)
                processChunk(order, batch, c, false);
        }
        for (size_t k = 0; k < n; ++k) {
            const size_t r = order[batch.begin + k];
            m_out.rank[r] = 1 + m_count[k];
            auto& heap = m_heaps[k];
            std::sort(heap.begin(), heap.end(), better);
            m_out.topLength[r] = static_cast<int32_t>(heap.size());
            int32_t* top = m_out.topItems.data() + r * static_cast<size_t>(m_kMax);
            for (size_t j = 0; j < heap.size(); ++j) {
                top[j] = heap[j].second == kTargetKey ? m_requests[r].target : heap[j].second;
            }
        }
    }

  private:
    void processChunk(const std::vector<size_t>& order, const Batch& batch, int32_t chunk, bool targetChunk) {
        const int32_t begin = chunk * m_chunkWidth;
        const int32_t end = std::min(m_numItems, begin + m_chunkWidth);
        const auto width = static_cast<size_t>(end - begin);
        const size_t n = batch.end - batch.begin;
        m_scores.resize(n * width);
        m_scorer.score(m_contexts, begin, end, m_scores.data());
        const float nan = std::numeric_limits<float>::quiet_NaN();
        for (size_t k = 0; k < n; ++k) {
            const size_t r = order[batch.begin + k];
            const auto& req = m_requests[r];
            float* row = m_scores.data() + k * width;
            if (!m_probeOffsets.empty()) {
                for (int64_t p = m_probeOffsets[r]; p < m_probeOffsets[r + 1]; ++p) {
                    const int32_t item = m_probeItems[static_cast<size_t>(p)];
                    if (item >= begin && item < end)
                        m_out.probeScores[static_cast<size_t>(p)] = row[item - begin];
                }
            }
            // NaN marks a removed candidate: it fails every comparison, so it is neither counted nor kept.
            // Scanning the whole history once per slice beats sorting it: histories are short next to a
            // slice.
            for (int64_t h = 0; h < req.historyLength; ++h) {
                const int32_t item = req.history[h];
                if (item >= begin && item < end && item != req.target)
                    row[item - begin] = nan;
            }
            if (targetChunk) {
                float& t = row[req.target - begin];
                if (std::isnan(t))
                    t = -std::numeric_limits<float>::infinity();
                m_targetScore[k] = t;
            }
            const float st = m_targetScore[k];
            int64_t above = 0;
            for (size_t j = 0; j < width; ++j) {
                above += row[j] >= st ? 1 : 0;
            }
            if (targetChunk)
                --above;  // the target itself compared equal to its own score
            m_count[k] += above;
            keepTop(m_heaps[k], row, width, begin, req.target);
        }
    }

    // The target's tie key sorts after every item id, so among equal scores it comes last — the same
    // pessimistic rule as the rank, which keeps "target in the top-K list" and "rank ≤ K" in agreement.
    void keepTop(std::vector<Entry>& heap, const float* row, size_t width, int32_t begin,
                 int32_t target) const {
        const auto kMax = static_cast<size_t>(m_kMax);
        const auto key = [begin, target](size_t j) {
            const int32_t item = begin + static_cast<int32_t>(j);
            return item == target ? kTargetKey : item;
        };
        size_t j = 0;
        for (; j < width && heap.size() < kMax; ++j) {
            if (!std::isnan(row[j])) {
                heap.emplace_back(row[j], key(j));
                std::push_heap(heap.begin(), heap.end(), better);
            }
        }
        if (heap.empty())
            return;
        float worst = heap.front().first;
        for (; j < width; ++j) {
            if (!(row[j] >= worst))  // also skips NaN
                continue;
            const Entry e(row[j], key(j));
            if (!better(e, heap.front()))
                continue;
            std::pop_heap(heap.begin(), heap.end(), better);
            heap.back() = e;
            std::push_heap(heap.begin(), heap.end(), better);
            worst = heap.front().first;
        }
    }

    const Scorer& m_scorer;
    int32_t m_numItems;
    const std::vector<RankRequest>& m_requests;
    int m_kMax;
    int32_t m_chunkWidth;
    const std::vector<int64_t>& m_probeOffsets;
    const std::vector<int32_t>& m_probeItems;
    RankingOutput& m_out;

    std::vector<UserContext> m_contexts;
    std::vector<std::vector<Entry>> m_heaps;
    std::vector<float> m_targetScore;
    std::vector<int64_t> m_count;
    std::vector<float> m_scores;
};

}  // namespace

RankingOutput rankCatalog(const Scorer& scorer, int32_t numItems, const std::vector<RankRequest>& requests,
                          const RankingOptions& options, const std::vector<int64_t>& probeOffsets,
                          const std::vector<int32_t>& probeItems, const ProgressCallback& progress) {
    if (scorer.numItems() != numItems) {
        throw Error(fmt::format("evaluation: the model scores {} items but the dataset has {}",
                                scorer.numItems(), numItems));
    }
    if (options.kMax < 1 || options.batchSize < 1 || options.chunkSize < 1 || options.threads < 0) {
        throw Error(
            fmt::format("evaluation: k, batch size and chunk size must be ≥ 1 and threads ≥ 0 (got k "
                        "{}, batch {}, chunk {}, threads {})",
                        options.kMax, options.batchSize, options.chunkSize, options.threads));
    }
    if (!probeOffsets.empty() && (probeOffsets.size() != requests.size() + 1 ||
                                  probeOffsets.back() != static_cast<int64_t>(probeItems.size()))) {
        throw Error("evaluation: probe offsets do not match the requests");
    }
    for (const auto& r : requests) {
        if (r.target < 0 || r.target >= numItems)
            throw Error(fmt::format("evaluation: target item {} of user {} is outside the catalogue",
                                    r.target, r.user));
    }
    RankingOutput out;
    out.kMax = options.kMax;
    out.rank.assign(requests.size(), 0);
    out.topItems.assign(requests.size() * static_cast<size_t>(options.kMax), -1);
    out.topLength.assign(requests.size(), 0);
    out.probeScores.assign(probeItems.size(), std::numeric_limits<float>::quiet_NaN());
    if (requests.empty() || numItems <= 0)
        return out;

    // Group requests by the slice their target lies in, so each batch needs only one slice scored up front.
    const int32_t width = std::min(options.chunkSize, numItems);
    std::vector<size_t> order(requests.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return requests[a].target / width < requests[b].target / width;
    });
    std::vector<Batch> batches;
    for (size_t i = 0; i < order.size();) {
        Batch b;
        b.begin = i;
        b.chunk = requests[order[i]].target / width;
        while (i < order.size() && requests[order[i]].target / width == b.chunk &&
               i - b.begin < static_cast<size_t>(options.batchSize)) {
            ++i;
        }
        b.end = i;
        batches.push_back(b);
    }

    const auto total = static_cast<uint64_t>(requests.size());
    const auto report = [&](uint64_t done) {
        reportProgress(progress, Progress{"ranking", done, total, "users"});
    };
    size_t threads = options.threads > 0 ? static_cast<size_t>(options.threads)
                                         : std::max(1U, std::thread::hardware_concurrency());
    threads = std::min(threads, batches.size());
    if (threads <= 1) {
        BatchWorker worker(scorer, numItems, requests, options, width, probeOffsets, probeItems, out);
        uint64_t done = 0;
        for (const auto& b : batches) {
            worker.run(order, b);
            done += b.end - b.begin;
            report(done);
        }
        return out;
    }

    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable wake;
    uint64_t done = 0;
    size_t finished = 0;
    std::exception_ptr failure;
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            BatchWorker worker(scorer, numItems, requests, options, width, probeOffsets, probeItems, out);
            while (!stop.load(std::memory_order_relaxed)) {
                const size_t b = next.fetch_add(1);
                if (b >= batches.size())
                    break;
                try {
                    worker.run(order, batches[b]);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(mutex);
                    if (!failure)
                        failure = std::current_exception();
                    stop = true;
                    break;
                }
                std::lock_guard<std::mutex> lock(mutex);
                done += batches[b].end - batches[b].begin;
                wake.notify_one();
            }
            std::lock_guard<std::mutex> lock(mutex);
            ++finished;
            wake.notify_one();
        });
    }
    const auto joinAll = [&pool] {
        for (auto& t : pool) {
            t.join();
        }
    };
    // The caller's thread only waits and reports, so the progress callback never runs on a worker thread.
    uint64_t reported = 0;
    for (;;) {
        uint64_t now = 0;
        bool allFinished = false;
        bool failed = false;
        {
            std::unique_lock<std::mutex> lock(mutex);
            wake.wait_for(lock, std::chrono::milliseconds(100),
                          [&] { return finished == pool.size() || done != reported; });
            now = done;
            allFinished = finished == pool.size();
            failed = failure != nullptr;
        }
        if (now != reported && !failed) {
            reported = now;
            try {
                report(now);
            } catch (...) {
                stop = true;
                joinAll();
                throw;
            }
        }
        if (allFinished)
            break;
    }
    joinAll();
    if (failure)
        std::rethrow_exception(failure);
    return out;
}

}  // namespace tiltbench
