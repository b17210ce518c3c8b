#include "io/movielens_layouts.h"

#include "common/error.h"
#include "io/field_splitter.h"
#include "io/text_encoding.h"

namespace tiltbench {

bool isMovieLensFormat(ImportFormat format) {
    return format == ImportFormat::MovieLens100k || format == ImportFormat::MovieLensDat ||
           format == ImportFormat::MovieLensCsv;
}

DelimitedLayout movieLensRatingsLayout(ImportFormat format) {
    DelimitedLayout layout;
    layout.fieldCount = 4;
    layout.userCol = 0;
    layout.itemCol = 1;
    layout.rewardCol = 2;
    layout.timeCol = 3;
    switch (format) {
        case ImportFormat::MovieLens100k:
            layout.delimiter = Delimiter::character('\t');
            layout.quoted = false;
            layout.columnNames = {"user id", "item id", "rating", "timestamp"};
            break;
        case ImportFormat::MovieLensDat:
            layout.delimiter = Delimiter::text("::");
            layout.quoted = false;
            layout.columnNames = {"UserID", "MovieID", "Rating", "Timestamp"};
            break;
        case ImportFormat::MovieLensCsv:
            layout.delimiter = Delimiter::character(',');
            layout.quoted = true;
            layout.header = true;
            layout.columnNames = {"userId", "movieId", "rating", "timestamp"};
            break;
        default:
            throw Error("internal: not a MovieLens format");
    }
    layout.notes.push_back("delimiter: " + layout.delimiter.describe() + " (" + formatName(format) + ")");
    layout.notes.push_back(std::string("header: ") + (layout.header ? "yes" : "no") + " (" +
                           formatName(format) + ")");
    layout.notes.push_back("columns: user 0, item 1, rating 2, timestamp 3 (epoch seconds)");
    return layout;
}

TitlesLayout movieLensTitlesLayout(ImportFormat format) {
    TitlesLayout layout;
    switch (format) {
        case ImportFormat::MovieLens100k:
            layout.delimiter = Delimiter::character('|');
            break;
        case ImportFormat::MovieLensDat:
            layout.delimiter = Delimiter::text("::");
            break;
        case ImportFormat::MovieLensCsv:
            layout.delimiter = Delimiter::character(',');
            layout.quoted = true;
            layout.header = true;
            break;
        default:
            throw Error("internal: not a MovieLens format");
    }
    return layout;
}

bool isMovieLensCsvHeader(std::string_view line) {
    static const char* kExpected = "userid,movieid,rating,timestamp";
    std::string lower;
    for (char c : line) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '"') {
            lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    return lower == kExpected;
}

void checkMovieLensCsvHeader(const std::string& path, const std::string& firstLine) {
    if (!isMovieLensCsvHeader(firstLine)) {
        throw Error("'" + path +
                    "' does not start with the MovieLens header 'userId,movieId,rating,timestamp' (found '" +
                    utf8Prefix(firstLine, 80) + "'). Import it with the csv format and map the columns.");
    }
}

std::string movieLensTitlesFileName(ImportFormat format) {
    switch (format) {
        case ImportFormat::MovieLens100k:
            return "u.item";
        case ImportFormat::MovieLensDat:
            return "movies.dat";
        case ImportFormat::MovieLensCsv:
            return "movies.csv";
        default:
            return "";
    }
}

}  // namespace tiltbench
