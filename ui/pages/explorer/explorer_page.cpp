#include "pages/explorer/explorer_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QShowEvent>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "eval/seeded_comparison.h"
#include "jobs/job_runner.h"
#include "pages/explorer/explorer_items_model.h"
#include "pages/explorer/explorer_plots.h"
#include "pages/explorer/explorer_worker.h"
#include "shared/formatting.h"
#include "shared/glossary.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "widgets/dataset_combo.h"
#include "widgets/feedback.h"
#include "widgets/flow_layout.h"
#include "widgets/lambda_slider.h"
#include "widgets/reward_source_combo.h"
#include "widgets/row_table.h"

namespace tiltbench {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDefaultEssFloor = 0.3;
constexpr double kDefaultLambda = 1.0;

QLabel* caption(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
    return label;
}
}  // namespace

ExplorerPage::ExplorerPage(QWidget* parent)
    : QWidget(parent),
      m_datasetCombo(new DatasetCombo(this)),
      m_schemeCombo(new QComboBox(this)),
      m_rewardCombo(new RewardSourceCombo(this)),
      m_normCombo(new QComboBox(this)),
      m_clipSpin(new QDoubleSpinBox(this)),
      m_lambda(new LambdaSlider(this)),
      m_suggestLabel(new QLabel(this)),
      m_essFloorSpin(new QDoubleSpinBox(this)),
      m_applyButton(new QPushButton(tr("Apply"), this)),
      m_trainButton(new QPushButton(tr("Train at this λ…"), this)),
      m_status(new QLabel(this)),
      m_summary(new QLabel(this)),
      m_plots(new ExplorerPlots(this)),
      m_items(new ExplorerItemsModel(this)),
      m_proxy(sortingProxy(m_items, ExplorerItemsModel::SortRole, this)),
      m_filter(new QLineEdit(this)),
      m_view(new QTableView(this)),
      m_splitter(new QSplitter(Qt::Vertical, this)),
      m_jobs(new JobRunner(this)),
      m_fullEvalButton(new QPushButton(tr("Record a Markov run at this λ"), this)),
      m_fullEvalCancel(new QPushButton(tr("Cancel"), this)),
      m_fullEvalResult(new QLabel(this)),

      m_suggested(kNaN) {
    setObjectName(QStringLiteral("explorerPage"));

    m_proxy->setFilterKeyColumn(ExplorerItemsModel::Title);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);
    m_filter->setObjectName(QStringLiteral("itemFilter"));
    m_filter->setPlaceholderText(tr("Filter items by title…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_view->setObjectName(QStringLiteral("itemsView"));
    m_view->setModel(m_proxy);
    styleRowTable(m_view, QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setSectionResizeMode(ExplorerItemsModel::Title, QHeaderView::Stretch);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ExplorerItemsModel::Share, Qt::DescendingOrder);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ExplorerPage::onCurrentItemChanged);

    auto* tableBox = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->setSpacing(4);
    tableLayout->addWidget(m_filter);
    tableLayout->addWidget(m_view, 1);

    m_splitter->setObjectName(QStringLiteral("explorerSplitter"));
    m_splitter->addWidget(m_plots);
    m_splitter->addWidget(tableBox);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({580, 160});
    m_splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildControls());
    layout->addWidget(m_splitter, 1);

    m_lambda->setLambda(kDefaultLambda);
    updateSuggestion();
    m_plots->showMessage(tr("Open a workspace with a dataset"));
}

