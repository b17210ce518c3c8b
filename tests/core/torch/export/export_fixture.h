#pragma once
// Shared by the export tests: tiny generated datasets (integer or string item ids, a title with a comma and a
// quote), a SASRec run trained for two epochs on them, the reference top-k computed straight from the model
// or scorer, and the python3 the Python round trips run with.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "data/interaction_log.h"
#include "eval/scorer.h"
#include "store/dataset_writer.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "torch/train/sasrec_trainer.h"

namespace tiltbench::test {

constexpr int kExportUsers = 12;
constexpr int kExportItems = 30;
constexpr int kExportLength = 12;

// Every user walks the item ring from their own start; item ids are "101".."130" (integerIds) or "i0".."i29".
// Item 101 / i0 has the title `Star, "Wars" (1977)`.
inline void addRingDataset(Workspace& ws, const std::string& name, bool integerIds) {
    auto w = ws.createDataset({name, "test", "{}"});
    w->setHasTime(true);
    auto itemId = [&](int i) { return integerIds ? std::to_string(101 + i) : "i" + std::to_string(i); };
    for (int i = 0; i < kExportItems; ++i) {
        const int32_t item = w->itemIndex(itemId(i));
        w->setItemTitle(item, i == 0 ? "Star, \"Wars\" (1977)" : "Movie " + std::to_string(i));
    }
    for (int u = 0; u < kExportUsers; ++u) {
        const int32_t user = w->userIndex("user" + std::to_string(u));
        const int start = (u * 7) % kExportItems;
        for (int t = 0; t < kExportLength; ++t) {
            const int item = (start + t) % kExportItems;
            w->add(user, w->itemIndex(itemId(item)), 1.0 + item % 5, 1000 + t);
        }
    }
    w->commit();
}

inline SasrecRunConfig tinySasrec(const std::string& dataset) {
    SasrecRunConfig c;
    c.dataset = dataset;
    c.dim = 8;
    c.blocks = 2;
    c.heads = 2;
    c.maxLen = 8;  // shorter than the histories: the exports must read the newest 8
    c.dropout = 0.1;
    c.batchSize = 4;
    c.lr = 0.01;
    c.epochs = 2;
    c.patience = 0;
    c.seed = 3;
    c.device = "cpu";
    c.precision = "fp32";
    c.threads = 1;
    c.bootstrapResamples = 0;
    return c;
}

// The k best items outside `history` by score, ties to the lower index: the reference every export is held
// to.
inline std::vector<std::pair<int32_t, float>> referenceTopK(const std::vector<float>& scores,
                                                            const std::vector<int32_t>& history, int k) {
    std::vector<std::pair<int32_t, float>> all;
    for (int32_t i = 0; i < static_cast<int32_t>(scores.size()); ++i) {
        if (std::find(history.begin(), history.end(), i) == history.end())
            all.emplace_back(i, scores[static_cast<size_t>(i)]);
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    all.resize(std::min(all.size(), static_cast<size_t>(k)));
    return all;
}

inline std::vector<float> scoresAfter(const Scorer& scorer, const std::vector<int32_t>& history) {
    UserContext c;
    c.history = history.data();
    c.historyLength = static_cast<int64_t>(history.size());
    std::vector<float> s(static_cast<size_t>(scorer.numItems()));
    scorer.score({c}, 0, scorer.numItems(), s.data());
    return s;
}

inline std::vector<int32_t> userHistory(const InteractionLog& log, int32_t user) {
    return {log.item.begin() + log.userOffsets[static_cast<size_t>(user)],
            log.item.begin() + log.userOffsets[static_cast<size_t>(user) + 1]};
}

// A python3 that can run `code` (e.g. "import torch"): $TILTBENCH_PYTHON, /usr/bin/python3, then python3 on
// PATH; empty when none can.
inline std::string findPython(const std::string& code) {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("TILTBENCH_PYTHON"))
        candidates.emplace_back(env);
    candidates.emplace_back("/usr/bin/python3");
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        size_t begin = 0;
        while (begin <= p.size()) {
            size_t end = p.find(':', begin);
            if (end == std::string::npos)
                end = p.size();
            if (end > begin)
                candidates.push_back(p.substr(begin, end - begin) + "/python3");
            begin = end + 1;
        }
    }
    for (const auto& c : candidates) {
        if (pathExists(c) && runProcess({c, "-c", code}).exitCode == 0)
            return c;
    }
    return {};
}

inline const std::string& torchPython() {
    static const std::string python = findPython("import torch");
    return python;
}

inline std::string supportScript(const std::string& name) {
    return std::string(TILTBENCH_TEST_SUPPORT_DIR) + "/" + name;
}

}  // namespace tiltbench::test
