#pragma once
// TrainForm: the left side of the Train page — the run to queue. Dataset (the workspace's, following the
// Data page), model (SASRec or a closed-form tilted policy), split, weighting (scheme, λ, normalisation,
// clip; "From the λ Explorer" copies the Explorer's current weighting), the λ sweep (λ list and schemes),
// SASRec hyperparameters at the trainer's defaults (SasrecRunConfig), the closed-form parameters, and
// evaluation and compute (bootstrap, device with what this build supports, threads, seed). It describes runs
// (currentRequest, sweepRequests); TrainPage queues them when its buttons ask.
#include <QList>
#include <QWidget>
#include <cstdint>
#include <functional>
#include <vector>

#include "pages/train/train_request.h"
#include "process/runtime_probe.h"
#include "store/run_store.h"
#include "widgets/dataset_combo.h"
#include "widgets/reward_source_combo.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSpinBox;

namespace tiltbench {

class LambdaSlider;
class Workspace;

class TrainForm : public QWidget {
    Q_OBJECT
  public:
    explicit TrainForm(QWidget* parent = nullptr);

    void setWorkspace(Workspace* workspace);  // not owned; lists datasets through it
    void refresh();                           // re-reads the dataset list, keeps the selection
    void selectDataset(int64_t id);
    int64_t selectedDatasetId() const;

    // The Explorer's weighting, and the reward-model run its weights read (0 = logged), for the button.
    void setExplorerWeightingSource(std::function<WeightScheme()> source,
                                    std::function<qint64()> rewards = {});
    void applyExplorerWeighting();
    void updateExplorerButton();  // its label names the Explorer's current weighting

    TrainRequest currentRequest() const;
    // One request per λ of the list for exp and one per other ticked scheme; empty with `error` set when the
    // list does not parse or nothing is ticked.
    QList<TrainRequest> sweepRequests(QString* error = nullptr) const;

    // What tiltbench-cli says this build supports: CUDA is disabled in the device list when it has none.
    void showRuntime(const RuntimeSummary& summary);

    QComboBox* datasetChooser() const { return m_dataset; }
    QComboBox* modelChooser() const { return m_model; }
    QComboBox* initFromChooser() const { return m_initFrom; }
    void refillParentCombo();  // the finished SASRec runs of the dataset, to post-train from
    RewardSourceCombo* rewardSourceChooser() const { return m_rewardSource; }
    QComboBox* objectiveChooser() const { return m_objective; }
    QDoubleSpinBox* objectiveBetaBox() const { return m_objectiveBeta; }
    void refillRewardSources();  // "logged" and the finished reward-model runs of the dataset and split
    QComboBox* schemeChooser() const { return m_scheme; }
    QComboBox* deviceChooser() const { return m_device; }
    LambdaSlider* lambdaSlider() const { return m_lambda; }
    QLineEdit* sweepLambdas() const { return m_sweepLambdas; }
    QSpinBox* epochsSpin() const { return m_epochs; }
    QSpinBox* batchSpin() const { return m_batch; }
    QSpinBox* dimSpin() const { return m_dim; }
    QSpinBox* blocksSpin() const { return m_blocks; }
    QSpinBox* headsSpin() const { return m_heads; }
    QSpinBox* maxLenSpin() const { return m_maxLen; }
    QSpinBox* patienceSpin() const { return m_patience; }
    QSpinBox* bootstrapSpin() const { return m_bootstrap; }
    QSpinBox* threadsSpin() const { return m_threads; }
    QSpinBox* seedSpin() const { return m_seed; }
    QLabel* runtimeLabel() const { return m_runtimeLabel; }

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

  Q_SIGNALS:
    void queueRunRequested();
    void queueSweepRequested();
    void statusMessage(const QString& message);

  private:
    void updateFormState();
    void updateSweepButton();
    void resetHyperparameters();
    void applyParentArchitecture();  // a chosen parent's dim, blocks, heads and max length, locked
    // The runs of the chosen dataset; on a read error, `failure` (with %1 the reason) as a status message and
    // none.
    std::vector<RunRecord> datasetRuns(const QString& failure);

    Workspace* m_workspace = nullptr;
    std::function<WeightScheme()> m_explorerSource;
    std::function<qint64()> m_explorerRewards;

    DatasetCombo* m_dataset;
    QComboBox* m_model;
    QComboBox* m_split;
    QComboBox* m_initFrom;  // "Start from": random weights or a finished SASRec run (post-training)
    RewardSourceCombo*
        m_rewardSource;      // "Rewards": logged, or a reward-model run's estimates (--reward-source)
    QComboBox* m_objective;  // weighted (the method), dpo or ppo (--objective)
    QDoubleSpinBox* m_objectiveBeta;  // DPO's β or PPO's β_KL (--dpo-beta / --kl-beta)
    QComboBox* m_scheme;
    LambdaSlider* m_lambda;
    QPushButton* m_fromExplorer;
    QComboBox* m_normalization;
    QDoubleSpinBox* m_clip;
    QLineEdit* m_sweepLambdas;
    QCheckBox* m_sweepExp;
    QCheckBox* m_sweepUniform;
    QCheckBox* m_sweepLinear;
    QCheckBox* m_sweepFilter;
    QPushButton* m_queueSweep;
    QGroupBox* m_sasrecBox;
    QGroupBox* m_closedFormBox;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QDoubleSpinBox* m_lr;
    QSpinBox* m_dim;
    QSpinBox* m_blocks;
    QSpinBox* m_heads;
    QSpinBox* m_maxLen;
    QDoubleSpinBox* m_dropout;
    QSpinBox* m_patience;
    QComboBox* m_select;
    QComboBox* m_loss;       // full | sampled (SasrecRunConfig::loss)
    QComboBox* m_negatives;  // uniform | popularity | in-batch
    QSpinBox* m_numNegatives;
    QDoubleSpinBox* m_markovSmoothing;
    QDoubleSpinBox* m_itemMeanPrior;
    QSpinBox* m_bootstrap;
    QSpinBox* m_validUsers;  // SASRec/HSTU: users each epoch's validation ranks (0 = all)
    QDoubleSpinBox* m_highThreshold;
    QComboBox* m_device;
    QComboBox* m_precision;  // SASRec/HSTU: auto | fp32 | bf16 | bf16-all (SasrecRunConfig::precision)
    QLabel* m_runtimeLabel;
    QSpinBox* m_threads;
    QSpinBox* m_seed;
    QPushButton* m_queueRun;
};

}  // namespace tiltbench