QWidget* ExplorerPage::buildControls() {
    auto* box = new QWidget(this);
    m_datasetCombo->setObjectName(QStringLiteral("explorerDataset"));
    m_schemeCombo->setObjectName(QStringLiteral("schemeChooser"));
    m_schemeCombo->addItem(tr("exp  (w = exp(r/λ))"), QStringLiteral("exp"));
    m_schemeCombo->addItem(tr("uniform  (SFT)"), QStringLiteral("uniform"));
    m_schemeCombo->addItem(tr("linear  (w = r − r_min + ε)"), QStringLiteral("linear"));
    m_schemeCombo->addItem(tr("filter  (r = top)"), QStringLiteral("filter"));
    setGlossaryItemTips(m_schemeCombo, QStringLiteral("scheme_"));
    m_rewardCombo->setObjectName(QStringLiteral("explorerRewardSource"));
    // As wide as a short entry, not the longest ("estimated: run 52 · sasrec-head"): the controls' row must
    // fit 1366 px; the popup still shows the whole text.
    m_rewardCombo->setMinimumContentsLength(12);
    m_rewardCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_rewardCombo->setToolTip(
        tr("The rewards the weights read: the logged ones, or a finished reward-model run's estimates r̂ "
           "(tiltbench-cli reward), as a SASRec run with that reward source trains; the metric curves are "
           "still measured on the logged held-out rewards"));
    m_normCombo->setObjectName(QStringLiteral("normalizationChooser"));
    m_normCombo->addItem(tr("mean 1"), QStringLiteral("mean"));
    m_normCombo->addItem(tr("none"), QStringLiteral("none"));
    m_normCombo->addItem(tr("per batch"), QStringLiteral("batch"));
    m_normCombo->setToolTip(glossaryTip(QStringLiteral("normalization")));
    m_clipSpin->setObjectName(QStringLiteral("clipSpin"));
    m_clipSpin->setRange(0.0, 1e4);
    m_clipSpin->setDecimals(1);
    m_clipSpin->setSingleStep(1.0);
    m_clipSpin->setSpecialValueText(tr("none"));
    m_clipSpin->setValue(0.0);
    m_clipSpin->setKeyboardTracking(false);
    m_clipSpin->setToolTip(glossaryTip(QStringLiteral("clip")) +
                           tr(" Under mean or per-batch normalisation it is at least 1."));
    m_essFloorSpin->setObjectName(QStringLiteral("essFloorSpin"));
    m_essFloorSpin->setRange(0.01, 1.0);
    m_essFloorSpin->setDecimals(2);
    m_essFloorSpin->setSingleStep(0.05);
    m_essFloorSpin->setValue(kDefaultEssFloor);
    m_essFloorSpin->setToolTip(tr("The suggestion keeps ESS/N at least this.\n\n") +
                               glossaryTip(QStringLiteral("ess")));
    m_applyButton->setObjectName(QStringLiteral("applySuggestion"));
    m_applyButton->setToolTip(tr("Move the slider to the suggested λ"));
    m_trainButton->setObjectName(QStringLiteral("trainAtLambda"));
    m_trainButton->setToolTip(
        tr("Open the Train page with this weighting (scheme, λ, normalisation, clip and rewards) on this "
           "dataset; nothing is queued until you press Queue there"));
    m_suggestLabel->setObjectName(QStringLiteral("suggestion"));
    m_suggestLabel->setWordWrap(true);
    m_suggestLabel->setTextFormat(Qt::RichText);
    m_status->setObjectName(QStringLiteral("explorerStatus"));
    m_status->setStyleSheet(QStringLiteral("color: #555;"));
    m_status->setTextFormat(Qt::PlainText);  // dataset names reach it: never rendered as rich text
    // A long status text wraps (the row grows a line): it never widens the page past the window or is cut.
    m_status->setWordWrap(true);
    m_status->setMinimumWidth(120);
    m_summary->setObjectName(QStringLiteral("weightSummary"));
    m_summary->setToolTip(glossaryTip(QStringLiteral("ess")));
    m_lambda->setToolTip(glossaryTip(QStringLiteral("lambda")));
    m_summary->setMinimumWidth(260);
    m_summary->setWordWrap(true);

    // The choosers flow onto a second line when the window is narrow (125 % scaling on a small screen).
    auto* row1 = new FlowLayout;
    const auto pair = [box](QLabel* label, QWidget* widget) {
        auto* w = new QWidget(box);
        auto* l = new QHBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        label->setParent(w);
        widget->setParent(w);
        l->addWidget(label);
        l->addWidget(widget);
        return w;
    };
    row1->addWidget(pair(caption(tr("Dataset"), box), m_datasetCombo));
    row1->addWidget(pair(caption(tr("Scheme"), box), m_schemeCombo));
    row1->addWidget(pair(caption(tr("Rewards"), box), m_rewardCombo));
    row1->addWidget(pair(caption(tr("Normalisation"), box), m_normCombo));
    row1->addWidget(pair(caption(tr("Clip"), box), m_clipSpin));
    row1->addWidget(m_status);

    auto* row2 = new QHBoxLayout;
    row2->addWidget(caption(tr("λ"), box));
    row2->addWidget(m_lambda, 1);
    row2->addSpacing(12);
    row2->addWidget(m_summary, 2);

    auto* row3 = new QHBoxLayout;
    row3->addWidget(m_suggestLabel, 1);
    row3->addWidget(caption(tr("ESS/N floor"), box));
    row3->addWidget(m_essFloorSpin);
    row3->addWidget(m_applyButton);
    row3->addSpacing(12);
    row3->addWidget(m_trainButton);

    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(row1);
    layout->addLayout(row2);
    layout->addLayout(row3);
    layout->addLayout(buildFullEvalRow());

    connect(m_datasetCombo, &QComboBox::currentIndexChanged, this, [this] {
        refillRewardSources();
        requestCompute();
    });
    connect(m_rewardCombo, &QComboBox::currentIndexChanged, this, [this] { requestCompute(); });
    connect(m_schemeCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_lambda->setEnabled(m_schemeCombo->currentData().toString() == QStringLiteral("exp"));
        requestCompute();
    });
    connect(m_normCombo, &QComboBox::currentIndexChanged, this, [this] { requestCompute(); });
    connect(m_clipSpin, &QDoubleSpinBox::valueChanged, this, [this] { requestCompute(); });
    connect(m_lambda, &LambdaSlider::lambdaChanged, this, [this] { updateLambda(); });
    connect(m_essFloorSpin, &QDoubleSpinBox::valueChanged, this, [this] { updateSuggestion(); });
    connect(m_applyButton, &QPushButton::clicked, this, &ExplorerPage::applySuggestion);
    connect(m_trainButton, &QPushButton::clicked, this, [this] {
        if (selectedDatasetId() > 0) {
            Q_EMIT trainRequested(selectedDatasetId());
        }
    });
    return box;
}

