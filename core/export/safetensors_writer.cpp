#include "export/safetensors_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "export/atomic_file.h"

namespace tiltbench {
namespace {

bool hostIsLittleEndian() {
    const uint16_t one = 1;
    uint8_t first = 0;
    std::memcpy(&first, &one, 1);
    return first == 1;
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
    if (!hostIsLittleEndian()) {
        for (size_t i = 0; i < n; ++i)
            std::reverse(t.bytes.begin() + static_cast<std::ptrdiff_t>(i * sizeof(T)),
                         t.bytes.begin() + static_cast<std::ptrdiff_t>((i + 1) * sizeof(T)));
    }
    return t;
}

size_t dtypeSize(TensorDtype dtype) {
    return dtype == TensorDtype::F32 ? 4 : 8;
}

}  // namespace

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
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

void writeSafetensors(AtomicFile& file, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    const std::string header = safetensorsHeader(tensors, metadata);
    uint8_t length[8];
    auto n = static_cast<uint64_t>(header.size());
    for (uint8_t& byte : length) {
        byte = static_cast<uint8_t>(n & 0xff);
        n >>= 8;
    }
    file.write(length, sizeof(length));
    file.write(header);
    for (const auto& t : tensors)
        file.write(t.bytes.data(), t.bytes.size());
}

}  // namespace tiltbench
