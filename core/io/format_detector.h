#pragma once
// FormatDetector: the `auto` format. MovieLens files are recognised by name and content (u.data and the
// u1.base … splits: four tab-separated integers; ratings.dat: user::item::rating::timestamp; ratings.csv: the
// userId,movieId,rating,timestamp header), a dense matrix by many whitespace-separated numbers per line with
// mostly zeros (Coat's train.ascii); everything else is generic delimited text.
#include <string>
#include <vector>

#include "io/import.h"

namespace tiltbench {

struct FormatGuess {
    ImportFormat format = ImportFormat::Csv;
    std::string reason;  // for the preview notes: "tab-separated user/item/rating/timestamp named u.data"
};

class FormatDetector {
  public:
    // `sample`: the first non-blank lines of `path` (CsvSniffer::sample).
    static FormatGuess detect(const std::string& path, const std::vector<std::string>& sample);
};

}  // namespace tiltbench