QHBoxLayout* ExplorerPage::buildFullEvalRow() {
    m_fullEvalButton->setObjectName(QStringLiteral("fullEvalButton"));
    m_fullEvalButton->setToolTip(
        tr("The curves use a seeded sample of at most %1 users and no intervals. This runs the tilted Markov "
           "policy at the current scheme on all users with %2 bootstrap resamples and records the run, as "
           "tiltbench-cli train -m markov does.")
            .arg(ExplorerWorker::kSampleUsers)
            .arg(ExplorerFullEvalWorker::kBootstrapResamples));
    m_fullEvalCancel->setObjectName(QStringLiteral("fullEvalCancel"));
    m_fullEvalCancel->setVisible(false);
    m_fullEvalResult->setObjectName(QStringLiteral("fullEvalResult"));
    m_fullEvalResult->setTextFormat(Qt::RichText);
    m_fullEvalResult->setWordWrap(true);
    m_fullEvalResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fullEvalResult->setText(
        tr("Live metrics: point values on a fixed seeded sample of at most %1 users")
            .arg(QLocale().toString(static_cast<qlonglong>(ExplorerWorker::kSampleUsers))));
    connect(m_fullEvalButton, &QPushButton::clicked, this, &ExplorerPage::evaluateFully);
    connect(m_fullEvalCancel, &QPushButton::clicked, this, &ExplorerPage::cancelFullEvaluation);
    connect(m_jobs, &JobRunner::statusTextChanged, this, &ExplorerPage::showStatus);
    connect(m_jobs, &JobRunner::idle, this, [this](const QString& slot) {
        if (slot == kFullEvalJob) {
            onFullEvalStopped();
        }
    });

    auto* row = new QHBoxLayout;
    row->addWidget(m_fullEvalButton);
    row->addWidget(m_fullEvalCancel);
    row->addWidget(m_fullEvalResult, 1);
    return row;
}

