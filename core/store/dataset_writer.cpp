#include "store/dataset_writer.h"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/error.h"
#include "store/interaction_chunks.h"
#include "store/workspace_impl.h"

namespace tiltbench {

namespace {

struct Row {
    int32_t user;
    int32_t item;
    double reward;
    int64_t ts;
};

constexpr size_t kBatchRows = chunks::kChunkRows * 200;
constexpr size_t kMaxQueuedBatches = 4;

// Heterogeneous lookup is C++20; a string_view-keyed map into a stable deque of strings gives the same: no
// allocation per lookup of an id already seen.
class IdMap {
  public:
    int32_t getOrAdd(std::string_view id) {
        auto it = m_index.find(id);
        if (it != m_index.end())
            return it->second;
        if (m_ids.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
            throw Error("more than 2^31 distinct ids");
        }
        m_ids.emplace_back(id);
        const auto idx = static_cast<int32_t>(m_ids.size() - 1);
        m_index.emplace(std::string_view(m_ids.back()), idx);
        return idx;
    }
    int32_t find(std::string_view id) const {
        auto it = m_index.find(id);
        return it == m_index.end() ? -1 : it->second;
    }
    const std::deque<std::string>& ids() const { return m_ids; }
    int32_t size() const { return static_cast<int32_t>(m_ids.size()); }

  private:
    std::deque<std::string> m_ids;
    std::unordered_map<std::string_view, int32_t> m_index;
};

}  // namespace

struct DatasetWriter::Impl {
    Workspace::Impl& ws;
    int64_t datasetId = 0;
    std::string name;
    bool committed = false;
    bool inTransaction = false;

    IdMap users, items;
    std::vector<std::string> titles;
    std::vector<RandomTestEntry> randomTest;
    std::optional<GroundTruthRecord> truth;
    std::string meta = "{}";
    bool hasTime = false;

    int64_t rows = 0;
    double rewardMin = std::numeric_limits<double>::infinity();
    double rewardMax = -std::numeric_limits<double>::infinity();
    // Sum of reward * kSumScale: scaling by a power of two is exact, and it keeps the sum finite for any
    // finite rewards (2^31 rows of ±1.8e308 fit), where a plain sum of two rewards of 1e308 is already
    // infinite.
    static constexpr double kSumScale = 0x1p-32;
    double rewardSum = 0.0;

    // Rows are written by a background thread so that parsing (the caller) and SQLite overlap.
    std::vector<Row> current;
    std::deque<std::vector<Row>> queue;
    std::mutex mutex;
    std::condition_variable cv;
    bool stop = false;
    std::exception_ptr writerError;
    std::thread writer;

    explicit Impl(Workspace::Impl& w) : ws(w) { current.reserve(kBatchRows); }

    // Rows go to SQLite as columnar chunks of chunks::kChunkRows (store/interaction_chunks.h): one INSERT
    // per chunk instead of one per interaction is what lets an import outrun the sqlite3 shell's `.import`.
    void writerLoop() {
        try {
            chunks::ChunkInserter out(ws.db.getHandle(), datasetId);
            for (;;) {
                std::vector<Row> batch;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    cv.wait(lock, [&] { return stop || !queue.empty(); });
                    if (queue.empty())
                        break;  // stop requested and nothing left
                    batch = std::move(queue.front());
                    queue.pop_front();
                }
                cv.notify_all();
                for (const Row& r : batch)
                    out.add(r.user, r.item, r.reward, r.ts);
            }
            out.finish();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            writerError = std::current_exception();
            queue.clear();
        }
        cv.notify_all();
    }

    void rethrowWriterError() {
        std::lock_guard<std::mutex> lock(mutex);
        if (writerError)
            std::rethrow_exception(writerError);
    }

    void flushBatch() {
        if (current.empty())
            return;
        if (!writer.joinable())
            writer = std::thread([this] { writerLoop(); });
        {
            std::unique_lock<std::mutex> lock(mutex);
            cv.wait(lock, [&] { return queue.size() < kMaxQueuedBatches || writerError; });
            if (writerError)
                std::rethrow_exception(writerError);
            queue.push_back(std::move(current));
        }
        cv.notify_all();
        current = {};
        current.reserve(kBatchRows);
    }

