#pragma once
// RewardSourceCombo: "Rewards" — the logged rewards, or a finished reward-model run's estimates r̂ fitted on a
// given split (train/reward_source.h, `--reward-source model:RUN`). Shared by the Train form and the λ
// Explorer, so both list the same runs the same way. Item data: the reward-model run id, 0 for logged.
#include <QComboBox>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace tiltbench {

class RewardSourceCombo : public QComboBox {
    Q_OBJECT
  public:
    explicit RewardSourceCombo(QWidget* parent = nullptr);
    // Lists "logged" and every finished reward-model run among `runs` fitted on split `split` ("loo",
    // "time"); keeps the chosen run when it is still listed, else selects logged. Emits no signal.
    void refill(const std::vector<RunRecord>& runs, const std::string& split);
    qint64 modelRun() const;  // 0 = logged
    // Selects run `id` (0 = logged) when listed; returns whether it is.
    bool selectModelRun(qint64 id);
};

}  // namespace tiltbench
