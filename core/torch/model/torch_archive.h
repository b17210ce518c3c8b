#pragma once
// Private to core (.cpp files only): torch zip archives (TorchScript files, and the checkpoints and training
// states of workspaces written before the tensor-archive format) read without running their code.
//
// A torch archive is a zip file whose `code/` records are TorchScript source: torch::jit::load compiles them
// and, while unpickling `data.pkl`, calls the `__setstate__` of any class that defines one — so loading an
// archive runs whatever the file's author wrote. Everything here inspects the bytes first, in memory:
//   scanZip            parses the zip's central directory itself (zip64 included) and refuses anything whose
//                      records miniz would have to allocate unbounded memory for (compressed records over
//                      64 MiB, methods other than stored/deflate, encryption, records beyond the bytes);
//   readRecords        then lists and reads the records with PyTorchStreamReader (the reader jit::load uses);
//   legacyAttributes   accepts an archive written by torch::serialize::OutputArchive (Tiltbench's old
//                      checkpoint and optimizer format) only when its record set is the expected one and
//                      every line of every code record is a class declaration of attributes — no `def`, so
//                      no method exists to run — and only then jit::loads the same bytes and returns the
//                      attributes (tensors checked to lie inside their storage).
#include <ATen/core/ivalue.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tiltbench {

struct ZipEntry {
    std::string name;
    uint16_t method = 0;  // 0 stored, 8 deflate
    uint64_t compressedSize = 0;
    uint64_t size = 0;
};

// Throws Error starting with `what` when `bytes` is not a zip archive whose records can be read within
// bounded memory.
std::vector<ZipEntry> scanZip(const std::string& bytes, const std::string& what);

// A read adapter over bytes held by the caller (they must outlive it).
class BytesReadAdapter : public caffe2::serialize::ReadAdapterInterface {
  public:
    explicit BytesReadAdapter(const std::string& bytes) : m_bytes(bytes) {}
    size_t size() const override { return m_bytes.size(); }
    size_t read(uint64_t pos, void* buf, size_t n, const char* what = "") const override;

  private:
    const std::string& m_bytes;
};

// scanZip, then every record name (archive folder stripped) and content as PyTorchStreamReader reads it.
// Throws Error starting with `what`.
std::map<std::string, std::string> readRecords(const std::string& bytes, const std::string& what);

// A legacy OutputArchive blob, checked (see above) and loaded: its attributes by dotted path
// ("items.weight", "state.0x55d0.step"), submodules left out. Throws Error starting with `what`, before any
// jit::load, when the blob is not a plain archive of values.
std::vector<std::pair<std::string, c10::IValue>> legacyAttributes(const std::string& bytes,
                                                                  const std::string& what);

// Throws Error naming `what` and `name` unless `t` is a defined, dense, contiguous tensor that lies inside
// its storage.
void requireInsideStorage(const at::Tensor& t, const std::string& what, const std::string& name);

}  // namespace tiltbench
