#include "data/fingerprint.h"

#include <fmt/format.h>

#include <cstring>

#include "common/word_hash.h"

namespace tiltbench {

uint64_t datasetFingerprint(const InteractionLog& log, const std::optional<GroundTruthRecord>& truth) {
    WordHash h;
    h.text("tiltbench-dataset-v1");
    h.word(log.hasTime ? 1 : 0);
    for (const auto* ids : {&log.userIds, &log.itemIds}) {
        h.word(ids->size());
        for (const std::string& id : *ids)
            h.text(id);
    }
    h.word(log.size());
    for (size_t k = 0; k < log.size(); ++k) {
        h.word(static_cast<uint64_t>(static_cast<uint32_t>(log.user[k])));
        h.word(static_cast<uint64_t>(static_cast<uint32_t>(log.item[k])));
        h.real(log.reward[k]);
        h.word(static_cast<uint64_t>(log.ts[k]));
    }
    h.word(log.randomTest.size());
    for (const RandomTestEntry& e : log.randomTest) {
        h.word(static_cast<uint64_t>(static_cast<uint32_t>(e.user)));
        h.word(static_cast<uint64_t>(static_cast<uint32_t>(e.item)));
        h.real(e.reward);
    }
    h.word(truth ? 1 : 0);
    if (truth) {
        h.text(truth->kind);
        h.text(truth->config);
        h.word(truth->blob.size());
        // Eight bytes a word: a ground truth can be megabytes.
        size_t i = 0;
        for (; i + 8 <= truth->blob.size(); i += 8) {
            uint64_t w = 0;
            std::memcpy(&w, truth->blob.data() + i, 8);
            h.word(w);
        }
        for (; i < truth->blob.size(); ++i)
            h.word(truth->blob[i]);
    }
    return h.value();
}

std::string fingerprintHex(uint64_t fingerprint) {
    return fmt::format("{:016x}", fingerprint);
}

bool sameContent(const InteractionLog& a, const std::optional<GroundTruthRecord>& truthA,
                 const InteractionLog& b, const std::optional<GroundTruthRecord>& truthB) {
    if (a.hasTime != b.hasTime || a.userIds != b.userIds || a.itemIds != b.itemIds || a.user != b.user ||
        a.item != b.item || a.ts != b.ts || a.reward.size() != b.reward.size() ||
        a.randomTest.size() != b.randomTest.size() || truthA.has_value() != truthB.has_value())
        return false;
    // Rewards by their bits, as the fingerprint hashes them (a NaN never reaches a loaded log).
    if (!a.reward.empty() &&
        std::memcmp(a.reward.data(), b.reward.data(), a.reward.size() * sizeof(double)) != 0)
        return false;
    for (size_t k = 0; k < a.randomTest.size(); ++k) {
        const RandomTestEntry &x = a.randomTest[k], &y = b.randomTest[k];
        if (x.user != y.user || x.item != y.item || std::memcmp(&x.reward, &y.reward, sizeof(double)) != 0)
            return false;
    }
    return !truthA ||
           (truthA->kind == truthB->kind && truthA->config == truthB->config && truthA->blob == truthB->blob);
}

}  // namespace tiltbench