void ExplorerPage::setWorkspace(Workspace* workspace) {
    cancelJobs();
    m_workspace = workspace;
    m_curveCache.clear();
    showDataset(nullptr);
    refresh();
}

void ExplorerPage::refresh() {
    const int64_t keep = selectedDatasetId();
    m_datasetCombo->refill(m_workspace, [this](const QString& e) { onFailed(e); });
    const qint64 keepRewards = rewardModelRun();
    refillRewardSources();
    if (selectedDatasetId() != keep || !m_dataset || rewardModelRun() != keepRewards) {
        requestCompute();
    }
}

void ExplorerPage::selectDataset(int64_t id) {
    m_datasetCombo->selectId(id);
}

int64_t ExplorerPage::selectedDatasetId() const {
    return m_datasetCombo->selectedId();
}

bool ExplorerPage::isBusy() const {
    return m_jobs->isBusy();
}

void ExplorerPage::cancelJobs() {
    m_pending = false;
    m_jobs->cancelAll();
}

WeightScheme ExplorerPage::currentScheme() const {
    WeightScheme s;
    s.kind = parseWeightKind(m_schemeCombo->currentData().toString().toStdString());
    s.lambda = s.kind == WeightKind::Exp ? m_lambda->lambda() : WeightScheme::kInfinity;
    s.normalization = parseWeightNormalization(m_normCombo->currentData().toString().toStdString());
    s.clip = m_clipSpin->value() > 0.0 ? m_clipSpin->value() : WeightScheme::kInfinity;
    return s;
}

void ExplorerPage::setLambda(double lambda) {
    m_lambda->setLambda(lambda);
}

double ExplorerPage::lambda() const {
    return m_lambda->lambda();
}

double ExplorerPage::essFloor() const {
    return m_essFloorSpin->value();
}

void ExplorerPage::setEssFloor(double floor) {
    m_essFloorSpin->setValue(floor);
}

void ExplorerPage::applySuggestion() {
    if (!std::isnan(m_suggested)) {
        m_lambda->setLambda(m_suggested);
    }
}

QString ExplorerPage::cacheKey(int64_t datasetId) const {
    return QStringLiteral("%1|%2|%3")
        .arg(datasetId)
        .arg(rewardModelRun())
        .arg(explorerSchemeKey(currentScheme()));
}

qint64 ExplorerPage::rewardModelRun() const {
    return m_rewardCombo->modelRun();
}

