#include "pages/train/train_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

#include "pages/train/train_form.h"
#include "pages/train/train_plots.h"
#include "pages/train/train_queue.h"
#include "pages/train/train_queue_model.h"
#include "process/engine_process.h"
#include "shared/formatting.h"
#include "store/workspace.h"
#include "widgets/feedback.h"
#include "widgets/lambda_slider.h"
#include "widgets/row_table.h"

namespace tiltbench {

namespace {
constexpr int kLogLines = 5000;

// The form scrolls vertically only, so it is never narrower than the form's own minimum (a long entry or the
// "From the λ Explorer: …" button would be cut at the right edge otherwise).
class FormScrollArea : public QScrollArea {
  public:
    using QScrollArea::QScrollArea;
    QSize minimumSizeHint() const override {
        const int form = widget() ? widget()->minimumSizeHint().width() : 0;
        return {form + verticalScrollBar()->sizeHint().width() + 2 * frameWidth(), 120};
    }

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == widget() && event->type() == QEvent::LayoutRequest) {
            updateGeometry();
        }
        return QScrollArea::eventFilter(watched, event);
    }
};
}  // namespace

TrainPage::TrainPage(QWidget* parent)
    : QWidget(parent),
      m_queue(new TrainQueue(this)),
      m_queueModel(new TrainQueueModel(m_queue, this)),
      m_probe(new RuntimeProbe(this)),
      m_mainSplitter(new QSplitter(Qt::Horizontal, this)),
      m_rightSplitter(new QSplitter(Qt::Vertical, this)),
      m_bottomSplitter(new QSplitter(Qt::Horizontal, this)) {
    setObjectName(QStringLiteral("trainPage"));
    m_queue->setCliPath(EngineProcess::locateCli());

    auto* scroll = new FormScrollArea(this);
    scroll->setObjectName(QStringLiteral("trainForm"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_form = new TrainForm(scroll);
    scroll->setWidget(m_form);
    m_form->installEventFilter(scroll);

    m_bottomSplitter->setObjectName(QStringLiteral("trainBottomSplitter"));
    m_bottomSplitter->addWidget(buildQueuePanel());
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("trainLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kLogLines);
    m_log->setPlaceholderText(tr("Log: commands, per-epoch lines and messages of the runs"));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    mono.setPointSizeF(font().pointSizeF() * 0.9);
    m_log->setFont(mono);
    m_bottomSplitter->addWidget(m_log);
    m_bottomSplitter->setStretchFactor(0, 3);
    m_bottomSplitter->setStretchFactor(1, 2);
    m_bottomSplitter->setChildrenCollapsible(false);

    m_rightSplitter->setObjectName(QStringLiteral("trainRightSplitter"));
    m_rightSplitter->addWidget(buildRunPanel());
    m_rightSplitter->addWidget(m_bottomSplitter);
    m_rightSplitter->setStretchFactor(0, 3);
    m_rightSplitter->setStretchFactor(1, 2);
    m_rightSplitter->setSizes({430, 280});
    m_rightSplitter->setChildrenCollapsible(false);

    m_mainSplitter->setObjectName(QStringLiteral("trainSplitter"));
    m_mainSplitter->addWidget(scroll);
    m_mainSplitter->addWidget(m_rightSplitter);
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({360, 760});
    m_mainSplitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_mainSplitter);

    connect(m_queue, &TrainQueue::runStarted, this, &TrainPage::onRunStarted);
    connect(m_queue, &TrainQueue::progressed, this, &TrainPage::onProgress);
    connect(m_queue, &TrainQueue::epochFinished, this, &TrainPage::onEpoch);
    connect(m_queue, &TrainQueue::runFinished, this, &TrainPage::onRunFinished);
    connect(m_queue, &TrainQueue::logLine, this, &TrainPage::appendLog);
    connect(m_queue, &TrainQueue::runCreated, this, [this](int, qint64 runId) {
        appendLog(tr("run %1 recorded in the workspace").arg(runId));
        Q_EMIT runRecorded(runId);
    });
    connect(m_queue, &TrainQueue::idle, this, [this] {
        updateResumeButton();
        Q_EMIT idle();
    });
    connect(m_queue, &TrainQueue::entryChanged, this, [this] { updateResumeButton(); });
    connect(m_probe, &RuntimeProbe::finished, this, &TrainPage::onRuntime);
    connect(m_form, &TrainForm::queueRunRequested, this, [this] { queueRun(); });
    connect(m_form, &TrainForm::queueSweepRequested, this, [this] { queueSweep(); });
    connect(m_form, &TrainForm::statusMessage, this, &TrainPage::statusMessage);
    refresh();
}

QWidget* TrainPage::buildRunPanel() {
    auto* panel = new QWidget(this);
    m_runTitle = new QLabel(tr("No run yet"), panel);
    m_runTitle->setObjectName(QStringLiteral("runTitle"));
    QFont bold = m_runTitle->font();
    bold.setBold(true);
    m_runTitle->setFont(bold);
    m_progress = new QProgressBar(panel);
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QString());
    m_progressLabel = new QLabel(panel);
    m_progressLabel->setObjectName(QStringLiteral("progressLabel"));
    m_progressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cancel = new QPushButton(tr("Cancel"), panel);
    m_cancel->setObjectName(QStringLiteral("cancelRun"));
    m_cancel->setEnabled(false);
    m_skip = new QPushButton(tr("Skip this run"), panel);
    m_skip->setObjectName(QStringLiteral("skipRun"));
    m_skip->setToolTip(
        tr("Stop only the running run of the sweep and go on with the next (a SASRec run that finished an "
           "epoch stays resumable)"));
    m_skip->setVisible(false);
    m_resume = new QPushButton(tr("Resume"), panel);
    m_resume->setObjectName(QStringLiteral("resumeRun"));
    m_resume->setVisible(false);
    m_plots = new TrainPlots(panel);

    auto* top = new QHBoxLayout;
    top->addWidget(m_runTitle, 1);
    top->addWidget(m_resume);
    top->addWidget(m_skip);
    top->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_progress);
    layout->addWidget(m_progressLabel);
    layout->addWidget(m_plots, 1);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (const QueueEntry* e = m_queue->runningEntry()) {
            if (e->sweep > 0) {
                m_queue->cancelSweep(e->sweep);  // a sweep stops as a whole: its next run must not start
            } else {
                m_queue->cancel(e->id);
            }
            m_cancel->setEnabled(false);
            m_skip->setEnabled(false);
            m_progressLabel->setText(tr("Cancelling…"));
        }
    });
    connect(m_skip, &QPushButton::clicked, this, [this] {
        if (const QueueEntry* e = m_queue->runningEntry()) {
            m_queue->cancel(e->id);
            m_cancel->setEnabled(false);
            m_skip->setEnabled(false);
            m_progressLabel->setText(tr("Stopping this run; the sweep goes on with the next…"));
        }
    });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (m_lastStoppedRun > 0) {
            resumeRun(m_lastStoppedRun);
        }
    });
    return panel;
}

