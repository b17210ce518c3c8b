#pragma once
// The safetensors format (https://github.com/huggingface/safetensors), written without the library: an
// 8-byte little-endian u64 N, then N bytes of JSON header {"__metadata__": {str: str}, name: {"dtype",
// "shape", "data_offsets": [begin, end]}, …} padded with spaces so that N is a multiple of 8, then the tensor
// bytes — little-endian, row-major, contiguous, in header order, offsets relative to the end of the header.
// The tensor types and the header live in common/tensor_archive.h (shared with the checkpoint store and its
// strict reader); this writes an archive straight into an export file. Private to core/export.
#include <map>
#include <string>
#include <vector>

#include "common/tensor_archive.h"

namespace tiltbench {

class AtomicFile;

// Length prefix, header and data, in that order.
void writeSafetensors(AtomicFile& file, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata);

}  // namespace tiltbench
