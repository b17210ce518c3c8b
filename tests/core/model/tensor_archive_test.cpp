// The tensor archive (common/tensor_archive.h), the format of checkpoints and training states: written and
// read back exactly, and every malformed archive — truncated, lying header length, bad JSON, duplicate
// names, unknown dtypes, huge or negative shapes, offsets that overlap, leave gaps or run past the end —
// refused with an Error naming the archive (and the tensor), before any byte of data is used.
#include "common/tensor_archive.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"

using namespace tiltbench;

namespace {

std::string archiveWithHeader(const std::string& json, const std::string& data) {
    std::string header = json;
    std::string out;
    auto n = static_cast<uint64_t>(header.size());
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>(n & 0xff));
        n >>= 8;
    }
    return out + header + data;
}

void expectRefused(const std::string& bytes, const std::string& fragment) {
    try {
        decodeTensorArchive(bytes, "run 7: checkpoints.blob");
        ADD_FAILURE() << "accepted; expected an error with '" << fragment << "'";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("run 7: checkpoints.blob"), std::string::npos) << message;
        EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
}

}  // namespace

TEST(TensorArchive, RoundTripsTensorsAndMetadata) {
    const std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
    const int64_t step = 42;
    const std::vector<double> c = {0.5, -0.25};
    const std::string bytes = encodeTensorArchive(
        {NamedTensor::f32("layer.weight", {2, 3}, a.data()), NamedTensor::i64("layer.weight/step", {}, &step),
         NamedTensor::f64("d", {2}, c.data()), NamedTensor::f32("empty", {0, 5}, nullptr)},
        {{"format", "test"}});
    ASSERT_TRUE(looksLikeTensorArchive(bytes));
    const TensorArchive archive = decodeTensorArchive(bytes, "test");
    EXPECT_EQ(archive.metadata.at("format"), "test");
    ASSERT_EQ(archive.tensors.size(), 4u);
    const ArchiveTensor* w = archive.find("layer.weight");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dtype, TensorDtype::F32);
    EXPECT_EQ(w->shape, (std::vector<int64_t>{2, 3}));
    std::vector<float> back(6);
    copyTensorData(*w, back.data());
    EXPECT_EQ(back, a);
    const ArchiveTensor* s = archive.find("layer.weight/step");
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->shape.empty());
    int64_t stepBack = 0;
    copyTensorData(*s, &stepBack);
    EXPECT_EQ(stepBack, 42);
    EXPECT_EQ(archive.find("empty")->numel, 0);
    EXPECT_EQ(archive.find("missing"), nullptr);
    // An archive of nothing is valid too.
    EXPECT_TRUE(decodeTensorArchive(encodeTensorArchive({}), "test").tensors.empty());
}

TEST(TensorArchive, TruncatedArchivesAreRefused) {
    const std::vector<float> a = {1, 2, 3, 4};
    const std::string bytes = encodeTensorArchive({NamedTensor::f32("w", {4}, a.data())});
    expectRefused(bytes.substr(0, 5), "shorter than the 8-byte header length");
    expectRefused(bytes.substr(0, 12), "only 4 follow");
    expectRefused(bytes.substr(0, bytes.size() - 1), "needs more bytes");  // data cut short
    expectRefused(bytes + "x", "the tensors cover 16 bytes of data, the archive holds 17");
}

TEST(TensorArchive, HeaderLengthIsBounded) {
    std::string bytes(16, '\0');
    bytes[7] = '\x7f';  // ~9e18 bytes
    expectRefused(bytes, "at most");
    bytes.assign(16, '\0');
    bytes[3] = '\x05';  // 80 MiB > 64 MiB, and more than the bytes
    expectRefused(bytes, "at most");
}