QWidget* TrainPage::buildQueuePanel() {
    auto* panel = new QWidget(this);
    m_queueView = new QTableView(panel);
    m_queueView->setObjectName(QStringLiteral("queueView"));
    m_queueView->setModel(m_queueModel);
    styleRowTable(m_queueView, QAbstractItemView::ExtendedSelection);
    // The progress column keeps its width (a stretched one shrank below its header in a narrow window); the last
    // column takes what is left, and a narrow window scrolls the table sideways.
    m_queueView->horizontalHeader()->setStretchLastSection(true);
    m_queueView->setColumnWidth(TrainQueueModel::Progress, 170);
    m_queueView->setColumnWidth(TrainQueueModel::Number, 32);
    m_queueView->setColumnWidth(TrainQueueModel::Dataset, 90);
    m_queueView->setColumnWidth(TrainQueueModel::Model, 80);
    m_queueView->setColumnWidth(TrainQueueModel::Weighting, 130);
    m_queueView->setColumnWidth(TrainQueueModel::Status, 70);
    m_queueView->setColumnWidth(TrainQueueModel::Run, 40);

    m_cancelSelected = new QPushButton(tr("Cancel selected"), panel);
    m_cancelSelected->setObjectName(QStringLiteral("cancelSelected"));
    m_cancelAll = new QPushButton(tr("Cancel all"), panel);
    m_cancelAll->setObjectName(QStringLiteral("cancelAll"));
    m_resumeSelected = new QPushButton(tr("Resume"), panel);
    m_resumeSelected->setObjectName(QStringLiteral("resumeSelected"));
    m_resumeSelected->setToolTip(
        tr("Continue the selected cancelled SASRec run from its last finished epoch"));
    m_clearFinished = new QPushButton(tr("Clear finished"), panel);
    m_clearFinished->setObjectName(QStringLiteral("clearFinished"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(new QLabel(tr("<b>Queue</b>"), panel));
    buttons->addStretch(1);
    buttons->addWidget(m_resumeSelected);
    buttons->addWidget(m_cancelSelected);
    buttons->addWidget(m_cancelAll);
    buttons->addWidget(m_clearFinished);
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_queueView, 1);

    connect(m_cancelSelected, &QPushButton::clicked, this, [this] {
        for (int id : selectedEntryIds()) {
            m_queue->cancel(id);
        }
    });
    connect(m_cancelAll, &QPushButton::clicked, this, &TrainPage::cancelAll);
    connect(m_clearFinished, &QPushButton::clicked, m_queue, &TrainQueue::clearFinished);
    connect(m_resumeSelected, &QPushButton::clicked, this, [this] {
        for (int id : selectedEntryIds()) {
            const int row = m_queue->rowOf(id);
            const QueueEntry& e = m_queue->entries()[static_cast<size_t>(row)];
            if (e.status == QueueEntry::Cancelled && e.request.isSasrec() && e.runId > 0 &&
                e.resumedAs == 0) {
                resumeRun(e.runId);
            }
        }
    });
    connect(m_queueView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { updateResumeButton(); });
    return panel;
}

void TrainPage::setWorkspace(Workspace* workspace) {
    m_workspace = workspace;
    m_form->setWorkspace(workspace);
    m_queue->setWorkspacePath(workspace ? QString::fromStdString(workspace->path()) : QString());
    m_lastStoppedRun = 0;
    updateResumeButton();
    refresh();
}

void TrainPage::refresh() {
    m_form->refresh();
}

void TrainPage::selectDataset(int64_t id) {
    m_form->selectDataset(id);
}

int64_t TrainPage::selectedDatasetId() const {
    return m_form->selectedDatasetId();
}

void TrainPage::setExplorerWeightingSource(std::function<WeightScheme()> source,
                                           std::function<qint64()> rewards) {
    m_form->setExplorerWeightingSource(std::move(source), std::move(rewards));
}

TrainRequest TrainPage::currentRequest() const {
    return m_form->currentRequest();
}

QList<TrainRequest> TrainPage::sweepRequests(QString* error) const {
    return m_form->sweepRequests(error);
}

void TrainPage::onRuntime(const RuntimeSummary& s) {
    m_form->showRuntime(s);
}

bool TrainPage::isBusy() const {
    return m_queue->isBusy() || m_queue->hasPending();
}

QString TrainPage::busyDescription() const {
    if (const QueueEntry* e = m_queue->runningEntry()) {
        return tr("Training (%1%2)")
            .arg(e->request.describe(), e->runId > 0 ? tr(", run %1").arg(e->runId) : QString());
    }
    return tr("The training queue");
}

void TrainPage::cancelAll() {
    m_queue->cancelAll();
    if (m_queue->isBusy()) {
        m_cancel->setEnabled(false);
        m_progressLabel->setText(tr("Cancelling…"));
    }
}

bool TrainPage::validateRequest(const TrainRequest& r, QString* error) const {
    if (!m_workspace) {
        *error = tr("Open a workspace first.");
        return false;
    }
    if (r.run.dataset.empty()) {
        *error = tr("Choose a dataset (import or generate one on the Data page).");
        return false;
    }
    try {
        r.run.scheme.validate();
    } catch (const std::exception& e) {
        *error = tr("The weighting is not valid: %1").arg(QString::fromStdString(e.what()));
        return false;
    }
    if (r.isSasrec() && r.run.dim % r.run.heads != 0) {
        *error = tr("Heads (%1) must divide the dimension (%2).").arg(r.run.heads).arg(r.run.dim);
        return false;
    }
    if (r.isSasrec()) {
        try {
            r.run.validate();  // e.g. DPO and PPO need a run to start from and a reward model
        } catch (const std::exception& e) {
            *error = tr("The SASRec settings are not valid: %1").arg(QString::fromStdString(e.what()));
            return false;
        }
    }
    if (r.isSasrec() && m_queue->cliPath().isEmpty()) {
        *error = EngineProcess::cliNotFoundMessage();
        return false;
    }
    return true;
}

int TrainPage::queueRun() {
    const TrainRequest r = currentRequest();
    QString error;
    if (!validateRequest(r, &error)) {
        showError(tr("Cannot queue the run"), error);
        return -1;
    }
    const int id = m_queue->enqueue(r);
    Q_EMIT statusMessage(tr("Queued %1 on '%2'").arg(r.describe(), r.datasetName()));
    return id;
}

QList<int> TrainPage::queueSweep() {
    QString error;
    const QList<TrainRequest> requests = sweepRequests(&error);
    if (requests.isEmpty()) {
        showError(tr("Cannot queue the sweep"), error);
        return {};
    }
    for (const TrainRequest& r : requests) {
        if (!validateRequest(r, &error)) {
            showError(tr("Cannot queue the sweep"), tr("%1: %2").arg(r.describe(), error));
            return {};
        }
    }
    const QList<int> ids = m_queue->enqueueSweep(requests);
    Q_EMIT statusMessage(tr("Queued a sweep of %n run(s) on '%1'", nullptr, static_cast<int>(ids.size()))
                             .arg(requests.front().datasetName()));
    return ids;
}

int TrainPage::resumeRun(qint64 runId) {
    if (!m_workspace) {
        return -1;
    }
    TrainRequest r = currentRequest();
    r.model = "sasrec";
    r.resumeRunId = runId;
    if (m_queue->cliPath().isEmpty()) {
        showError(tr("Cannot resume"), EngineProcess::cliNotFoundMessage());
        return -1;
    }
    QString why;
    const int id = m_queue->enqueueResume(r, &why);
    if (id < 0) {
        Q_EMIT statusMessage(tr("Not resumed: %1").arg(why));
        return -1;
    }
    if (m_lastStoppedRun == runId) {
        m_lastStoppedRun = 0;
    }
    updateResumeButton();
    return id;
}

void TrainPage::updateResumeButton() {
    bool selectable = false;
    for (int id : selectedEntryIds()) {
        const int row = m_queue->rowOf(id);
        if (row < 0) {
            continue;
        }
        const QueueEntry& e = m_queue->entries()[static_cast<size_t>(row)];
        selectable |= e.status == QueueEntry::Cancelled && e.request.isSasrec() && e.runId > 0 &&
                      e.epochsDone > 0 && e.resumedAs == 0;
    }
    m_resumeSelected->setEnabled(selectable);
    m_resume->setVisible(m_lastStoppedRun > 0 && !m_queue->isBusy());
    m_resume->setText(tr("Resume run %1").arg(m_lastStoppedRun));
    m_cancelAll->setEnabled(isBusy());
    updateCancelButtons();
}

void TrainPage::updateCancelButtons() {
    const QueueEntry* e = m_queue->runningEntry();
    const bool inSweep = e && e->sweep > 0 && m_queue->pendingInSweep(e->sweep) > 0;
    m_cancel->setText(inSweep ? tr("Cancel sweep") : tr("Cancel"));
    m_cancel->setToolTip(
        inSweep
            ? tr("Stop the running run and every run of its sweep still waiting; the running SASRec run "
                 "keeps "
                 "the state of its last finished epoch and can be resumed")
            : tr("Stop the running run within a second; a SASRec run keeps the state of its last finished "
                 "epoch and can be resumed"));
    m_skip->setVisible(inSweep);
    m_skip->setEnabled(inSweep && !m_queue->isCancelling());
}

QList<int> TrainPage::selectedEntryIds() const {
    QList<int> ids;
    for (const QModelIndex& index : m_queueView->selectionModel()->selectedRows()) {
        ids << index.data(TrainQueueModel::EntryIdRole).toInt();
    }
    return ids;
}

void TrainPage::probeRuntime() {
    m_probed = true;
    m_probe->probe(m_queue->cliPath());
}

const RuntimeSummary& TrainPage::runtime() const {
    return m_probe->last();
}

void TrainPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    m_form->updateExplorerButton();
    if (!m_probed) {
        probeRuntime();
    }
}

