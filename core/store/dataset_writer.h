#pragma once
// DatasetWriter: writes one new dataset into a workspace inside a single transaction. Importers and the
// simulator map external user/item ids to dense ids through it and append interactions in file order. Up to a
// million rows are held in memory and written by commit(); beyond that they go to a staging file next to the
// workspace, written on a background thread so parsing and SQLite run in parallel, and commit() copies them
// in. Either way the workspace's write lock is taken only inside commit(), and nothing is visible to other
// connections until it returns; destroying the writer without commit rolls everything back.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/progress.h"
#include "store/dataset_info.h"
#include "store/workspace.h"

namespace tiltbench {

class DatasetWriter {
  public:
    ~DatasetWriter();  // rolls back unless committed
    DatasetWriter(const DatasetWriter&) = delete;
    DatasetWriter& operator=(const DatasetWriter&) = delete;

    // Dense ids in order of first appearance.
    int32_t userIndex(std::string_view externalId);
    int32_t itemIndex(std::string_view externalId);
    int32_t numUsers() const;
    int32_t numItems() const;
    // -1 if the item has not been seen.
    int32_t findItem(std::string_view externalId) const;
    void setItemTitle(int32_t item, std::string title);

    // `ts` is seconds since the epoch when the dataset has time, otherwise the row's position in the file.
    // `reward` must be finite (checked).
    void add(int32_t user, int32_t item, double reward, int64_t ts);
    void addRandomTest(int32_t user, int32_t item, double reward);
    int64_t rows() const;

    void setHasTime(bool hasTime);
    void setMeta(const std::string& json);
    void setGroundTruth(const GroundTruthRecord& truth);

    // Finishes writing, fills in the dataset's statistics and commits. Throws (and rolls back) on failure.
    DatasetInfo commit(const ProgressCallback& progress = {});

    struct Impl;
    explicit DatasetWriter(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace tiltbench
