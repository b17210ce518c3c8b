#include "common/tensor_archive.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"

namespace tiltbench {
namespace {

bool hostIsLittleEndian() {
    const uint16_t one = 1;
    uint8_t first = 0;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

void swapElements(uint8_t* bytes, size_t count, size_t width) {
    for (size_t i = 0; i < count; ++i)
        std::reverse(bytes + i * width, bytes + (i + 1) * width);
}

template <typename T>
NamedTensor make(std::string name, TensorDtype dtype, std::vector<int64_t> shape, const T* data) {
    NamedTensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    const auto n = static_cast<size_t>(t.numel());
    t.bytes.resize(n * sizeof(T));
    if (n > 0)
        std::memcpy(t.bytes.data(), data, n * sizeof(T));
    if (!hostIsLittleEndian())
        swapElements(t.bytes.data(), n, sizeof(T));
    return t;
}

constexpr size_t kMaxDims = 8;

}  // namespace

const char* dtypeName(TensorDtype dtype) {
    switch (dtype) {
        case TensorDtype::F32:
            return "F32";
        case TensorDtype::F64:
            return "F64";
        case TensorDtype::I64:
            return "I64";
    }
    return "F32";
}

size_t dtypeSize(TensorDtype dtype) {
    return dtype == TensorDtype::F32 ? 4 : 8;
}

int64_t NamedTensor::numel() const {
    int64_t n = 1;
    for (const int64_t d : shape)
        n *= d;
    return n;
}

NamedTensor NamedTensor::f32(std::string name, std::vector<int64_t> shape, const float* data) {
    return make(std::move(name), TensorDtype::F32, std::move(shape), data);
}
NamedTensor NamedTensor::f64(std::string name, std::vector<int64_t> shape, const double* data) {
    return make(std::move(name), TensorDtype::F64, std::move(shape), data);
}
NamedTensor NamedTensor::i64(std::string name, std::vector<int64_t> shape, const int64_t* data) {
    return make(std::move(name), TensorDtype::I64, std::move(shape), data);
}

std::string safetensorsHeader(const std::vector<NamedTensor>& tensors,
                              const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header;
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::set<std::string> names;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        if (t.name.empty() || t.name == "__metadata__" || !names.insert(t.name).second)
            throw Error(
                fmt::format("safetensors: tensor name '{}' is empty, reserved or used twice", t.name));
        const auto expected = static_cast<uint64_t>(t.numel()) * dtypeSize(t.dtype);
        if (t.bytes.size() != expected)
            throw Error(fmt::format("safetensors: tensor '{}' holds {} bytes, its shape needs {}", t.name,
                                    t.bytes.size(), expected));
        header[t.name] = {
            {"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + expected}}};
        offset += expected;
    }
    std::string text = header.empty() ? std::string("{}") : header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

std::string encodeTensorArchive(const std::vector<NamedTensor>& tensors,
                                const std::map<std::string, std::string>& metadata) {
    const std::string header = safetensorsHeader(tensors, metadata);
    size_t total = 8 + header.size();
    for (const auto& t : tensors)
        total += t.bytes.size();
    std::string out;
    out.reserve(total);
    auto n = static_cast<uint64_t>(header.size());
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>(n & 0xff));
        n >>= 8;
    }
    out += header;
    for (const auto& t : tensors)
        out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
    return out;
}

const ArchiveTensor* TensorArchive::find(const std::string& name) const {
    for (const auto& t : tensors) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

bool looksLikeTensorArchive(const std::string& bytes) {
    return bytes.size() >= 8 && bytes.compare(0, 4, "PK\x03\x04", 4) != 0;
}

TensorArchive decodeTensorArchive(const std::string& bytes, const std::string& what) {
    auto fail = [&what](const std::string& why) {
        return Error(fmt::format("{}: not a valid tensor archive: {}", what, why));
    };
    if (bytes.size() < 8)
        throw fail(fmt::format("{} bytes, shorter than the 8-byte header length", bytes.size()));
    uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i)
        headerLength = (headerLength << 8) | static_cast<uint8_t>(bytes[static_cast<size_t>(i)]);
    if (headerLength > kMaxTensorArchiveHeader)
        throw fail(fmt::format("the header claims {} bytes (at most {} are accepted)", headerLength,
                               kMaxTensorArchiveHeader));
    if (headerLength > bytes.size() - 8)
        throw fail(fmt::format("the header claims {} bytes, only {} follow the length", headerLength,
                               bytes.size() - 8));
    const size_t dataBegin = 8 + static_cast<size_t>(headerLength);
    const uint64_t dataSize = bytes.size() - dataBegin;

    // Duplicate names: nlohmann keeps the last of two equal keys silently, so count them while parsing.
    std::set<std::string> seen;
    std::string duplicate;
    const nlohmann::json::parser_callback_t watch = [&](int depth, nlohmann::json::parse_event_t event,
                                                        nlohmann::json& parsed) {
        if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed.is_string() &&
            !seen.insert(parsed.get<std::string>()).second && duplicate.empty())
            duplicate = parsed.get<std::string>();
        return true;
    };
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes.begin() + 8,
                                       bytes.begin() + static_cast<std::ptrdiff_t>(dataBegin), watch);
    } catch (const nlohmann::json::exception& e) {
        throw fail(fmt::format("the header is not valid JSON ({})", e.what()));
    }
    if (!duplicate.empty())
        throw fail(fmt::format("tensor '{}' is named twice", duplicate));
    if (!header.is_object())
        throw fail("the header is not a JSON object");

    TensorArchive out;
    struct Span {
        uint64_t begin, end;
        size_t index;
    };
    std::vector<Span> spans;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const nlohmann::json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object())
                throw fail("__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string())
                    throw fail(fmt::format("__metadata__ entry '{}' is not a string", m.key()));
                out.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (name.empty())
            throw fail("a tensor has an empty name");
        auto bad = [&](const std::string& why) { return fail(fmt::format("tensor '{}': {}", name, why)); };
        if (!v.is_object() || v.size() != 3 || !v.contains("dtype") || !v.contains("shape") ||
            !v.contains("data_offsets"))
            throw bad("expected exactly the fields dtype, shape and data_offsets");
        ArchiveTensor t;
        t.name = name;
        const auto& dtype = v.at("dtype");
        if (dtype == "F32")
            t.dtype = TensorDtype::F32;
        else if (dtype == "F64")
            t.dtype = TensorDtype::F64;
        else if (dtype == "I64")
            t.dtype = TensorDtype::I64;
        else
            throw bad(fmt::format("dtype {} is not one of F32, F64, I64", dtype.dump()));
        const auto& shape = v.at("shape");
        if (!shape.is_array() || shape.size() > kMaxDims)
            throw bad(fmt::format("shape {} is not a list of at most {} sizes", shape.dump(), kMaxDims));
        // Each dim ≤ data size (or the count would not fit anyway unless another dim is 0), product checked
        // against overflow.
        uint64_t numel = 1;
        bool overflow = false;
        for (const auto& d : shape) {
            if (!d.is_number_unsigned())
                throw bad(
                    fmt::format("shape {} holds a size that is not a non-negative integer", shape.dump()));
            const auto dim = d.get<uint64_t>();
            if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                throw bad(fmt::format("shape {} holds a size beyond 2^63", shape.dump()));
            t.shape.push_back(static_cast<int64_t>(dim));
            if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim)
                overflow = true;
            else
                numel *= dim;
        }
        for (const int64_t d : t.shape) {
            if (d == 0) {
                overflow = false;
                numel = 0;
            }
        }
        const uint64_t width = dtypeSize(t.dtype);
        if (overflow || numel > dataSize / width)
            throw bad(fmt::format("shape {} needs more bytes than the archive's {} bytes of data",
                                  shape.dump(), dataSize));
        const auto& offsets = v.at("data_offsets");
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            throw bad(fmt::format("data_offsets {} is not a pair of non-negative integers", offsets.dump()));
        const auto begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
        if (begin > end || end > dataSize)
            throw bad(
                fmt::format("data_offsets [{}, {}] are outside the {} bytes of data", begin, end, dataSize));
        if (end - begin != numel * width)
            throw bad(fmt::format("data_offsets [{}, {}] hold {} bytes, shape {} of {} needs {}", begin, end,
                                  end - begin, shape.dump(), dtypeName(t.dtype), numel * width));
        t.numel = static_cast<int64_t>(numel);
        t.size = static_cast<size_t>(end - begin);
        t.data = reinterpret_cast<const uint8_t*>(bytes.data()) + dataBegin + begin;
        spans.push_back({begin, end, out.tensors.size()});
        out.tensors.push_back(std::move(t));
    }
    // Contiguous and non-overlapping: sorted by offset, each tensor starts where the previous one ends and
    // the last one ends where the bytes end.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t at = 0;
    for (const auto& s : spans) {
        if (s.begin != at)
            throw fail(fmt::format("tensor '{}' starts at byte {} of the data, expected {} ({})",
                                   out.tensors[s.index].name, s.begin, at,
                                   s.begin < at ? "it overlaps another tensor" : "a gap before it"));
        at = s.end;
    }
    if (at != dataSize)
        throw fail(fmt::format("the tensors cover {} bytes of data, the archive holds {}", at, dataSize));
    std::vector<ArchiveTensor> ordered;
    ordered.reserve(spans.size());
    for (const auto& s : spans)
        ordered.push_back(std::move(out.tensors[s.index]));
    out.tensors = std::move(ordered);
    return out;
}

void copyTensorData(const ArchiveTensor& t, void* out) {
    if (t.size == 0)
        return;
    std::memcpy(out, t.data, t.size);
    if (!hostIsLittleEndian())
        swapElements(static_cast<uint8_t*>(out), t.size / dtypeSize(t.dtype), dtypeSize(t.dtype));
}

}  // namespace tiltbench