void TrainPage::onRunStarted(int row) {
    const QueueEntry& e = m_queue->entries()[static_cast<size_t>(row)];
    const QString place =
        e.sweep > 0 ? tr("run %1 of %2 in the sweep · ").arg(e.sweepIndex).arg(e.sweepSize) : QString();
    m_runTitle->setText(
        tr("#%1 · %2%3%4")
            .arg(e.id)
            .arg(place, e.request.describe(),
                 e.request.resumeRunId ? QString() : tr(" on '%1'").arg(e.request.datasetName())));
    m_runTitle->setToolTip(m_runTitle->text());
    m_progress->setRange(0, 0);  // busy until the first report
    m_progress->setFormat(QString());
    m_progressLabel->setText(tr("Starting…"));
    m_waitingNote.clear();
    m_clearWaitingNote = false;
    m_cancel->setEnabled(true);
    m_resume->setVisible(false);
    updateCancelButtons();
    if (e.request.isSasrec()) {
        const std::string& objective = e.request.run.objective;
        m_plots->startRun(e.request.resumeRunId ? 0 : e.request.run.epochs,
                          objective == "dpo"   ? tr("DPO loss")
                          : objective == "ppo" ? tr("PPO loss (clipped objective + KL)")
                                               : QString());
    } else {
        m_plots->clear(tr("Closed-form policies are fitted in one pass: no learning curve"));
    }
    appendLog(tr("#%1 started: %2").arg(e.id).arg(m_runTitle->text()));
}