    void joinWriter() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stop = true;
        }
        cv.notify_all();
        if (writer.joinable())
            writer.join();
    }

    void rollback() noexcept {
        {
            std::lock_guard<std::mutex> lock(mutex);
            queue.clear();
        }
        joinWriter();
        if (inTransaction) {
            try {
                ws.db.exec("ROLLBACK");
            } catch (...) {
            }
            inTransaction = false;
        }
        ws.writerActive = false;
    }
};

DatasetWriter::DatasetWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

DatasetWriter::~DatasetWriter() {
    if (m_impl && !m_impl->committed)
        m_impl->rollback();
}

int32_t DatasetWriter::userIndex(std::string_view externalId) {
    return m_impl->users.getOrAdd(externalId);
}

int32_t DatasetWriter::itemIndex(std::string_view externalId) {
    const int32_t idx = m_impl->items.getOrAdd(externalId);
    if (static_cast<size_t>(idx) >= m_impl->titles.size())
        m_impl->titles.resize(static_cast<size_t>(idx) + 1);
    return idx;
}

int32_t DatasetWriter::numUsers() const {
    return m_impl->users.size();
}
int32_t DatasetWriter::numItems() const {
    return m_impl->items.size();
}
int32_t DatasetWriter::findItem(std::string_view externalId) const {
    return m_impl->items.find(externalId);
}

void DatasetWriter::setItemTitle(int32_t item, std::string title) {
    if (item < 0 || item >= numItems())
        throw Error(fmt::format("setItemTitle: no item with index {}", item));
    m_impl->titles[static_cast<size_t>(item)] = std::move(title);
}

void DatasetWriter::add(int32_t user, int32_t item, double reward, int64_t ts) {
    auto& d = *m_impl;
    if (user < 0 || user >= d.users.size() || item < 0 || item >= d.items.size()) {
        throw Error(
            fmt::format("dataset '{}': interaction with unknown user {} or item {}", d.name, user, item));
    }
    if (!std::isfinite(reward))
        throw Error(fmt::format("dataset '{}': non-finite reward {}", d.name, reward));
    d.current.push_back({user, item, reward, ts});
    ++d.rows;
    d.rewardSum += reward * Impl::kSumScale;
    d.rewardMin = std::min(d.rewardMin, reward);
    d.rewardMax = std::max(d.rewardMax, reward);
    if (d.current.size() >= kBatchRows)
        d.flushBatch();
}

void DatasetWriter::addRandomTest(int32_t user, int32_t item, double reward) {
    auto& d = *m_impl;
    if (user < 0 || user >= d.users.size() || item < 0 || item >= d.items.size()) {
        throw Error(
            fmt::format("dataset '{}': test rating with unknown user {} or item {}", d.name, user, item));
    }
    if (!std::isfinite(reward))
        throw Error(fmt::format("dataset '{}': non-finite test reward {}", d.name, reward));
    d.randomTest.push_back({user, item, reward});
}

int64_t DatasetWriter::rows() const {
    return m_impl->rows;
}
void DatasetWriter::setHasTime(bool hasTime) {
    m_impl->hasTime = hasTime;
}
void DatasetWriter::setMeta(const std::string& json) {
    m_impl->meta = json;
}
void DatasetWriter::setGroundTruth(const GroundTruthRecord& truth) {
    m_impl->truth = truth;
}

