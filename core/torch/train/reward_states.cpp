#include "torch/train/reward_states.h"

#include <fmt/format.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "store/workspace.h"
#include "torch/model/sasrec.h"
#include "torch/model/sasrec_module.h"
#include "torch/train/sasrec_trainer.h"
#include "train/post_training.h"
#include "train/sasrec_sequences.h"

namespace tiltbench {
namespace {

constexpr size_t kRowsPerPass = 128;

// Hidden states [rows, length, dim] (CPU float, contiguous) of right-padded rows of items, each at most
// maxLen long and non-empty.
// `times`: each row's timestamps (HSTU), or null.
at::Tensor hiddenOf(Sasrec& module, const torch::Device& device,
                    const std::vector<std::vector<int32_t>>& rows,
                    const std::vector<std::vector<int64_t>>* times) {
    size_t len = 0;
    for (const auto& r : rows)
        len = std::max(len, r.size());
    const auto b = static_cast<int64_t>(rows.size()), t = static_cast<int64_t>(len);
    std::vector<int64_t> inputs(static_cast<size_t>(b * t), 0), lengths;
    for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t s = 0; s < rows[r].size(); ++s)
            inputs[r * len + s] = rows[r][s] + 1;
        lengths.push_back(static_cast<int64_t>(rows[r].size()));
    }
    const auto longOpts = at::TensorOptions().dtype(at::kLong);
    const auto in = at::from_blob(inputs.data(), {b, t}, longOpts).to(device, false, true);
    const auto lens = at::from_blob(lengths.data(), {b}, longOpts).to(device, false, true);
    at::Tensor stamps;
    if (times) {
        std::vector<int64_t> flat(static_cast<size_t>(b) * len, 0);
        for (size_t r = 0; r < times->size(); ++r)
            std::copy((*times)[r].begin(), (*times)[r].end(),
                      flat.begin() + static_cast<std::ptrdiff_t>(r * len));
        stamps = at::from_blob(flat.data(), {b, t}, longOpts).to(device, false, true);
    }
    return module->hidden(in, lens, stamps).to(at::kCPU, at::kFloat).contiguous();
}

}  // namespace

RewardStates sasrecRewardStates(Workspace& ws, int64_t runId, const DatasetInfo& info,
                                const InteractionLog& log, const Split& split,
                                const ProgressCallback& progress) {
    const SasrecRunConfig config =
        checkFinishedSasrecRun(ws, info, split, runId, "--state-run", "a sasrec-head reads the states of");
    if (sasrecCheckpointEpoch(ws, runId) == 0)
        throw Error(fmt::format("--state-run {}: run {} has no checkpoint", runId, runId));
    const SasrecModel model = loadSasrecCheckpoint(ws, runId, "cpu");
    Sasrec& module = model.impl().module;
    const torch::Device device = model.impl().device;
    const auto dim = static_cast<size_t>(config.dim);
    if (config.dim < 1 || config.dim > kMaxRewardStateDim)
        throw Error(fmt::format("--state-run {}: its dimension {} is outside 1..{}", runId, config.dim,
                                kMaxRewardStateDim));
    const TrainingTargets& t = split.training();
    RewardStates out;
    out.dim = config.dim;
    out.context.assign(t.size() * dim, 0.0f);
    out.hasContext.assign(t.size(), 0);
    out.user.assign(static_cast<size_t>(split.numUsers()) * dim, 0.0f);

    torch::NoGradGuard noGrad;
    module->eval();
    // Every target but a user's first, through the step that predicts it in its training window.
    const std::vector<TrainSequence> windows =
        buildSequences(t, std::vector<float>(t.size(), 1.0f), config.maxLen, &log.ts);
    for (size_t w0 = 0; w0 < windows.size(); w0 += kRowsPerPass) {
        reportProgress(progress, {"reading hidden states", w0, windows.size(), "windows"});
        const size_t w1 = std::min(windows.size(), w0 + kRowsPerPass);
        std::vector<std::vector<int32_t>> rows;
        std::vector<std::vector<int64_t>> rowTimes;
        for (size_t w = w0; w < w1; ++w) {
            rows.emplace_back(windows[w].items.begin(), windows[w].items.end() - 1);  // inputs
            rowTimes.emplace_back(windows[w].times.begin(), windows[w].times.end() - 1);
        }
        const at::Tensor h = hiddenOf(module, device, rows, &rowTimes);
        const float* data = h.data_ptr<float>();
        const auto len = static_cast<size_t>(h.size(1));
        for (size_t w = w0; w < w1; ++w) {
            const TrainSequence& s = windows[w];
            for (size_t step = 0; step + 1 < s.items.size(); ++step) {
                const size_t target = s.begin + step + 1;
                std::memcpy(&out.context[target * dim], data + ((w - w0) * len + step) * dim,
                            dim * sizeof(float));
                out.hasContext[target] = 1;
            }
        }
    }
    // Every user: the state after the newest maxLen training items (zeros for a user with none).
    std::vector<std::vector<int32_t>> rows;
    std::vector<std::vector<int64_t>> rowTimes;
    std::vector<int32_t> rowUser;
    const auto flush = [&] {
        if (rows.empty())
            return;
        const at::Tensor h = hiddenOf(module, device, rows, &rowTimes);
        const float* data = h.data_ptr<float>();
        const auto len = static_cast<size_t>(h.size(1));
        for (size_t r = 0; r < rows.size(); ++r)
            std::memcpy(&out.user[static_cast<size_t>(rowUser[r]) * dim],
                        data + (r * len + rows[r].size() - 1) * dim, dim * sizeof(float));
        rows.clear();
        rowTimes.clear();
        rowUser.clear();
    };
    for (size_t i = 0; i < t.size();) {
        size_t j = i;
        while (j < t.size() && t.user[j] == t.user[i])
            ++j;
        const size_t begin = j - std::min(j - i, static_cast<size_t>(config.maxLen));
        rows.emplace_back(t.item.begin() + static_cast<std::ptrdiff_t>(begin),
                          t.item.begin() + static_cast<std::ptrdiff_t>(j));
        rowTimes.emplace_back();
        for (size_t k = begin; k < j; ++k)
            rowTimes.back().push_back(log.ts[static_cast<size_t>(t.logIndex[k])]);
        rowUser.push_back(t.user[i]);
        if (rows.size() == kRowsPerPass)
            flush();
        i = j;
    }
    flush();
    reportProgress(progress, {"reading hidden states", windows.size(), windows.size(), "windows"});
    return out;
}

}  // namespace tiltbench