void ExplorerPage::refillRewardSources() {
    std::vector<RunRecord> runs;
    if (m_workspace && selectedDatasetId() >= 0) {
        try {
            runs = RunStore(*m_workspace).runs(selectedDatasetId());
        } catch (const std::exception& e) {
            setStatus(tr("Cannot list the reward models: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    m_rewardCombo->refill(runs, "loo");  // the Explorer's split: leave-one-out
    m_rewardCombo->setEnabled(m_rewardCombo->count() > 1);
}

void ExplorerPage::requestCompute() {
    m_pending = false;
    const int64_t id = selectedDatasetId();
    if (!m_workspace || id < 0) {
        m_jobs->cancel(kComputeJob);
        showDataset(nullptr);
        m_plots->showMessage(m_workspace ? tr("No dataset in this workspace") : tr("No workspace is open"));
        return;
    }
    try {
        currentScheme().validate();
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()));
        return;
    }
    const bool sameDataset =
        m_dataset && m_dataset->info.id == id && m_dataset->rewardModelRun == rewardModelRun();
    if (sameDataset) {
        // The weight statistics need no worker: show them for the new settings at once.
        const auto cached = m_curveCache.value(cacheKey(id));
        showCurves(cached);
        updateLambda();
        if (cached) {
            m_jobs->cancel(kComputeJob);  // whatever is still running computes something no longer wanted
            setStatus(tr("Curves from the cache"));
            Q_EMIT ready();
            return;
        }
    } else if (m_dataset) {
        showDataset(nullptr);
    }
    if (!sameDataset) {
        m_plots->showMessage(tr("Loading '%1'…").arg(m_datasetCombo->currentText()));
    }
    if (!isVisible()) {
        m_pending = true;  // showEvent starts it: a hidden page should not load a 20 M-row log
        return;
    }
    startJob();  // a job still running is cancelled; this one starts when it has stopped
}

void ExplorerPage::startJob() {
    const int64_t id = selectedDatasetId();
    const WeightScheme base = currentScheme();
    auto* worker = new ExplorerWorker(QString::fromStdString(m_workspace->path()), id, base,
                                      m_dataset && m_dataset->info.id == id ? m_dataset : nullptr,
                                      m_curveCache.value(cacheKey(id)));
    worker->setRewardModelRun(rewardModelRun());
    worker->setDatasetName(m_datasetCombo->currentText());
    m_jobs->on(worker, &ExplorerWorker::finished, [this](const ExplorerResult& result) { onResult(result); });
    m_jobs->on(worker, &Worker::failed, [this](const QString& message) { onFailed(message); });
    m_jobs->start(kComputeJob, worker);  // the runner shows "Preparing '…'…" and the job's progress
}

void ExplorerPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_pending) {
        requestCompute();  // deferred while the page was hidden
    }
}

void ExplorerPage::onResult(const ExplorerResult& result) {
    m_curveCache.insert(QStringLiteral("%1|%2|%3")
                            .arg(result.curves->datasetId)
                            .arg(result.dataset->rewardModelRun)
                            .arg(explorerSchemeKey(result.curves->base)),
                        result.curves);
    if (m_dataset != result.dataset) {
        showDataset(result.dataset);
    }
    showCurves(result.curves);
    updateLambda();
    setStatus(tr("Prepared in %1 s (curves %2 s)")
                  .arg(formatReal(result.dataset->seconds + result.curves->seconds, 2),
                       formatReal(result.curves->seconds, 2)));
    Q_EMIT ready();
}

void ExplorerPage::onFailed(const QString& message) {
    setStatus(tr("Failed"));
    openWarning(this, QStringLiteral("explorerErrorBox"), tr("λ Explorer"),
                tr("Could not prepare the λ Explorer for '%1'.").arg(m_datasetCombo->currentText()), message);
    Q_EMIT failed(message);
}

void ExplorerPage::showDataset(std::shared_ptr<const ExplorerDataset> dataset) {
    m_dataset = std::move(dataset);
    m_curves.reset();
    m_hasStats = false;
    m_summary->clear();
    if (!m_dataset) {
        m_items->clear();
        m_plots->showMessage(tr("Select a dataset"));
        updateSuggestion();
        return;
    }
    if (!m_hasFullEval) {  // the sample as it is for this dataset, not the cap
        const auto eligible = static_cast<qlonglong>(m_dataset->split.validation().size());
        const auto sampled = static_cast<qlonglong>(m_dataset->evaluatedUsers);
        m_fullEvalResult->setText(
            sampled < eligible
                ? tr("Live metrics: point values on a fixed seeded sample of %1 of the %2 users")
                      .arg(QLocale().toString(sampled), QLocale().toString(eligible))
                : tr("Live metrics: point values on all %1 users").arg(QLocale().toString(eligible)));
    }
    const RewardLevelTable& t = m_dataset->table();
    m_items->setData(m_dataset->itemLabels, t.itemCount(), t.itemMeanReward(), t.uniformShare());
    m_plots->setDataset(m_dataset);
    m_view->resizeColumnsToContents();
    m_view->horizontalHeader()->setSectionResizeMode(ExplorerItemsModel::Title, QHeaderView::Stretch);
    updateSuggestion();
}

void ExplorerPage::showCurves(std::shared_ptr<const ExplorerCurves> curves) {
    m_curves = std::move(curves);
    m_plots->setCurves(m_curves);
    updateSuggestion();
}

