#pragma once
// DatasetInfo: the catalogue row of one dataset in a workspace (the `datasets` table), cheap to list.
#include <cstdint>
#include <string>

namespace tiltbench {

struct DatasetInfo {
    int64_t id = 0;
    std::string name;
    std::string format;     // importer or generator that made it: "movielens-100k", "csv", "simulator", …
    std::string source;     // JSON: files and options it came from
    std::string createdAt;  // UTC, ISO 8601
    int64_t rows = 0;
    int64_t users = 0;
    int64_t items = 0;
    bool hasTime = false;
    double rewardMin = 0.0;
    double rewardMax = 0.0;
    double rewardMean = 0.0;
    int64_t randomTestRows = 0;  // size of the randomly exposed test set, 0 if none
    bool hasTruth = false;       // ground truth (simulator) stored
    std::string meta = "{}";     // JSON: importer report (skipped rows, duplicates), generator config, …

    double density() const {
        return users > 0 && items > 0 ? static_cast<double>(rows) / (static_cast<double>(users) * items)
                                      : 0.0;
    }
};

}  // namespace tiltbench
