#pragma once
// TrainPage: configure runs and watch them train. Left, the form (TrainForm) — dataset, model (SASRec or a
// closed-form tilted policy), weighting (scheme, λ with the λ Explorer's weighting one click away,
// normalisation, clip), a λ sweep (a list of λ values and schemes queued as one run each), the model's
// hyperparameters at the engine's defaults, device (what this build supports, asked from tiltbench-cli),
// threads and seed. Right, the running run — progress with epoch, step, examples/s and ETA, Cancel, the live
// training-loss and validation NDCG@10 curves — the queue (pending, running, done, failed with the error,
// cancelled; a cancelled SASRec run can be resumed) and a log.
//
// Runs execute through TrainQueue: SASRec in a child tiltbench-cli (this process never loads LibTorch), the
// closed-form policies on a worker thread. Nothing here blocks the GUI thread.
#include <QWidget>
#include <cstdint>
#include <functional>

#include "pages/train/train_form.h"
#include "pages/train/train_request.h"
#include "process/runtime_probe.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QSplitter;
class QTableView;

namespace tiltbench {

class LambdaSlider;
class TrainForm;
class TrainPlots;
class TrainQueue;
class TrainQueueModel;
class Workspace;
struct TrainEpochEvent;
struct TrainOutcome;
struct TrainProgressEvent;

class TrainPage : public QWidget {
    Q_OBJECT
  public:
    explicit TrainPage(QWidget* parent = nullptr);

    // Not owned; nullptr when no workspace is open. Only while not busy (MainWindow refuses otherwise).
    void setWorkspace(Workspace* workspace);
    void refresh();  // re-reads the dataset list, keeps the selection
    void selectDataset(int64_t id);
    int64_t selectedDatasetId() const;

    // Where "Use the λ Explorer's weighting" reads from (MainWindow wires the Explorer in).
    void setExplorerWeightingSource(std::function<WeightScheme()> source,
                                    std::function<qint64()> rewards = {});

    bool isBusy() const;  // a run is running or waiting in the queue
    QString busyDescription() const;
    void cancelAll();  // pending runs are dropped, the running one is cancelled; idle() follows

    // The run the form describes.
    TrainRequest currentRequest() const;
    // Queue from the form; return the queue entry ids (empty after showing why nothing was queued).
    int queueRun();
    QList<int> queueSweep();
    QList<TrainRequest> sweepRequests(QString* error = nullptr) const;
    int resumeRun(qint64 runId);

    // Asks tiltbench-cli what it can train on (the first time the page is shown, or now).
    void probeRuntime();
    const RuntimeSummary& runtime() const;

    TrainQueue* queue() const { return m_queue; }
    TrainQueueModel* queueModel() const { return m_queueModel; }
    QTableView* queueView() const { return m_queueView; }
    TrainPlots* plots() const { return m_plots; }
    TrainForm* form() const { return m_form; }
    QComboBox* datasetChooser() const { return m_form->datasetChooser(); }
    QComboBox* modelChooser() const { return m_form->modelChooser(); }
    QComboBox* initFromChooser() const { return m_form->initFromChooser(); }
    QComboBox* schemeChooser() const { return m_form->schemeChooser(); }
    QComboBox* deviceChooser() const { return m_form->deviceChooser(); }
    LambdaSlider* lambdaSlider() const { return m_form->lambdaSlider(); }
    QLineEdit* sweepLambdas() const { return m_form->sweepLambdas(); }
    QSpinBox* epochsSpin() const { return m_form->epochsSpin(); }
    QSpinBox* batchSpin() const { return m_form->batchSpin(); }
    QSpinBox* dimSpin() const { return m_form->dimSpin(); }
    QSpinBox* blocksSpin() const { return m_form->blocksSpin(); }
    QSpinBox* headsSpin() const { return m_form->headsSpin(); }
    QSpinBox* maxLenSpin() const { return m_form->maxLenSpin(); }
    QSpinBox* patienceSpin() const { return m_form->patienceSpin(); }
    QSpinBox* bootstrapSpin() const { return m_form->bootstrapSpin(); }
    QSpinBox* threadsSpin() const { return m_form->threadsSpin(); }
    QSpinBox* seedSpin() const { return m_form->seedSpin(); }
    QLabel* runtimeLabel() const { return m_form->runtimeLabel(); }
    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* skipButton() const { return m_skip; }
    QPushButton* resumeSelectedButton() const { return m_resumeSelected; }
    QLabel* progressLabel() const { return m_progressLabel; }
    QPlainTextEdit* logView() const { return m_log; }

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

  Q_SIGNALS:
    void runRecorded(qint64 runId);  // a run was created or changed status (Compare re-reads its table)
    void runFinished(qint64 runId, const QString& status);
    void idle();  // nothing runs and nothing waits
    void statusMessage(const QString& message);

  protected:
    void showEvent(QShowEvent* event) override;

  private:
    QWidget* buildRunPanel();
    QWidget* buildQueuePanel();
    void updateResumeButton();
    void updateCancelButtons();
    void onRuntime(const RuntimeSummary& summary);
    void onRunStarted(int row);
    void onProgress(int row, const TrainProgressEvent& event);
    void onEpoch(int row, const TrainEpochEvent& event);
    void onRunFinished(int row, const TrainOutcome& outcome);
    void appendLog(const QString& line);
    bool validateRequest(const TrainRequest& request, QString* error) const;
    void showError(const QString& title, const QString& text, const QString& details = {});
    QList<int> selectedEntryIds() const;

    Workspace* m_workspace = nullptr;
    TrainForm* m_form = nullptr;
    TrainQueue* m_queue;
    TrainQueueModel* m_queueModel;
    RuntimeProbe* m_probe;
    bool m_probed = false;
    qint64 m_lastStoppedRun = 0;  // the last run cancelled with a saved epoch, offered for resuming
    // "waiting for the workspace …" while another process holds the write lock: kept under the progress line
    // until the run's records are written again (its next epoch event) or the run ends.
    QString m_waitingNote;
    bool m_clearWaitingNote = false;  // an epoch ended with no waiting event after it (yet)

    // run panel
    QLabel* m_runTitle;
    QProgressBar* m_progress;
    QLabel* m_progressLabel;
    QPushButton* m_cancel;
    QPushButton* m_resume;
    QPushButton* m_skip;  // during a sweep: stop this run, go on with the next
    TrainPlots* m_plots;

    // queue panel
    QTableView* m_queueView;
    QPushButton* m_cancelSelected;
    QPushButton* m_cancelAll;
    QPushButton* m_resumeSelected;
    QPushButton* m_clearFinished;
    QPlainTextEdit* m_log;

    QSplitter* m_mainSplitter;
    QSplitter* m_rightSplitter;
    QSplitter* m_bottomSplitter;
};

}  // namespace tiltbench
