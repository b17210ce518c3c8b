#include "export/safetensors_writer.h"

#include "export/atomic_file.h"

namespace tiltbench {

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
