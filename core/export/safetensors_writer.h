#pragma once
// The safetensors format (https://github.com/huggingface/safetensors), written without the library: an
// 8-byte little-endian u64 N, then N bytes of JSON header {"__metadata__": {str: str}, name: {"dtype",
// "shape", "data_offsets": [begin, end]}, …} padded with spaces so that N is a multiple of 8, then the tensor
// bytes — little-endian, row-major, contiguous, in header order, offsets relative to the end of the header.
// Private to core/export.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tiltbench {

class AtomicFile;

enum class TensorDtype { F32, F64, I64 };

struct NamedTensor {
    std::string name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;  // little-endian, row-major

    int64_t numel() const;
    static NamedTensor f32(std::string name, std::vector<int64_t> shape, const float* data);
    static NamedTensor f64(std::string name, std::vector<int64_t> shape, const double* data);
    static NamedTensor i64(std::string name, std::vector<int64_t> shape, const int64_t* data);
};

const char* dtypeName(TensorDtype dtype);  // "F32", "F64", "I64"

// The header bytes, padding included (without the 8-byte length). Throws Error on a duplicate or empty name,
// or a tensor whose byte count does not match its shape.
std::string safetensorsHeader(const std::vector<NamedTensor>& tensors,
                              const std::map<std::string, std::string>& metadata);
// Length prefix, header and data, in that order.
void writeSafetensors(AtomicFile& file, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata);

}  // namespace tiltbench