void ExplorerPage::updateLambda() {
    markFullEvaluationStale();
    if (!m_dataset) {
        return;
    }
    QElapsedTimer timer;
    timer.start();
    WeightStatsOptions options;
    options.topItems = 0;  // the table shows every item; the gainer/loser lists would go unused
    try {
        m_stats = computeWeightStats(m_dataset->table(), currentScheme(), options);
    } catch (const std::exception& e) {
        m_hasStats = false;
        setStatus(QString::fromStdString(e.what()));
        return;
    }
    m_hasStats = true;
    m_plots->updateStats(m_stats);
    m_items->setShares(m_stats.itemShare);
    m_summary->setText(
        tr("ESS/N <b>%1</b> · top reward level %2 of the weight · max weight %3× mean · item Gini %4")
            .arg(formatReal(m_stats.essRatio, 3), formatPercent(m_stats.topLevelMass, 0),
                 formatReal(m_stats.maxOverMean, 3), formatReal(m_stats.gini, 3)));
    m_lastUpdateMs = static_cast<double>(timer.nsecsElapsed()) * 1e-6;
}

void ExplorerPage::updateSuggestion() {
    m_suggested = kNaN;
    m_applyButton->setEnabled(false);
    if (!m_dataset || !m_curves) {
        m_suggestLabel->setText(tr("<b>Suggested λ:</b> — (waiting for the metric curves)"));
        return;
    }
    if (m_curves->base.kind != WeightKind::Exp) {
        m_suggestLabel->setText(tr("<b>Suggested λ:</b> — λ only matters for the exp scheme"));
        return;
    }
    const double floor = essFloor();
    const std::vector<double>& grid = m_curves->metricLambdas;
    double essLambda = WeightScheme::kInfinity;
    try {
        essLambda = smallestLambdaWithEss(m_dataset->table(), m_curves->base, grid, floor);
    } catch (const std::exception& e) {
        m_suggestLabel->setText(
            tr("<b>Suggested λ:</b> — %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        return;
    }
    const ExplorerMetricCurve* high = m_curves->find("ndcg_high@10");
    int best = -1;
    for (size_t i = 0; high && i < grid.size() && i < high->markov.size(); ++i) {
        const double v = high->markov[i];
        // Ties go to the larger λ: the same quality with more effective examples.
        if (grid[i] >= essLambda && std::isfinite(v) &&
            (best < 0 || v >= high->markov[static_cast<size_t>(best)])) {
            best = static_cast<int>(i);
        }
    }
    if (best < 0) {
        m_suggested = essLambda;
        m_suggestLabel->setText(tr("<b>Suggested λ = %1</b>: the smallest λ with ESS/N ≥ %2 (no high-reward "
                                   "validation target to rank by)")
                                    .arg(formatLambdaText(essLambda, 3), formatReal(floor, 2)));
    } else {
        // Honest about noise: the best validation λ is compared with λ = ∞ on the same users (paired
        // bootstrap), and its test figure is shown beside it. A peak inside the noise is not suggested.
        const auto b = static_cast<size_t>(best);
        const auto paired = [&](const std::vector<std::vector<double>>& perLambda,
                                const std::vector<int32_t>& users) {
            SeededDifference d;
            d.diff = d.lo = d.hi = std::numeric_limits<double>::quiet_NaN();
            if (perLambda.size() == grid.size() && b + 1 < grid.size()) {
                BootstrapConfig bootstrap;
                bootstrap.resamples = 1000;
                d = compareAcrossSeeds({{users, perLambda[b], perLambda.back()}}, bootstrap);
            }
            return d;
        };
        const auto interval = [](const SeededDifference& d) {
            const auto sign = [](double v) { return QString::asprintf("%+.4f", v); };
            return std::isfinite(d.lo)
                       ? QStringLiteral("%1 [%2, %3]").arg(sign(d.diff), sign(d.lo), sign(d.hi))
                       : QStringLiteral("—");
        };
        const SeededDifference valid = paired(m_curves->highValid, m_curves->validUsers);
        const SeededDifference test = paired(m_curves->highTest, m_curves->testUsers);
        const double testAt = b < m_curves->highTestCurve.size() ? m_curves->highTestCurve[b] : kNaN;
        const double testInf = m_curves->highTestCurve.empty() ? kNaN : m_curves->highTestCurve.back();
        const QString sides =
            tr("validation %1 vs %2 at ∞ (Δ %3) · test %4 vs %5 (Δ %6)")
                .arg(formatReal(high->markov[b], 3), formatReal(high->markov.back(), 3), interval(valid),
                     formatReal(testAt, 3), formatReal(testInf, 3), interval(test));
        if (b + 1 >= grid.size() || !(valid.lo > 0.0)) {
            m_suggested = WeightScheme::kInfinity;
            m_suggestLabel->setText(
                tr("<b>Suggested λ = ∞</b>: no λ beats ∞ beyond noise on validation — the best, λ = %1, "
                   "NDCG@10 on high-reward targets for the tilted Markov policy (λ picked on these "
                   "validation "
                   "users: test is the unbiased figure): %2")
                    .arg(formatLambdaText(grid[b], 3), sides));
        } else {
            m_suggested = grid[b];
            m_suggestLabel->setText(
                tr("<b>Suggested λ = %1</b>: best validation NDCG@10 on high-reward targets "
                   "for the tilted Markov policy among λ keeping ESS/N ≥ %2 (smallest such λ: "
                   "%3; picked on these validation users: test is the unbiased figure): %4")
                    .arg(formatLambdaText(m_suggested, 3), formatReal(floor, 2),
                         formatLambdaText(essLambda, 3), sides));
        }
    }
    m_applyButton->setEnabled(true);
}

void ExplorerPage::onCurrentItemChanged() {
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    m_plots->showItem(current.isValid() ? current.data(ExplorerItemsModel::ItemIdRole).toInt() : -1);
}

void ExplorerPage::setStatus(const QString& text) {
    m_jobs->report(kComputeJob, text);  // the job runner owns the status line (showStatus)
}

void ExplorerPage::showStatus(const QString& text) {
    m_status->setText(text);
    m_status->setToolTip(text);
    if (!text.isEmpty()) {
        Q_EMIT statusMessage(text);
    }
}

void ExplorerPage::saveSettings(QSettings& settings) const {
    settings.setValue(QStringLiteral("explorer/scheme"), m_schemeCombo->currentData());
    settings.setValue(QStringLiteral("explorer/normalization"), m_normCombo->currentData());
    settings.setValue(QStringLiteral("explorer/clip"), m_clipSpin->value());
    settings.setValue(QStringLiteral("explorer/essFloor"), m_essFloorSpin->value());
    settings.setValue(QStringLiteral("explorer/lambda"),
                      QString::fromStdString(formatLambda(m_lambda->lambda())));
    settings.setValue(QStringLiteral("explorer/splitter"), m_splitter->saveState());
}

void ExplorerPage::restoreSettings(const QSettings& settings) {
    auto pick = [&](QComboBox* combo, const QString& key) {
        const int row = combo->findData(settings.value(key));
        if (row >= 0) {
            combo->setCurrentIndex(row);
        }
    };
    pick(m_schemeCombo, QStringLiteral("explorer/scheme"));
    pick(m_normCombo, QStringLiteral("explorer/normalization"));
    m_clipSpin->setValue(settings.value(QStringLiteral("explorer/clip"), 0.0).toDouble());
    m_essFloorSpin->setValue(
        settings.value(QStringLiteral("explorer/essFloor"), kDefaultEssFloor).toDouble());
    try {
        m_lambda->setLambda(parseLambda(
            settings.value(QStringLiteral("explorer/lambda"), QStringLiteral("1")).toString().toStdString()));
    } catch (const std::exception&) {
        m_lambda->setLambda(kDefaultLambda);
    }
    m_splitter->restoreState(settings.value(QStringLiteral("explorer/splitter")).toByteArray());
}

}  // namespace tiltbench
