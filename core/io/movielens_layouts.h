#pragma once
// The fixed reading plans of the MovieLens releases, so the MovieLens formats go through the same streaming
// delimited reader as generic CSV without any sniffing: ML-100K `u.data` (tab, no header) with `u.item`
// (pipe); ML-1M/10M `ratings.dat` ("::") with `movies.dat`; ML-latest/20M/25M `ratings.csv` (header
// userId,movieId,rating,timestamp, quoted) with `movies.csv`. Every one has user, item, rating and epoch
// seconds in columns 0 to 3.
#include <string>
#include <string_view>

#include "io/csv_sniffer.h"
#include "io/import.h"

namespace tiltbench {

bool isMovieLensFormat(ImportFormat format);
DelimitedLayout movieLensRatingsLayout(ImportFormat format);
TitlesLayout movieLensTitlesLayout(ImportFormat format);

// True for the ML-latest ratings header (case-insensitive, surrounding spaces ignored).
bool isMovieLensCsvHeader(std::string_view line);
// Throws Error naming `path` when its first line is not that header.
void checkMovieLensCsvHeader(const std::string& path, const std::string& firstLine);

// The titles file that ships next to a ratings file of `format` ("u.item", "movies.dat", "movies.csv").
std::string movieLensTitlesFileName(ImportFormat format);

}  // namespace tiltbench