void TrainPage::onProgress(int row, const TrainProgressEvent& p) {
    const QueueEntry& e = m_queue->entries()[static_cast<size_t>(row)];
    if (e.fraction >= 0.0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(static_cast<int>(std::lround(1000.0 * e.fraction)));
        m_progress->setFormat(QStringLiteral("%p%"));
    }
    if (m_queue->isCancelling()) {
        return;
    }
    if (p.stage.startsWith(QStringLiteral("waiting for the workspace"))) {  // train_events.cpp
        m_waitingNote = p.stage;
        m_clearWaitingNote = false;
        m_progressLabel->setText(p.stage);
        appendLog(p.stage);
        return;
    }
    if (m_clearWaitingNote && p.stage == QStringLiteral("training")) {
        m_waitingNote.clear();
        m_clearWaitingNote = false;
    }
    if (p.epochs > 0) {
        QString text = p.stage == QStringLiteral("training")
                           ? tr("Epoch %1 of %2 · step %3 of %4")
                                 .arg(p.epoch)
                                 .arg(p.epochs)
                                 .arg(p.step)
                                 .arg(p.stepsPerEpoch)
                           : tr("Epoch %1 of %2 · %3").arg(p.epoch).arg(p.epochs).arg(p.stage);
        if (p.stage == QStringLiteral("training") && p.step > 0) {
            text += tr(" · loss %1").arg(formatReal(p.loss, 4));
        }
        if (std::isfinite(p.examplesPerSecond) && p.examplesPerSecond > 0.0) {
            text += tr(" · %1 examples/s").arg(formatCount(std::llround(p.examplesPerSecond)));
        }
        if (std::isfinite(p.etaSeconds) && p.etaSeconds > 0.0) {
            text += tr(" · ETA %1 (training)").arg(formatDuration(p.etaSeconds));
        }
        if (std::isfinite(p.elapsedSeconds)) {
            text += tr(" · %1 elapsed").arg(formatDuration(p.elapsedSeconds));
        }
        if (e.sweep > 0 && e.sweepSize > 1) {
            const double left = m_queue->sweepSecondsLeft(e.sweep, p.elapsedSeconds, p.etaSeconds);
            text += QLatin1Char('\n') + tr("Sweep: run %1 of %2").arg(e.sweepIndex).arg(e.sweepSize);
            if (std::isfinite(left) && left > 0.0) {
                text += tr(" · about %1 left in the sweep").arg(formatDuration(left));
            }
        }
        if (!m_waitingNote.isEmpty()) {
            text += QLatin1Char('\n') + m_waitingNote;
        }
        m_progressLabel->setText(text);
        m_plots->addProgress(p);
    } else {
        m_progressLabel->setText(e.progressText);
    }
}

