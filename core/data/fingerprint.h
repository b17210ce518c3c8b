#pragma once
// A dataset's content fingerprint: what `merge` matches datasets of different workspaces by (their names may
// differ, and a name says nothing about content). It covers everything a run's records depend on: the user
// and item ids in dense-index order (per-user values and checkpoints index them), every interaction (user,
// item, reward, time), whether times are real, the random-exposure test set and the simulator's ground
// truth. Item titles are left out (display only). The hash is not cryptographic: `sameContent` compares the
// contents themselves, so a crafted workspace with a colliding fingerprint is still refused.
#include <cstdint>
#include <optional>
#include <string>

#include "data/ground_truth.h"
#include "data/interaction_log.h"

namespace tiltbench {

uint64_t datasetFingerprint(const InteractionLog& log, const std::optional<GroundTruthRecord>& truth);
std::string fingerprintHex(uint64_t fingerprint);  // 16 lowercase hex digits

// Whether two datasets have the same content in the fingerprint's sense, compared element by element.
bool sameContent(const InteractionLog& a, const std::optional<GroundTruthRecord>& truthA,
                 const InteractionLog& b, const std::optional<GroundTruthRecord>& truthB);

}  // namespace tiltbench
