#pragma once
// Tensor archives: named tensors in the safetensors layout (https://github.com/huggingface/safetensors) —
// an 8-byte little-endian u64 N, N bytes of JSON header {"__metadata__": {str: str}, name: {"dtype", "shape",
// "data_offsets": [begin, end]}, …} padded with spaces to a multiple of 8, then the tensor bytes
// (little-endian, row-major, contiguous, in header order, offsets relative to the end of the header).
//
// Tiltbench stores SASRec checkpoints and training states this way (checkpoints.blob, run_train_states) and
// exports weights in it, because the format is data only: reading it runs no code from the file, unlike a
// torch archive, whose loader runs the archive's TorchScript (`__setstate__`). The reader below is strict
// and checks everything before it hands out a byte: the header length (at most 64 MiB and within the
// bytes), the JSON (valid, an object, names unique and non-empty), the dtypes (F32, F64, I64 only), the
// shapes (at most 8 dims, each ≥ 0, no overflow), and the offsets (in bounds, matching shape × dtype size,
// contiguous, non-overlapping, covering the data exactly). Torch-free.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tiltbench {

enum class TensorDtype { F32, F64, I64 };

const char* dtypeName(TensorDtype dtype);  // "F32", "F64", "I64"
size_t dtypeSize(TensorDtype dtype);       // 4 or 8

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

// The header bytes, padding included (without the 8-byte length). Throws Error on a duplicate, empty or
// reserved name, or a tensor whose byte count does not match its shape.
std::string safetensorsHeader(const std::vector<NamedTensor>& tensors,
                              const std::map<std::string, std::string>& metadata);
// The whole archive (length prefix, header, data) as one byte string.
std::string encodeTensorArchive(const std::vector<NamedTensor>& tensors,
                                const std::map<std::string, std::string>& metadata = {});

// A tensor of a decoded archive: a view into the bytes given to decodeTensorArchive (keep them alive).
struct ArchiveTensor {
    std::string name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<int64_t> shape;
    const uint8_t* data = nullptr;  // little-endian, row-major; not aligned
    size_t size = 0;                // bytes == numel × dtypeSize
    int64_t numel = 0;
};

struct TensorArchive {
    std::map<std::string, std::string> metadata;
    std::vector<ArchiveTensor> tensors;  // in data order
    const ArchiveTensor* find(const std::string& name) const;
};

// The largest header the reader accepts.
constexpr uint64_t kMaxTensorArchiveHeader = 64ull << 20;

// True when `bytes` could be a tensor archive (not a zip file, long enough for the length prefix).
bool looksLikeTensorArchive(const std::string& bytes);

// Checks and decodes `bytes`. Throws Error starting with `what` (e.g. "run 3: checkpoints.blob") and saying
// what is wrong, naming the tensor when one is at fault.
TensorArchive decodeTensorArchive(const std::string& bytes, const std::string& what);

// Copies a tensor's t.size bytes to `out` as host-order elements (byte-swapped on a big-endian host).
void copyTensorData(const ArchiveTensor& t, void* out);

}  // namespace tiltbench
