#include "widgets/reward_source_combo.h"

#include <QSignalBlocker>

#include "train/reward_run.h"

namespace tiltbench {

RewardSourceCombo::RewardSourceCombo(QWidget* parent) : QComboBox(parent) {
    addItem(tr("logged"), qint64{0});
}

void RewardSourceCombo::refill(const std::vector<RunRecord>& runs, const std::string& split) {
    const qint64 keep = modelRun();
    const QSignalBlocker block(this);
    clear();
    addItem(tr("logged"), qint64{0});
    for (const RunRecord& run : runs) {
        if (!isRewardModelRun(run.model) || run.status != "done")
            continue;
        try {  // only models fitted on the same split can stand in for its training targets' rewards
            const RewardRunConfig c = RewardRunConfig::fromJson(run.config);
            if (SplitConfig::kindToString(c.split.kind) != split)
                continue;
            addItem(tr("estimated: run %1 · %2")
                        .arg(run.id)
                        .arg(QString::fromStdString(formatRewardModelKind(c.model.kind))),
                    static_cast<qint64>(run.id));
        } catch (const std::exception&) {  // a damaged stored config: not offered
        }
    }
    const int row = findData(keep);
    setCurrentIndex(row >= 0 ? row : 0);
}

qint64 RewardSourceCombo::modelRun() const {
    return currentIndex() > 0 ? currentData().toLongLong() : 0;
}

bool RewardSourceCombo::selectModelRun(qint64 id) {
    const int row = findData(id);
    if (row < 0)
        return false;
    setCurrentIndex(row);
    return true;
}

}  // namespace tiltbench