TEST(TensorArchive, MalformedHeadersAreRefused) {
    expectRefused(archiveWithHeader("{\"w\": ", ""), "not valid JSON");
    expectRefused(archiveWithHeader("[1, 2]", ""), "not a JSON object");
    expectRefused(archiveWithHeader(R"({"w": 3})", ""), "expected exactly the fields");
    expectRefused(
        archiveWithHeader(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": 1}})",
                          std::string(4, '\0')),
        "expected exactly the fields");
    expectRefused(archiveWithHeader(R"({"": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                                    std::string(4, '\0')),
                  "empty name");
    expectRefused(archiveWithHeader(R"({"__metadata__": {"a": 1}})", ""), "not a string");
}

TEST(TensorArchive, DuplicateNamesAreRefused) {
    expectRefused(archiveWithHeader(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                                    R"( "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                                    std::string(8, '\0')),
                  "tensor 'w' is named twice");
}

TEST(TensorArchive, OnlyWhitelistedDtypesAreRead) {
    for (const char* dtype : {"\"F16\"", "\"BF16\"", "\"U8\"", "\"object\"", "7", "null"}) {
        expectRefused(archiveWithHeader(std::string(R"({"w": {"dtype": )") + dtype +
                                            R"(, "shape": [2], "data_offsets": [0, 4]}})",
                                        std::string(4, '\0')),
                      "tensor 'w': dtype");
    }
}

TEST(TensorArchive, HugeNegativeAndOverflowingShapesAreRefused) {
    auto one = [](const std::string& shape, const std::string& offsets) {
        return archiveWithHeader(
            R"({"w": {"dtype": "F32", "shape": )" + shape + R"(, "data_offsets": )" + offsets + "}}",
            std::string(16, '\0'));
    };
    expectRefused(one("[-1]", "[0, 16]"), "not a non-negative integer");
    expectRefused(one("[1.5]", "[0, 16]"), "not a non-negative integer");
    expectRefused(one("[4294967296, 4294967296]", "[0, 16]"), "needs more bytes");  // 2^64 elements
    expectRefused(one("[1099511627776]", "[0, 16]"), "needs more bytes");           // 4 TiB
    expectRefused(one("[9223372036854775808]", "[0, 16]"), "beyond 2^63");          // 2^63
    expectRefused(one("[1,1,1,1,1,1,1,1,1]", "[0, 16]"), "at most 8 sizes");
    expectRefused(one("[4]", "[0, 15]"), "hold 15 bytes");  // count mismatch
    expectRefused(one("[4]", "[0, 99999999999999]"), "outside");
    expectRefused(one("[4]", "[8, 4]"), "outside");
    expectRefused(one("[4]", "[0, -16]"), "not a pair of non-negative integers");
}

TEST(TensorArchive, OverlappingAndGappedOffsetsAreRefused) {
    expectRefused(archiveWithHeader(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                                    R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                                    std::string(12, '\0')),
                  "overlaps");
    expectRefused(archiveWithHeader(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                                    R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
                                    std::string(16, '\0')),
                  "overlaps");
    expectRefused(archiveWithHeader(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                                    std::string(12, '\0')),
                  "a gap before it");
}

// Seeded mutations of a valid archive (bytes flipped in the header and the data, cuts, header-length edits):
// each decodes or throws tiltbench::Error — never another exception or a crash (the ASan pass of `make test`
// would report an out-of-bounds read) — and whatever decodes lies inside the bytes.
TEST(TensorArchive, MutatedArchivesDecodeOrFailCleanly) {
    const std::vector<float> a = {1, 2, 3, 4, 5, 6};
    const int64_t step = 9;
    const std::string valid = encodeTensorArchive(
        {NamedTensor::f32("a.weight", {2, 3}, a.data()), NamedTensor::i64("a.weight/step", {}, &step)},
        {{"format", "x"}});
    uint64_t state = 12345;
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return state >> 33;
    };
    int decoded = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string bytes = valid;
        const int edits = 1 + static_cast<int>(next() % 3);
        for (int e = 0; e < edits; ++e) {
            switch (next() % 4) {
                case 0:  // flip a byte anywhere
                    bytes[next() % bytes.size()] = static_cast<char>(next() & 0xff);
                    break;
                case 1:  // a digit or a bracket of the header
                    if (bytes.size() > 8)
                        bytes[8 + next() % (bytes.size() - 8)] = "0123456789[]{},\":-"[next() % 18];
                    break;
                case 2:  // cut
                    bytes.resize(next() % (bytes.size() + 1));
                    break;
                default:  // another header length
                    if (bytes.size() >= 8)
                        bytes[next() % 8] = static_cast<char>(next() & 0xff);
                    break;
            }
            if (bytes.empty())
                break;
        }
        try {
            const TensorArchive archive = decodeTensorArchive(bytes, "mutated");
            ++decoded;
            for (const auto& t : archive.tensors) {
                const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
                ASSERT_GE(t.data, begin);
                ASSERT_LE(t.data + t.size, begin + bytes.size());
                ASSERT_EQ(t.size, static_cast<size_t>(t.numel) * dtypeSize(t.dtype));
                std::vector<uint8_t> copy(t.size);
                copyTensorData(t, copy.data());
            }
        } catch (const Error&) {
            ++refused;
        }
    }
    EXPECT_GT(refused, 1000);
    EXPECT_GT(decoded, 10);  // data-byte flips still decode
}