void TrainPage::onEpoch(int, const TrainEpochEvent& e) {
    // An epoch's figures arrive before its records are written. If the workspace is still busy, a waiting
    // event follows; if none does before the next epoch's training, the records were written.
    m_clearWaitingNote = true;
    m_plots->addEpoch(e);
    appendLog(tr("epoch %1: train loss %2, valid NDCG@10 %3 (%4)")
                  .arg(e.epoch)
                  .arg(formatReal(e.trainLoss, 5), formatReal(e.validNdcg10, 4), formatDuration(e.seconds)));
}

void TrainPage::onRunFinished(int row, const TrainOutcome& outcome) {
    m_form->refillParentCombo();  // a finished SASRec run can be post-trained from
    const QueueEntry& e = m_queue->entries()[static_cast<size_t>(row)];
    m_waitingNote.clear();
    m_clearWaitingNote = false;
    m_cancel->setEnabled(false);
    m_skip->setVisible(false);
    m_progress->setRange(0, 1000);
    QString status;
    switch (outcome.status) {
        case TrainOutcome::Done:
            status = QStringLiteral("done");
            m_progress->setValue(1000);
            m_progressLabel->setText(
                tr("Done in %1 — %2").arg(formatDuration(outcome.seconds), e.progressText));
            appendLog(tr("#%1 done%2: %3")
                          .arg(e.id)
                          .arg(e.runId > 0 ? tr(" (run %1)").arg(e.runId) : QString(), e.progressText));
            break;
        case TrainOutcome::Cancelled:
            status = QStringLiteral("cancelled");
            if (e.request.isSasrec() && e.runId > 0 && e.epochsDone > 0) {
                m_lastStoppedRun = e.runId;
                m_progressLabel->setText(
                    tr("Cancelled after %n finished epoch(s); run %1 keeps that state and can be resumed.",
                       nullptr, e.epochsDone)
                        .arg(e.runId));
            } else {
                m_progressLabel->setText(e.runId > 0
                                             ? tr("Cancelled; run %1 is recorded as cancelled.").arg(e.runId)
                                             : tr("Cancelled."));
            }
            appendLog(tr("#%1 cancelled").arg(e.id));
            break;
        case TrainOutcome::Failed:
            status = QStringLiteral("failed");
            m_progressLabel->setText(tr("Failed: %1").arg(outcome.error));
            appendLog(tr("#%1 failed: %2").arg(e.id).arg(outcome.error));
            break;
    }
    updateResumeButton();
    if (e.runId > 0) {
        Q_EMIT runRecorded(e.runId);
    }
    Q_EMIT runFinished(e.runId, status);
}

void TrainPage::appendLog(const QString& line) {
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("hh:mm:ss  ")) + line);
}

void TrainPage::showError(const QString& title, const QString& text, const QString& details) {
    openWarning(this, QStringLiteral("trainErrorBox"), title, text, details);
}

void TrainPage::saveSettings(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("train"));
    settings.setValue(QStringLiteral("splitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("rightSplitter"), m_rightSplitter->saveState());
    settings.setValue(QStringLiteral("bottomSplitter"), m_bottomSplitter->saveState());
    settings.setValue(QStringLiteral("queueHeader"), m_queueView->horizontalHeader()->saveState());
    settings.endGroup();
    m_form->saveSettings(settings);
}

void TrainPage::restoreSettings(const QSettings& settings) {
    auto value = [&](const char* key) {
        return settings.value(QStringLiteral("train/") + QLatin1String(key));
    };
    m_mainSplitter->restoreState(value("splitter").toByteArray());
    m_rightSplitter->restoreState(value("rightSplitter").toByteArray());
    m_bottomSplitter->restoreState(value("bottomSplitter").toByteArray());
    m_queueView->horizontalHeader()->restoreState(value("queueHeader").toByteArray());
    m_form->restoreSettings(settings);
}

}  // namespace tiltbench
