#pragma once
// MatrixImporter: a dense user × item rating matrix in whitespace-separated text, one user per line, 0 for
// "not rated" (Coat's train.ascii / test.ascii). The user's external id is the 0-based line index and the
// item's the 0-based column index, both as text, so a second matrix of the same shape — the randomly exposed
// test set — lands in the same id space. The matrix has no time: a rating's timestamp is its position among
// the file's ratings, which keeps each user's ratings in column order.
#include <cstdint>
#include <string>
#include <vector>

#include "io/import_sink.h"

namespace tiltbench {

class MatrixImporter {
  public:
    explicit MatrixImporter(ImportSink& sink) : m_sink(sink) {}

    // The training matrix: ratings become interactions. Throws Error when it holds no rating.
    bool importTrain(const std::string& path) { return importFile(path, false); }
    // The randomly exposed test set: same number of columns as the training matrix, ratings go to
    // DatasetWriter::addRandomTest.
    bool importRandomTest(const std::string& path) { return importFile(path, true); }

    size_t columns() const { return m_columns; }
    int64_t rows() const { return m_rows; }

  private:
    bool importFile(const std::string& path, bool randomTest);
    int32_t item(size_t column);

    ImportSink& m_sink;
    size_t m_columns = 0;
    int64_t m_rows = 0;
    int64_t m_position = 0;
    std::vector<int32_t> m_itemIds;  // dense id per column, -1 until first seen
};

}  // namespace tiltbench
