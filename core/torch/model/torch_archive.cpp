#include "torch/model/torch_archive.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <regex>
#include <set>

#include "common/error.h"

namespace tiltbench {
namespace {

constexpr uint64_t kMaxDeflatedRecord = 64ull << 20;
constexpr uint64_t kMaxEntries = 1u << 20;

uint64_t le(const std::string& b, uint64_t at, int width) {
    uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i)
        v = (v << 8) | static_cast<uint8_t>(b[static_cast<size_t>(at) + static_cast<size_t>(i)]);
    return v;
}

// A line of a code record that an OutputArchive writes: a class header, its parameter and buffer lists, an
// attribute declaration (`name : Type`, or `__annotations__["name"] = Type` for names that are not
// identifiers), an import, a comment or nothing. Anything else (a `def`, an assignment of an
// expression, a decorator) is refused.
bool declarationLine(const std::string& line) {
    static const std::regex allowed(
        R"(\s*(#.*)?)"
        R"(|class [A-Za-z_]\w*\(Module\):)"
        R"(|  __(parameters|buffers)__ = \[("[A-Za-z0-9_./]+", )*\])"
        R"(|  __annotations__ = \[\])"
        R"(|  __annotations__\["[A-Za-z0-9_./]+"\] = [A-Za-z_][\w.]*(\[[\w., \[\]]*\])?)"
        R"(|  [A-Za-z0-9_/]+ : [A-Za-z_][\w.]*(\[[\w., \[\]]*\])?)"
        R"(|import [A-Za-z_][\w.]*)"
        R"(|from [A-Za-z_][\w.]* import [A-Za-z_][\w, ]*)");
    return std::regex_match(line, allowed);
}

}  // namespace

std::vector<ZipEntry> scanZip(const std::string& b, const std::string& what) {
    auto fail = [&what](const std::string& why) {
        return Error(fmt::format("{}: not a readable torch archive: {}", what, why));
    };
    const uint64_t size = b.size();
    if (size < 22)
        throw fail("too short for a zip file");
    // End of central directory: the last signature within the final 64 KiB + 22 bytes whose comment length
    // reaches exactly to the end.
    uint64_t eocd = std::numeric_limits<uint64_t>::max();
    const uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
    for (uint64_t at = size - 22 + 1; at-- > lowest;) {
        if (le(b, at, 4) == 0x06054b50 && at + 22 + le(b, at + 20, 2) == size) {
            eocd = at;
            break;
        }
    }
    if (eocd == std::numeric_limits<uint64_t>::max())
        throw fail("no end-of-central-directory record");
    uint64_t entries = le(b, eocd + 10, 2), cdSize = le(b, eocd + 12, 4), cdOffset = le(b, eocd + 16, 4);
    if (le(b, eocd + 4, 2) != 0 || le(b, eocd + 6, 2) != 0)
        throw fail("a multi-disk zip file");
    if (eocd >= 20 && le(b, eocd - 20, 4) == 0x07064b50) {  // zip64 locator
        const uint64_t at = le(b, eocd - 20 + 8, 8);
        if (at > size || size - at < 56 || le(b, at, 4) != 0x06064b50)
            throw fail("a damaged zip64 end-of-central-directory record");
        entries = le(b, at + 32, 8);
        cdSize = le(b, at + 40, 8);
        cdOffset = le(b, at + 48, 8);
    }
    if (entries > kMaxEntries || cdOffset > size || cdSize > size - cdOffset)
        throw fail("the central directory lies outside the file");
    std::vector<ZipEntry> out;
    uint64_t at = cdOffset, deflated = 0;
    const uint64_t end = cdOffset + cdSize;
    for (uint64_t i = 0; i < entries; ++i) {
        if (end - at < 46 || le(b, at, 4) != 0x02014b50)
            throw fail(fmt::format("central directory entry {} is damaged", i));
        ZipEntry e;
        const auto flags = le(b, at + 8, 2);
        e.method = static_cast<uint16_t>(le(b, at + 10, 2));
        e.compressedSize = le(b, at + 20, 4);
        e.size = le(b, at + 24, 4);
        const uint64_t nameLen = le(b, at + 28, 2), extraLen = le(b, at + 30, 2),
                       commentLen = le(b, at + 32, 2);
        uint64_t offset = le(b, at + 42, 4);
        if (end - at - 46 < nameLen + extraLen + commentLen)
            throw fail(fmt::format("central directory entry {} is damaged", i));
        e.name = b.substr(static_cast<size_t>(at + 46), static_cast<size_t>(nameLen));
        // zip64 extra field: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
        for (uint64_t x = at + 46 + nameLen; x + 4 <= at + 46 + nameLen + extraLen;) {
            const uint64_t id = le(b, x, 2), len = le(b, x + 2, 2);
            if (x + 4 + len > at + 46 + nameLen + extraLen)
                throw fail(fmt::format("record '{}' has a damaged extra field", e.name));
            if (id == 1) {
                uint64_t p = x + 4;
                for (uint64_t* field : {&e.size, &e.compressedSize, &offset}) {
                    if (*field != 0xffffffffu)
                        continue;
                    if (p + 8 > x + 4 + len)
                        throw fail(fmt::format("record '{}' has a damaged zip64 field", e.name));
                    *field = le(b, p, 8);
                    p += 8;
                }
            }
            x += 4 + len;
        }
        if (flags & 1)
            throw fail(fmt::format("record '{}' is encrypted", e.name));
        if (e.method != 0 && e.method != 8)
            throw fail(fmt::format("record '{}' uses compression method {}", e.name, e.method));
        if (offset > size || e.compressedSize > size - offset)
            throw fail(fmt::format("record '{}' lies outside the file", e.name));
        if (e.method == 0 && e.size != e.compressedSize)
            throw fail(fmt::format("stored record '{}' claims two sizes", e.name));
        if (e.method == 8) {
            deflated += e.size;
            if (e.size > kMaxDeflatedRecord || deflated > 4 * kMaxDeflatedRecord)
                throw fail(fmt::format("compressed record '{}' claims {} bytes", e.name, e.size));
        }
        out.push_back(std::move(e));
        at += 46 + nameLen + extraLen + commentLen;
    }
    return out;
}

