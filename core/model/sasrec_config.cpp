// The torch-free parts of SASRec: its configuration check and the helpers on SequenceBatch.
#include "model/sasrec_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "common/error.h"

namespace tiltbench {

const char* backboneName(Backbone backbone) {
    return backbone == Backbone::Hstu ? "hstu" : "sasrec";
}

Backbone backboneFromName(const std::string& name) {
    if (name == "sasrec")
        return Backbone::Sasrec;
    if (name == "hstu")
        return Backbone::Hstu;
    throw Error(fmt::format("model '{}': expected sasrec or hstu", name));
}

bool isSequentialModel(const std::string& model) {
    return model == "sasrec" || model == "hstu";
}

void SasrecConfig::validate() const {
    if (numItems < 1)
        throw Error(fmt::format("sasrec: numItems must be >= 1 (got {})", numItems));
    if (dim < 1 || heads < 1 || dim % heads != 0)
        throw Error(
            fmt::format("sasrec: dim must be >= 1 and divisible by heads "
                        "(got dim {}, heads {})",
                        dim, heads));
    if (blocks < 1)
        throw Error(fmt::format("sasrec: blocks must be >= 1 (got {})", blocks));
    if (maxLen < 1)
        throw Error(fmt::format("sasrec: max length must be >= 1 (got {})", maxLen));
    if (!(dropout >= 0.0 && dropout < 1.0))
        throw Error(fmt::format("sasrec: dropout must be in [0, 1) (got {})", dropout));
}

int64_t countTargets(const SequenceBatch& batch) {
    int64_t n = 0;
    for (int64_t t : batch.targets)
        n += t >= 0 ? 1 : 0;
    return n;
}

SequenceBatch takeRows(const SequenceBatch& batch, const std::vector<int64_t>& rows) {
    SequenceBatch s;
    s.rows = static_cast<int64_t>(rows.size());
    for (const int64_t r : rows)
        for (int64_t t = batch.length; t > s.length; --t)
            if (batch.inputs[static_cast<size_t>(r * batch.length + t - 1)] != 0) {
                s.length = t;
                break;
            }
    for (const int64_t r : rows) {
        const auto from = static_cast<std::ptrdiff_t>(r * batch.length);
        const auto to = from + static_cast<std::ptrdiff_t>(s.length);
        s.inputs.insert(s.inputs.end(), batch.inputs.begin() + from, batch.inputs.begin() + to);
        s.targets.insert(s.targets.end(), batch.targets.begin() + from, batch.targets.begin() + to);
        s.weights.insert(s.weights.end(), batch.weights.begin() + from, batch.weights.begin() + to);
        if (!batch.times.empty())
            s.times.insert(s.times.end(), batch.times.begin() + from, batch.times.begin() + to);
    }
    return s;
}

std::vector<SequenceBatch> sliceRows(const SequenceBatch& batch, int64_t rowsPerSlice) {
    std::vector<SequenceBatch> out;
    for (int64_t r0 = 0; r0 < batch.rows; r0 += rowsPerSlice) {
        std::vector<int64_t> rows;
        for (int64_t r = r0; r < std::min(batch.rows, r0 + rowsPerSlice); ++r)
            rows.push_back(r);
        out.push_back(takeRows(batch, rows));
    }
    return out;
}

}  // namespace tiltbench
