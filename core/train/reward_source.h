#pragma once
// Where the weighting reads a training target's reward (issue 16, `--reward-source`): the logged reward (the
// practical method), or a recorded reward-model run's estimate r̂(user, item) (the tilt π_β·exp(r̂/λ) of the
// method's theory). The model is read back from the run's stored fit (RunStore::modelBlob), so the λ
// Explorer, which has no LibTorch, can compute the same weights. Torch-free.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eval/split.h"
#include "reward/reward_model.h"
#include "store/dataset_info.h"
#include "store/workspace.h"

namespace tiltbench {

struct RewardSource {
    int64_t modelRun = 0;  // 0 = the logged rewards

    bool logged() const { return modelRun == 0; }
    // "logged" or "model:RUN"; anything else is an Error naming --reward-source.
    static RewardSource parse(const std::string& text);
    std::string format() const;
};

// The reward model of `source` (nullptr for logged rewards), read back from its run's stored fit after the
// checks below.
std::unique_ptr<RewardModel> sourcedRewardModel(Workspace& ws, const RewardSource& source,
                                                const DatasetInfo& info, const Split& split);

// The rewards of `split`'s training targets, in target order, as the weighting should see them: the logged
// ones, or the predictions of reward-model run `source.modelRun`. That run must be a finished reward-model
// run of the same dataset (`info`) whose recorded split hash is `split`'s, with a stored fit; otherwise an
// Error naming the run and what does not fit — raised before the caller records anything.
std::vector<double> sourcedTrainingRewards(Workspace& ws, const RewardSource& source, const DatasetInfo& info,
                                           const Split& split);

}  // namespace tiltbench