size_t BytesReadAdapter::read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const {
    if (pos >= m_bytes.size())
        return 0;
    const size_t count = std::min<uint64_t>(n, m_bytes.size() - pos);
    std::memcpy(buf, m_bytes.data() + pos, count);
    return count;
}

std::map<std::string, std::string> readRecords(const std::string& bytes, const std::string& what) {
    scanZip(bytes, what);
    std::map<std::string, std::string> out;
    try {
        caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BytesReadAdapter>(bytes));
        for (const auto& name : reader.getAllRecords()) {
            auto record = reader.getRecord(name);
            out[name] = std::string(static_cast<const char*>(std::get<0>(record).get()), std::get<1>(record));
        }
    } catch (const c10::Error& e) {
        const std::string why = e.what_without_backtrace();
        throw Error(fmt::format("{}: not a readable torch archive: {}", what, why.substr(0, why.find('\n'))));
    }
    return out;
}

std::vector<std::pair<std::string, c10::IValue>> legacyAttributes(const std::string& bytes,
                                                                  const std::string& what) {
    const auto records = readRecords(bytes, what);
    static const std::regex dataRecord(R"(data/\d+)");
    static const std::regex codeRecord(R"(code/[A-Za-z0-9_./]+\.py)");
    static const std::regex debugRecord(R"(code/[A-Za-z0-9_./]+\.py\.debug_pkl)");
    bool hasData = false;
    for (const auto& [name, content] : records) {
        if (name == "data.pkl") {
            hasData = true;
        } else if (name == "constants.pkl" || name == "version" || name == ".data/version" ||
                   name == "byteorder" || std::regex_match(name, dataRecord) ||
                   std::regex_match(name, debugRecord)) {
        } else if (std::regex_match(name, codeRecord)) {
            size_t begin = 0, lineNo = 1;
            while (begin < content.size()) {
                size_t nl = content.find('\n', begin);
                if (nl == std::string::npos)
                    nl = content.size();
                const std::string line = content.substr(begin, nl - begin);
                if (!declarationLine(line)) {
                    throw Error(fmt::format(
                        "{}: refused: a torch archive whose code record '{}' holds code, not only "
                        "declarations (line {}: '{}'); loading it would run that code, so nothing of it "
                        "was loaded",
                        what, name, lineNo, line.substr(0, 80)));
                }
                begin = nl + 1;
                ++lineNo;
            }
        } else {
            throw Error(
                fmt::format("{}: refused: a torch archive with the unexpected record '{}'", what, name));
        }
    }
    if (!hasData)
        throw Error(fmt::format("{}: refused: a torch archive without data.pkl", what));

    torch::jit::Module m;
    try {
        m = torch::jit::load(std::make_shared<BytesReadAdapter>(bytes), at::Device(at::kCPU));
    } catch (const std::exception& e) {
        const std::string why = e.what();
        throw Error(
            fmt::format("{}: the old-format archive does not load: {}", what, why.substr(0, why.find('\n'))));
    }
    std::vector<std::pair<std::string, c10::IValue>> out;
    for (const auto& a : m.named_attributes(true)) {
        if (a.value.isObject())
            continue;
        if (a.value.isTensor())
            requireInsideStorage(a.value.toTensor(), what, a.name);
        out.emplace_back(a.name, a.value);
    }
    return out;
}

void requireInsideStorage(const at::Tensor& t, const std::string& what, const std::string& name) {
    if (!t.defined() || t.layout() != at::kStrided || !t.has_storage() || t.is_quantized())
        throw Error(fmt::format("{}: tensor '{}' is not a plain dense tensor", what, name));
    if (!t.is_contiguous() || t.storage_offset() < 0)
        throw Error(fmt::format("{}: tensor '{}' is not contiguous", what, name));
    const auto numel = static_cast<uint64_t>(t.numel());
    const auto offset = static_cast<uint64_t>(t.storage_offset());
    const uint64_t item = t.element_size();
    const uint64_t nbytes = t.storage().nbytes();
    if (offset > nbytes / item || numel > nbytes / item - offset)
        throw Error(
            fmt::format("{}: tensor '{}' reaches beyond its storage ({} elements from {}, storage {} bytes)",
                        what, name, numel, offset, nbytes));
}

}  // namespace tiltbench
