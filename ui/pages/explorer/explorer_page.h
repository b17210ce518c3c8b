#pragma once
// ExplorerPage: the λ Explorer. Pick a dataset (or follow the Data page), a weighting scheme with its
// normalisation and clip, and move λ: the plots (ExplorerPlots) and the items table follow at once, because
// a move only recomputes the weight statistics from the dataset's RewardLevelTable (milliseconds). What is
// expensive — loading the log, the split and tables, and the tilted policies' metric curves — runs once per
// dataset and scheme settings on an ExplorerWorker and is cached. Beside the slider, a suggested λ with its
// reason: the best validation NDCG@10 on high-reward targets of the tilted Markov policy among the grid λ
// whose ESS/N stays above a floor the user sets. The live metrics use a seeded user sample; "Record a
// Markov run at this λ" runs the full evaluation (all users, bootstrap intervals) on an
// ExplorerFullEvalWorker and records it as a run.
#include <QHash>
#include <QWidget>
#include <cstdint>
#include <memory>

#include "pages/explorer/explorer_data.h"
#include "pages/explorer/explorer_full_eval_worker.h"
#include "widgets/dataset_combo.h"

class QComboBox;
class QHBoxLayout;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace tiltbench {

class RewardSourceCombo;

class ExplorerItemsModel;
class ExplorerPlots;
class JobRunner;
class LambdaSlider;
class Workspace;

class ExplorerPage : public QWidget {
    Q_OBJECT
  public:
    explicit ExplorerPage(QWidget* parent = nullptr);

    // Not owned; nullptr when no workspace is open. Lists datasets through it; workers open their own
    // connection on the same file.
    void setWorkspace(Workspace* workspace);
    void refresh();  // re-reads the dataset list, keeps the selection when it still exists
    void selectDataset(int64_t id);
    int64_t selectedDatasetId() const;

    bool isBusy() const;
    void cancelJobs();

    // The scheme the controls describe, at the slider's λ.
    WeightScheme currentScheme() const;
    // The reward-model run whose estimates the weights read ("Rewards"); 0 = the logged rewards.
    qint64 rewardModelRun() const;
    RewardSourceCombo* rewardSourceChooser() const { return m_rewardCombo; }
    void setLambda(double lambda);
    double lambda() const;

    // Suggested λ for the current curves and ESS floor; NaN when there is none (no curves, not `exp`).
    double suggestedLambda() const { return m_suggested; }
    double essFloor() const;
    void setEssFloor(double floor);
    void applySuggestion();

    // Runs the tilted Markov policy at currentScheme() on all users with bootstrap intervals and records the
    // run (see ExplorerFullEvalWorker); the result shows beside the button. No-op while one runs.
    void evaluateFully();
    void cancelFullEvaluation();
    bool isEvaluatingFully() const;
    // The last full evaluation's result; nullptr before the first one finished.
    const ExplorerFullEvalResult* lastFullEvaluation() const { return m_hasFullEval ? &m_fullEval : nullptr; }
    QPushButton* fullEvalButton() const { return m_fullEvalButton; }
    QLabel* fullEvalResultLabel() const { return m_fullEvalResult; }

    std::shared_ptr<const ExplorerDataset> dataset() const { return m_dataset; }
    std::shared_ptr<const ExplorerCurves> curves() const { return m_curves; }
    const WeightStats* stats() const { return m_hasStats ? &m_stats : nullptr; }
    // Wall time of the last slider update (statistics, plots' data, table), in milliseconds.
    double lastUpdateMs() const { return m_lastUpdateMs; }

    LambdaSlider* lambdaSlider() const { return m_lambda; }
    ExplorerPlots* plots() const { return m_plots; }
    ExplorerItemsModel* itemsModel() const { return m_items; }
    QSortFilterProxyModel* itemsProxy() const { return m_proxy; }
    QTableView* itemsView() const { return m_view; }
    QComboBox* datasetChooser() const { return m_datasetCombo; }
    QComboBox* schemeChooser() const { return m_schemeCombo; }
    QComboBox* normalizationChooser() const { return m_normCombo; }
    QDoubleSpinBox* clipSpin() const { return m_clipSpin; }
    QLabel* suggestionLabel() const { return m_suggestLabel; }
    QPushButton* trainButton() const { return m_trainButton; }

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

  Q_SIGNALS:
    void ready();                   // the curves for the current dataset and settings are shown
    void fullEvaluationFinished();  // lastFullEvaluation() is set and shown
    void failed(const QString& message);
    void statusMessage(const QString& message);
    // "Train at this λ": the Train form takes currentScheme() and rewardModelRun() for this dataset.
    void trainRequested(qint64 datasetId);

  protected:
    void showEvent(QShowEvent* event) override;

  private:
    QWidget* buildControls();
    void refillRewardSources();
    QHBoxLayout* buildFullEvalRow();
    void requestCompute();
    void startJob();
    void onResult(const ExplorerResult& result);
    void onFailed(const QString& message);
    void showDataset(std::shared_ptr<const ExplorerDataset> dataset);
    void showCurves(std::shared_ptr<const ExplorerCurves> curves);
    void updateLambda();
    void markFullEvaluationStale();  // greys the last full evaluation once λ or the settings moved away
    void updateSuggestion();
    void onCurrentItemChanged();
    void onFullEvalResult(const ExplorerFullEvalResult& result);
    void onFullEvalStopped();
    void setStatus(const QString& text);   // through the job runner, as the compute slot's word
    void showStatus(const QString& text);  // the runner's status line → the label and the status bar
    QString cacheKey(int64_t datasetId) const;

    Workspace* m_workspace = nullptr;
    DatasetCombo* m_datasetCombo;
    QComboBox* m_schemeCombo;
    RewardSourceCombo* m_rewardCombo;
    QComboBox* m_normCombo;
    QDoubleSpinBox* m_clipSpin;
    LambdaSlider* m_lambda;
    QLabel* m_suggestLabel;
    QDoubleSpinBox* m_essFloorSpin;
    QPushButton* m_applyButton;
    QPushButton* m_trainButton;
    QLabel* m_status;
    QLabel* m_summary;
    ExplorerPlots* m_plots;
    ExplorerItemsModel* m_items;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QTableView* m_view;
    QSplitter* m_splitter;
    // The page's background work: slots kComputeJob (statistics and curves) and kFullEvalJob
    // (ui/jobs/job_runner.h: the latest job of a slot wins).
    static inline const QString kComputeJob = QStringLiteral("compute");
    static inline const QString kFullEvalJob = QStringLiteral("fullEval");
    JobRunner* m_jobs;
    QPushButton* m_fullEvalButton;
    QPushButton* m_fullEvalCancel;
    QLabel* m_fullEvalResult;
    ExplorerFullEvalResult m_fullEval;
    QString m_fullEvalText;  // the result as first shown (markFullEvaluationStale greys it)
    bool m_hasFullEval = false;

    std::shared_ptr<const ExplorerDataset> m_dataset;
    std::shared_ptr<const ExplorerCurves> m_curves;
    // Curves per (dataset, scheme settings) of this workspace; a dataset's log is kept only while shown.
    QHash<QString, std::shared_ptr<const ExplorerCurves>> m_curveCache;
    WeightStats m_stats;
    bool m_hasStats = false;
    double m_suggested;
    double m_lastUpdateMs = 0.0;
    bool m_pending = false;  // a compute is wanted while the page is hidden (showEvent starts it)
};

}  // namespace tiltbench