DatasetInfo DatasetWriter::commit(const ProgressCallback& progress) {
    auto& d = *m_impl;
    if (d.committed)
        throw Error("dataset already committed");
    if (d.rows == 0)
        throw Error(fmt::format("dataset '{}' has no interactions; nothing was imported", d.name));
    d.flushBatch();
    d.joinWriter();
    d.rethrowWriterError();
    auto& db = d.ws.db;
    reportProgress(progress, {"writing users and items", 0, 0, ""});
    {
        SQLite::Statement q(db, "INSERT INTO users(dataset_id, idx, external_id) VALUES(?, ?, ?)");
        int32_t idx = 0;
        for (const auto& id : d.users.ids()) {
            q.bind(1, d.datasetId);
            q.bind(2, idx++);
            q.bind(3, id);
            q.exec();
            q.reset();
        }
    }
    {
        SQLite::Statement q(db, "INSERT INTO items(dataset_id, idx, external_id, title) VALUES(?, ?, ?, ?)");
        int32_t idx = 0;
        for (const auto& id : d.items.ids()) {
            q.bind(1, d.datasetId);
            q.bind(2, idx);
            q.bind(3, id);
            const auto& title = d.titles[static_cast<size_t>(idx)];
            if (title.empty()) {
                q.bind(4);
            } else {
                q.bind(4, title);
            }
            q.exec();
            q.reset();
            ++idx;
        }
    }
    {
        SQLite::Statement q(db,
                            "INSERT INTO random_test(dataset_id, pos, user_idx, item_idx, reward) "
                            "VALUES(?, ?, ?, ?, ?)");
        int64_t pos = 0;
        for (const auto& r : d.randomTest) {
            q.bind(1, d.datasetId);
            q.bind(2, pos++);
            q.bind(3, r.user);
            q.bind(4, r.item);
            q.bind(5, r.reward);
            q.exec();
            q.reset();
        }
    }
    if (d.truth) {
        SQLite::Statement q(db,
                            "INSERT INTO ground_truth(dataset_id, kind, config, blob) VALUES(?, ?, ?, ?)");
        q.bind(1, d.datasetId);
        q.bind(2, d.truth->kind);
        q.bind(3, d.truth->config);
        q.bind(4, d.truth->blob.data(), static_cast<int>(d.truth->blob.size()));
        q.exec();
    }
    {
        SQLite::Statement q(
            db,
            "UPDATE datasets SET rows = ?, users = ?, items = ?, has_time = ?, reward_min = ?, "
            "reward_max = ?, reward_mean = ?, random_test_rows = ?, meta = ? WHERE id = ?");
        q.bind(1, d.rows);
        q.bind(2, d.users.size());
        q.bind(3, d.items.size());
        q.bind(4, d.hasTime ? 1 : 0);
        q.bind(5, d.rewardMin);
        q.bind(6, d.rewardMax);
        // Clamped: rounding of the sum must not put the mean outside [min, max] (or past the largest double).
        q.bind(7, std::clamp(d.rewardSum / static_cast<double>(d.rows) / Impl::kSumScale, d.rewardMin,
                             d.rewardMax));
        q.bind(8, static_cast<int64_t>(d.randomTest.size()));
        q.bind(9, d.meta);
        q.bind(10, d.datasetId);
        q.exec();
    }
    // Last chance to cancel: after COMMIT the dataset exists.
    reportProgress(progress, {"committing", 0, 0, ""});
    db.exec("COMMIT");
    d.inTransaction = false;
    d.committed = true;
    d.ws.writerActive = false;
    return readDatasetInfo(d.ws, d.datasetId);
}

std::unique_ptr<DatasetWriter> Workspace::createDataset(const NewDatasetSpec& spec) {
    if (spec.name.empty())
        throw Error("a dataset needs a name (--name)");
    if (m_impl->writerActive)
        throw Error("another import is already writing to this workspace");
    if (findDataset(spec.name)) {
        throw Error(fmt::format(
            "workspace '{}' already has a dataset named '{}' (choose another --name or delete it)",
            m_impl->path, spec.name));
    }
    auto impl = std::make_unique<DatasetWriter::Impl>(*m_impl);
    impl->name = spec.name;
    m_impl->db.exec("BEGIN IMMEDIATE");
    impl->inTransaction = true;
    m_impl->writerActive = true;
    try {
        SQLite::Statement q(m_impl->db,
                            "INSERT INTO datasets(name, format, source, created_at) VALUES(?, ?, ?, ?)");
        q.bind(1, spec.name);
        q.bind(2, spec.format);
        q.bind(3, spec.source);
        q.bind(4, utcNowIso());
        q.exec();
        impl->datasetId = m_impl->db.getLastInsertRowid();
    } catch (...) {
        impl->rollback();
        throw;
    }
    auto writer = std::make_unique<DatasetWriter>(std::move(impl));
    return writer;
}

}  // namespace tiltbench
