#include "pages/train/train_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <cmath>
#include <initializer_list>
#include <limits>

#include "common/limits.h"
#include "shared/glossary.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "train/reward_run.h"
#include "train/reward_source.h"
#include "train/sasrec_run_config.h"
#include "weighting/lambda_grid.h"
#include "widgets/dataset_combo.h"
#include "widgets/lambda_slider.h"

namespace tiltbench {

namespace {
const QString kDefaultSweep = QString::fromUtf8(lambda_grid::kDefaultSweep);
// The High reward ≥ box's lowest value, shown as "top reward level": no threshold is passed.
constexpr double kTopRewardLevel = -1e6;

QSpinBox* spin(QWidget* parent, const char* name, int lo, int hi, int value, const QString& tip) {
    auto* s = new QSpinBox(parent);
    s->setObjectName(QLatin1String(name));
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    s->setGroupSeparatorShown(true);
    return s;
}

QDoubleSpinBox* doubleSpin(QWidget* parent, const char* name, double lo, double hi, int decimals,
                           double value, const QString& tip) {
    auto* s = new QDoubleSpinBox(parent);
    s->setObjectName(QLatin1String(name));
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}

QFormLayout* formLayout(QWidget* box) {
    auto* f = new QFormLayout(box);
    f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    f->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    f->setContentsMargins(8, 6, 8, 6);
    f->setVerticalSpacing(4);
    return f;
}
}  // namespace

TrainForm::TrainForm(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("trainFormFields"));
    auto* form = this;
    auto* column = new QVBoxLayout(form);
    column->setContentsMargins(0, 0, 4, 0);
    column->setSpacing(6);

    // What to train
    auto* runBox = new QGroupBox(tr("Run"), form);
    auto* runForm = formLayout(runBox);
    m_dataset = new DatasetCombo(runBox);
    m_dataset->setObjectName(QStringLiteral("trainDataset"));
    m_model = new QComboBox(runBox);
    m_model->setObjectName(QStringLiteral("trainModel"));
    m_model->addItem(tr("SASRec (self-attention, trained)"), QStringLiteral("sasrec"));
    m_model->addItem(tr("HSTU (pointwise attention with time gaps, trained)"), QStringLiteral("hstu"));
    m_model->addItem(tr("Markov (closed-form tilt)"), QStringLiteral("markov"));
    m_model->addItem(tr("Popularity (closed-form tilt)"), QStringLiteral("popularity"));
    m_model->addItem(tr("Item mean (closed form)"), QStringLiteral("itemmean"));
    m_model->setToolTip(tr(
        "SASRec and HSTU train in a background tiltbench-cli process; the closed-form policies are fitted in "
        "milliseconds in this process"));
    m_split = new QComboBox(runBox);
    m_split->setObjectName(QStringLiteral("trainSplit"));
    m_split->addItem(tr("leave-one-out"), QStringLiteral("loo"));
    m_split->addItem(tr("time"), QStringLiteral("time"));
    runForm->addRow(tr("Dataset"), m_dataset);
    runForm->addRow(tr("Model"), m_model);
    runForm->addRow(tr("Split"), m_split);
    m_initFrom = new QComboBox(runBox);
    m_initFrom->setObjectName(QStringLiteral("trainInitFrom"));
    m_initFrom->setToolTip(
        tr("SASRec post-training: start from a finished SASRec run's best checkpoint (its architecture is "
           "taken over) instead of random weights"));
    runForm->addRow(tr("Start from"), m_initFrom);
    column->addWidget(runBox);

    // Weighting
    auto* weightBox = new QGroupBox(tr("Weighting"), form);
    auto* weightForm = formLayout(weightBox);
    m_scheme = new QComboBox(weightBox);
    m_scheme->setObjectName(QStringLiteral("trainScheme"));
    m_scheme->addItem(tr("exp  (w = exp(r/λ))"), QStringLiteral("exp"));
    m_scheme->addItem(tr("uniform  (SFT)"), QStringLiteral("uniform"));
    m_scheme->addItem(tr("linear  (w = r − r_min + ε)"), QStringLiteral("linear"));
    m_scheme->addItem(tr("filter  (r = top)"), QStringLiteral("filter"));
    setGlossaryItemTips(m_scheme, QStringLiteral("scheme_"));
    m_lambda = new LambdaSlider(weightBox);
    m_lambda->setToolTip(glossaryTip(QStringLiteral("lambda")));
    m_lambda->setObjectName(QStringLiteral("trainLambda"));
    m_lambda->setLambda(1.0);
    m_fromExplorer = new QPushButton(tr("From the λ Explorer"), weightBox);
    m_fromExplorer->setObjectName(QStringLiteral("fromExplorer"));
    m_normalization = new QComboBox(weightBox);
    m_normalization->setObjectName(QStringLiteral("trainNormalization"));
    m_normalization->addItem(tr("mean 1"), QStringLiteral("mean"));
    m_normalization->addItem(tr("none"), QStringLiteral("none"));
    m_normalization->addItem(tr("per batch"), QStringLiteral("batch"));
    m_normalization->setToolTip(glossaryTip(QStringLiteral("normalization")));
    m_clip = doubleSpin(
        weightBox, "trainClip", 0.0, 1e4, 1, 0.0,
        glossaryTip(QStringLiteral("clip")) + tr(" Under mean or per-batch normalisation it is at least 1."));
    m_clip->setSpecialValueText(tr("none"));
    weightForm->addRow(tr("Scheme"), m_scheme);
    weightForm->addRow(tr("λ"), m_lambda);
    weightForm->addRow(QString(), m_fromExplorer);
    weightForm->addRow(tr("Normalisation"), m_normalization);
    m_rewardSource = new RewardSourceCombo(weightBox);
    m_rewardSource->setObjectName(QStringLiteral("trainRewardSource"));
    m_rewardSource->setToolTip(
        tr("SASRec: the rewards the weighting reads — the logged ones, or a finished reward-model run's "
           "estimates r̂ (tiltbench-cli reward) fitted on the same split; evaluation always uses the logged "
           "rewards"));
    weightForm->addRow(tr("Clip"), m_clip);
    weightForm->addRow(tr("Rewards"), m_rewardSource);
    m_objective = new QComboBox(weightBox);
    m_objective->setObjectName(QStringLiteral("trainObjective"));
    m_objective->addItem(tr("weighted loss (the method)"), QStringLiteral("weighted"));
    m_objective->addItem(tr("DPO (online, RLHF baseline)"), QStringLiteral("dpo"));
    m_objective->addItem(tr("PPO (RLHF baseline)"), QStringLiteral("ppo"));
    m_objective->setToolTip(
        tr("SASRec: what the run optimises. DPO and PPO post-train the run chosen in Start from (also their "
           "frozen reference) on items sampled from the policy and scored by the reward model chosen in "
           "Rewards; the weighting does not enter their loss"));
    m_objectiveBeta =
        doubleSpin(weightBox, "trainObjectiveBeta", 0.0, 1e4, 3, SasrecRunConfig().dpoBeta,
                   tr("DPO: β, the strength of the tie to the reference. PPO: β_KL, the weight of "
                      "the exact KL to the reference"));
    weightForm->addRow(tr("Objective"), m_objective);
    weightForm->addRow(tr("β"), m_objectiveBeta);
    column->addWidget(weightBox);

    m_queueRun = new QPushButton(tr("Queue run"), form);
    m_queueRun->setObjectName(QStringLiteral("queueRun"));
    m_queueRun->setDefault(true);
    m_queueRun->setToolTip(tr("Train one run with these settings (it starts when the queue is free)"));
    column->addWidget(m_queueRun);

    // Sweep
    auto* sweepBox = new QGroupBox(tr("λ sweep"), form);
    auto* sweepForm = formLayout(sweepBox);
    m_sweepLambdas = new QLineEdit(kDefaultSweep, sweepBox);
    m_sweepLambdas->setObjectName(QStringLiteral("sweepLambdas"));
    m_sweepLambdas->setToolTip(tr("λ values of the exp runs, separated by commas or spaces; inf or ∞ = SFT"));
    auto* schemes = new QWidget(sweepBox);
    auto* schemeRow = new QHBoxLayout(schemes);
    schemeRow->setContentsMargins(0, 0, 0, 0);
    m_sweepExp = new QCheckBox(tr("exp"), schemes);
    m_sweepExp->setChecked(true);
    m_sweepExp->setToolTip(tr("One run per λ"));
    m_sweepUniform = new QCheckBox(tr("uniform"), schemes);
    m_sweepLinear = new QCheckBox(tr("linear"), schemes);
    m_sweepFilter = new QCheckBox(tr("filter"), schemes);
    for (QCheckBox* c : {m_sweepExp, m_sweepUniform, m_sweepLinear, m_sweepFilter}) {
        c->setObjectName(QStringLiteral("sweep_") + c->text());
        schemeRow->addWidget(c);
    }
    schemeRow->addStretch(1);
    m_queueSweep = new QPushButton(tr("Queue sweep"), sweepBox);
    m_queueSweep->setObjectName(QStringLiteral("queueSweep"));
    sweepForm->addRow(tr("λ values"), m_sweepLambdas);
    sweepForm->addRow(tr("Schemes"), schemes);
    sweepForm->addRow(QString(), m_queueSweep);
    column->addWidget(sweepBox);

    // SASRec and HSTU (the same settings)
    const SasrecRunConfig d;  // the engine's defaults
    m_sasrecBox = new QGroupBox(tr("SASRec / HSTU"), form);
    auto* sasrecGrid = new QGridLayout(m_sasrecBox);
    sasrecGrid->setContentsMargins(8, 6, 8, 6);
    sasrecGrid->setVerticalSpacing(4);
    m_epochs = spin(m_sasrecBox, "epochs", 1, 100000, d.epochs, tr("Epochs at most"));
    m_batch = spin(m_sasrecBox, "batchSize", 1, 1 << 20, d.batchSize, tr("Sequences per batch"));
    m_lr = doubleSpin(m_sasrecBox, "lr", 1e-6, 10.0, 6, d.lr, tr("Adam learning rate"));
    m_dim = spin(m_sasrecBox, "dim", 1, 4096, d.dim, tr("Embedding size"));
    m_blocks = spin(m_sasrecBox, "blocks", 1, 64, d.blocks, tr("Self-attention blocks"));
    m_heads =
        spin(m_sasrecBox, "heads", 1, 64, d.heads, tr("Attention heads (must divide the embedding size)"));
    m_maxLen =
        spin(m_sasrecBox, "maxLen", 2, 100000, d.maxLen, tr("Newest items of a history the model reads"));
    m_dropout = doubleSpin(m_sasrecBox, "dropout", 0.0, 0.95, 2, d.dropout, tr("Dropout rate"));
    m_patience =
        spin(m_sasrecBox, "patience", 0, 100000, d.patience,
             tr("Epochs without a better validation figure (Select) before stopping (0 = never stop early)"));
    m_patience->setSpecialValueText(tr("never"));
    m_select = new QComboBox(m_sasrecBox);
    m_select->setObjectName(QStringLiteral("trainSelect"));
    for (const std::string& metric : kSelectMetrics) {
        m_select->addItem(QString::fromStdString(metric), QString::fromStdString(metric));
    }
    m_select->setCurrentIndex(m_select->findData(QString::fromStdString(d.select)));
    m_select->setToolTip(
        tr("The validation metric that picks the best checkpoint and drives early stopping; "
           "the _high metrics count only high-reward targets (High reward ≥)"));
    // The output layer's loss (issue 18): the full softmax, or the sampled one for large catalogues.
    m_loss = new QComboBox(m_sasrecBox);
    m_loss->setObjectName(QStringLiteral("trainLoss"));
    m_loss->addItem(tr("full softmax"), QStringLiteral("full"));
    m_loss->addItem(tr("sampled softmax"), QStringLiteral("sampled"));
    m_loss->setToolTip(
        tr("Full: softmax over every item (exact; its cost grows with the catalogue). Sampled: softmax over "
           "Candidates drawn per batch with the logQ correction — for catalogues of 10⁴ items and more. "
           "Weighted by exp(r/λ) either way; evaluation always ranks every item. DPO and PPO keep their "
           "own loss."));
    m_negatives = new QComboBox(m_sasrecBox);
    m_negatives->setObjectName(QStringLiteral("trainNegatives"));
    m_negatives->addItem(tr("in-batch"), QStringLiteral("in-batch"));
    m_negatives->addItem(tr("uniform"), QStringLiteral("uniform"));
    m_negatives->addItem(tr("popularity"), QStringLiteral("popularity"));
    m_negatives->setToolTip(
        tr("Sampled softmax: the batch's own targets as candidates (in-batch, at most Candidates of them; "
           "trained best in the measurements), or candidates drawn uniformly or by popularity (count among "
           "training targets)"));
    m_numNegatives =
        spin(m_sasrecBox, "numNegatives", 1, limits::kMaxNegatives, d.numNegatives,
             tr("Sampled softmax: candidates per batch — drawn (popularity, uniform), or the most of a "
                "batch's distinct targets kept (in-batch)"));
    m_loss->setCurrentIndex(m_loss->findData(QString::fromStdString(d.loss)));
    m_negatives->setCurrentIndex(m_negatives->findData(QString::fromStdString(d.negatives)));
    auto* defaults = new QPushButton(tr("Engine defaults"), m_sasrecBox);
    defaults->setObjectName(QStringLiteral("engineDefaults"));
    defaults->setToolTip(tr("The trainer's defaults (SasrecRunConfig)"));
    connect(defaults, &QPushButton::clicked, this, &TrainForm::resetHyperparameters);
    const QList<QPair<QString, QWidget*>> fields = {{tr("Epochs"), m_epochs},
                                                    {tr("Batch"), m_batch},
                                                    {tr("LR"), m_lr},
                                                    {tr("Dropout"), m_dropout},
                                                    {tr("Dim"), m_dim},
                                                    {tr("Blocks"), m_blocks},
                                                    {tr("Heads"), m_heads},
                                                    {tr("Max len"), m_maxLen},
                                                    {tr("Patience"), m_patience},
                                                    {tr("Select"), m_select},
                                                    {tr("Loss"), m_loss},
                                                    {tr("Negatives"), m_negatives},
                                                    {tr("Candidates"), m_numNegatives}};
    for (int i = 0; i < fields.size(); ++i) {
        auto* label = new QLabel(fields[i].first, m_sasrecBox);
        label->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        label->setToolTip(fields[i].second->toolTip());
        sasrecGrid->addWidget(label, i / 2, (i % 2) * 2);
        sasrecGrid->addWidget(fields[i].second, i / 2, (i % 2) * 2 + 1);
    }
    sasrecGrid->addWidget(defaults, (static_cast<int>(fields.size()) + 1) / 2, 2, 1, 2);
    sasrecGrid->setColumnStretch(1, 1);
    sasrecGrid->setColumnStretch(3, 1);
    column->addWidget(m_sasrecBox);

    m_closedFormBox = new QGroupBox(tr("Closed-form policy"), form);
    auto* closedForm = formLayout(m_closedFormBox);
    const PolicyParams p;
    m_markovSmoothing = doubleSpin(m_closedFormBox, "markovSmoothing", 0.0, 1e6, 3, p.markovSmoothing,
                                   tr("Markov: pseudo-targets toward the tilted popularity policy"));
    m_itemMeanPrior = doubleSpin(m_closedFormBox, "itemMeanPrior", 0.0, 1e6, 3, p.itemMeanPrior,
                                 tr("Item mean: pseudo-targets at the global mean reward"));
    closedForm->addRow(tr("Markov smoothing"), m_markovSmoothing);
    closedForm->addRow(tr("Item-mean prior"), m_itemMeanPrior);
    m_closedFormBox->setToolTip(tr("Only for the closed-form models"));
    column->addWidget(m_closedFormBox);

    // Evaluation and compute
    auto* computeBox = new QGroupBox(tr("Evaluation and compute"), form);
    auto* computeForm = formLayout(computeBox);
    m_bootstrap = spin(computeBox, "bootstrap", 0, 100000, d.bootstrapResamples,
                       tr("Bootstrap resamples for the 95 % intervals (0 = none)"));
    m_validUsers =
        spin(computeBox, "validUsers", 0, std::numeric_limits<int>::max(), d.validUsers,
             tr("SASRec / HSTU: validate each epoch on a fixed random sample of this many users "
                "(drawn from the seed; checkpoint and early stopping are chosen on it, and a "
                "post-training run's proxy reward and KL per epoch cover the same users). The final "
                "figures rank every user. For 10⁵ users and more"));
    m_validUsers->setSpecialValueText(tr("all users"));
    m_device = new QComboBox(computeBox);
    m_device->setObjectName(QStringLiteral("trainDevice"));
    m_device->addItem(tr("Auto (CUDA when available)"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    m_device->setToolTip(tr("SASRec only; the closed-form policies always run on the CPU"));
    m_precision = new QComboBox(computeBox);
    m_precision->setObjectName(QStringLiteral("trainPrecision"));
    m_precision->addItem(tr("Auto (bf16 where native)"), QStringLiteral("auto"));
    m_precision->addItem(tr("fp32"), QStringLiteral("fp32"));
    m_precision->addItem(tr("bf16 output layer"), QStringLiteral("bf16"));
    m_precision->addItem(tr("bf16 output layer and body"), QStringLiteral("bf16-all"));
    m_precision->setToolTip(tr(
        "SASRec / HSTU: the matrix products of training (--precision). fp32: all in float32. bf16 output "
        "layer: the output layer's in bfloat16. bf16 output layer and body: the attention's and "
        "feed-forward's products too (on this project's 2-core CPU an epoch 0.79× the output layer's alone, "
        "same test NDCG@10 over 3 seeds). Softmax, layer norms, weights and evaluation stay float32 in every "
        "case, so figures compare across precisions. Auto: bf16 output layer on CUDA and on CPUs with native "
        "bfloat16, else fp32. The run records what it used"));
    m_runtimeLabel = new QLabel(tr("Asking tiltbench-cli what this build supports…"), computeBox);
    m_runtimeLabel->setObjectName(QStringLiteral("runtimeLabel"));
    m_runtimeLabel->setWordWrap(true);
    m_runtimeLabel->setStyleSheet(QStringLiteral("color: #555;"));
    m_threads = spin(computeBox, "threads", 0, 1024, 0, tr("CPU threads (0 = all cores)"));
    m_threads->setSpecialValueText(tr("all cores"));
    m_seed = spin(computeBox, "seed", -1, 2147483647, -1,
                  tr("Seed of everything random (initialisation, batches, dropout, bootstrap)"));
    m_seed->setSpecialValueText(tr("default (42; closed-form 1)"));
    m_highThreshold = doubleSpin(computeBox, "highThreshold", kTopRewardLevel, 1e6, 2, kTopRewardLevel,
                                 tr("Targets with a reward ≥ this count as high reward (NDCG@10 high-reward, "
                                    "Select on *_high); the lowest value means the dataset's top reward "
                                    "level"));
    m_highThreshold->setSpecialValueText(tr("top reward level"));
    computeForm->addRow(tr("High reward ≥"), m_highThreshold);
    computeForm->addRow(tr("Bootstrap"), m_bootstrap);
    computeForm->addRow(tr("Validation users"), m_validUsers);
    computeForm->addRow(tr("Device"), m_device);
    computeForm->addRow(QString(), m_runtimeLabel);
    computeForm->addRow(tr("Precision"), m_precision);
    computeForm->addRow(tr("Threads"), m_threads);
    computeForm->addRow(tr("Seed"), m_seed);
    column->addWidget(computeBox);
    column->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, [this] { updateFormState(); });
    connect(m_dataset, &QComboBox::currentIndexChanged, this, [this] {
        refillParentCombo();
        updateFormState();
    });
    connect(m_initFrom, &QComboBox::currentIndexChanged, this, [this] { applyParentArchitecture(); });
    connect(m_split, &QComboBox::currentIndexChanged, this, [this] { refillRewardSources(); });
    connect(m_scheme, &QComboBox::currentIndexChanged, this, [this] { updateFormState(); });
    connect(m_objective, &QComboBox::currentIndexChanged, this, [this] {
        // β means DPO's β or PPO's β_KL: each starts at the engine's default.
        const QString objective = m_objective->currentData().toString();
        const SasrecRunConfig d;
        m_objectiveBeta->setValue(objective == QStringLiteral("ppo") ? d.klBeta : d.dpoBeta);
        updateFormState();
    });
    connect(m_loss, &QComboBox::currentIndexChanged, this, [this] { updateFormState(); });
    connect(m_negatives, &QComboBox::currentIndexChanged, this, [this] { updateFormState(); });
    connect(m_fromExplorer, &QPushButton::clicked, this, &TrainForm::applyExplorerWeighting);
    connect(m_queueRun, &QPushButton::clicked, this, &TrainForm::queueRunRequested);
    connect(m_queueSweep, &QPushButton::clicked, this, &TrainForm::queueSweepRequested);
    connect(m_sweepLambdas, &QLineEdit::textChanged, this, [this] { updateSweepButton(); });
    for (QCheckBox* c : {m_sweepExp, m_sweepUniform, m_sweepLinear, m_sweepFilter}) {
        connect(c, &QCheckBox::toggled, this, [this] { updateSweepButton(); });
    }
    updateSweepButton();
    updateFormState();
}

void TrainForm::setWorkspace(Workspace* workspace) {
    m_workspace = workspace;
    refresh();
}

void TrainForm::refresh() {
    m_dataset->refill(m_workspace, [this](const QString& e) { Q_EMIT statusMessage(e); });
    refillParentCombo();
    updateFormState();
}

std::vector<RunRecord> TrainForm::datasetRuns(const QString& failure) {
    try {
        return RunStore(*m_workspace).runs(selectedDatasetId());
    } catch (const std::exception& e) {
        Q_EMIT statusMessage(failure.arg(QString::fromStdString(e.what())));
    }
    return {};
}

void TrainForm::refillParentCombo() {
    const qint64 keep = m_initFrom->currentIndex() > 0 ? m_initFrom->currentData().toLongLong() : 0;
    const QSignalBlocker block(m_initFrom);
    m_initFrom->clear();
    m_initFrom->addItem(tr("random weights (from scratch)"), qint64{0});
    if (m_workspace && selectedDatasetId() >= 0) {
        for (const RunRecord& run : datasetRuns(tr("Cannot list the runs to start from: %1"))) {
            if (!isSequentialModel(run.model) || run.status != "done") {
                continue;
            }
            try {  // a run whose stored config does not read is left out, the others stay offered
                const SasrecRunConfig c = SasrecRunConfig::fromJson(run.config);
                m_initFrom->addItem(tr("run %1 · %2 · dim %3")
                                        .arg(run.id)
                                        .arg(QString::fromStdString(c.scheme.describe()))
                                        .arg(c.dim),
                                    static_cast<qint64>(run.id));
            } catch (const std::exception&) {
            }
        }
    }
    const int row = m_initFrom->findData(keep);
    m_initFrom->setCurrentIndex(row >= 0 ? row : 0);
    applyParentArchitecture();
    refillRewardSources();
}

void TrainForm::refillRewardSources() {
    m_rewardSource->refill(m_workspace && selectedDatasetId() >= 0
                               ? datasetRuns(tr("Cannot list the reward models: %1"))
                               : std::vector<RunRecord>{},
                           m_split->currentData().toString().toStdString());
    updateFormState();
}

// A parent fixes the architecture (the trainer refuses any other): its dim, blocks, heads and max length are
// shown and locked while it is chosen.
void TrainForm::applyParentArchitecture() {
    const qint64 parent = m_initFrom->currentData().toLongLong();
    bool locked = false;
    if (parent > 0 && m_workspace) {
        try {
            const SasrecRunConfig c = SasrecRunConfig::fromJson(RunStore(*m_workspace).run(parent).config);
            m_dim->setValue(c.dim);
            m_blocks->setValue(c.blocks);
            m_heads->setValue(c.heads);
            m_maxLen->setValue(c.maxLen);
            locked = true;
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(QString::fromStdString(e.what()));
        }
    }
    for (QSpinBox* box : {m_dim, m_blocks, m_heads, m_maxLen}) {
        box->setEnabled(!locked);
    }
}

void TrainForm::selectDataset(int64_t id) {
    m_dataset->selectId(id);
}

int64_t TrainForm::selectedDatasetId() const {
    return m_dataset->selectedId();
}

void TrainForm::setExplorerWeightingSource(std::function<WeightScheme()> source,
                                           std::function<qint64()> rewards) {
    m_explorerSource = std::move(source);
    m_explorerRewards = std::move(rewards);
    updateExplorerButton();
}

void TrainForm::applyExplorerWeighting() {
    if (!m_explorerSource) {
        return;
    }
    const WeightScheme s = m_explorerSource();
    m_scheme->setCurrentIndex(m_scheme->findData(QString::fromStdString(formatWeightKind(s.kind))));
    if (s.kind == WeightKind::Exp) {
        m_lambda->setLambda(s.lambda);
    }
    m_normalization->setCurrentIndex(
        m_normalization->findData(QString::fromStdString(formatWeightNormalization(s.normalization))));
    m_clip->setValue(std::isfinite(s.clip) ? s.clip : 0.0);
    QString rewards;
    if (m_explorerRewards) {  // the Explorer's reward model, when this form lists it (same dataset and split)
        const qint64 run = m_explorerRewards();
        if (m_rewardSource->selectModelRun(run) && run > 0)
            rewards = tr(" on the estimates of run %1").arg(run);
    }
    updateExplorerButton();
    Q_EMIT statusMessage(
        tr("Weighting taken from the λ Explorer: %1%2").arg(QString::fromStdString(s.describe()), rewards));
}

void TrainForm::updateExplorerButton() {
    m_fromExplorer->setEnabled(static_cast<bool>(m_explorerSource));
    if (!m_explorerSource) {
        return;
    }
    const WeightScheme s = m_explorerSource();
    TrainRequest r;
    r.run.scheme = s;
    m_fromExplorer->setText(tr("From the λ Explorer: %1").arg(r.weightingText()));
    m_fromExplorer->setToolTip(
        tr("Use the λ Explorer's current weighting (%1)").arg(QString::fromStdString(s.describe())));
}

TrainRequest TrainForm::currentRequest() const {
    TrainRequest r = TrainRequest::withEngineDefaults();
    r.run.dataset = m_dataset->currentText().toStdString();
    r.model = m_model->currentData().toString().toStdString();
    r.run.split.kind = SplitConfig::kindFromString(m_split->currentData().toString().toStdString());
    WeightScheme& s = r.run.scheme;
    s.kind = parseWeightKind(m_scheme->currentData().toString().toStdString());
    s.lambda = s.kind == WeightKind::Exp ? m_lambda->lambda() : WeightScheme::kInfinity;
    s.normalization = parseWeightNormalization(m_normalization->currentData().toString().toStdString());
    s.clip = m_clip->value() > 0.0 ? m_clip->value() : WeightScheme::kInfinity;
    r.run.bootstrapResamples = m_bootstrap->value();
    if (m_highThreshold->value() > kTopRewardLevel) {
        r.run.highThreshold = m_highThreshold->value();
    }
    if (m_seed->value() >= 0) {
        r.seed = static_cast<uint64_t>(m_seed->value());
    }
    r.run.threads = m_threads->value();
    r.params.markovSmoothing = m_markovSmoothing->value();
    r.params.itemMeanPrior = m_itemMeanPrior->value();
    SasrecRunConfig& c = r.run;  // SASRec's settings (sasrecSettings())
    c.epochs = m_epochs->value();
    c.batchSize = m_batch->value();
    c.lr = m_lr->value();
    c.dim = m_dim->value();
    c.blocks = m_blocks->value();
    c.heads = m_heads->value();
    c.maxLen = m_maxLen->value();
    c.dropout = m_dropout->value();
    c.patience = m_patience->value();
    c.select = m_select->currentData().toString().toStdString();
    c.loss = m_loss->currentData().toString().toStdString();
    c.negatives = m_negatives->currentData().toString().toStdString();
    c.numNegatives = m_numNegatives->value();
    c.validUsers = m_validUsers->value();
    c.device = m_device->currentData().toString().toStdString();
    c.precision = m_precision->currentData().toString().toStdString();
    c.initFrom = r.isSasrec() ? m_initFrom->currentData().toLongLong() : 0;
    const qint64 rewardModel = r.isSasrec() ? m_rewardSource->modelRun() : 0;
    c.rewardSource = RewardSource{rewardModel}.format();
    c.objective = r.isSasrec() ? m_objective->currentData().toString().toStdString() : "weighted";
    if (c.objective == "dpo")
        c.dpoBeta = m_objectiveBeta->value();
    else if (c.objective == "ppo")
        c.klBeta = m_objectiveBeta->value();
    return r;
}

QList<TrainRequest> TrainForm::sweepRequests(QString* error) const {
    QList<TrainRequest> out;
    const TrainRequest base = currentRequest();
    if (base.isSasrec() && base.run.online()) {
        if (error)
            *error = tr("DPO and PPO have no weighting to sweep over λ: queue one run per setting instead.");
        return {};
    }
    auto add = [&](WeightKind kind, double lambda) {
        TrainRequest r = base;
        r.run.scheme.kind = kind;
        r.run.scheme.lambda = kind == WeightKind::Exp ? lambda : WeightScheme::kInfinity;
        out << r;
    };
    if (m_sweepExp->isChecked()) {
        const QStringList tokens =
            m_sweepLambdas->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
        if (tokens.isEmpty() && error) {
            *error = tr("List at least one λ for the exp runs (e.g. %1).").arg(kDefaultSweep);
            return {};
        }
        for (const QString& t : tokens) {
            try {
                add(WeightKind::Exp, parseLambda(t.toStdString()));
            } catch (const std::exception& e) {
                if (error) {
                    *error = tr("λ list: %1").arg(QString::fromStdString(e.what()));
                }
                return {};
            }
        }
    }
    if (m_sweepUniform->isChecked()) {
        add(WeightKind::Uniform, WeightScheme::kInfinity);
    }
    if (m_sweepLinear->isChecked()) {
        add(WeightKind::Linear, WeightScheme::kInfinity);
    }
    if (m_sweepFilter->isChecked()) {
        add(WeightKind::Filter, WeightScheme::kInfinity);
    }
    if (out.isEmpty() && error) {
        *error = tr("Tick at least one scheme for the sweep.");
    }
    return out;
}

void TrainForm::updateFormState() {
    const bool sasrec = isSequentialModel(m_model->currentData().toString().toStdString());
    m_sasrecBox->setEnabled(sasrec);
    m_closedFormBox->setEnabled(!sasrec);
    m_device->setEnabled(sasrec);
    m_precision->setEnabled(sasrec);
    m_validUsers->setEnabled(sasrec);
    m_initFrom->setEnabled(sasrec && m_initFrom->count() > 1);
    m_rewardSource->setEnabled(sasrec && m_rewardSource->count() > 1);
    const bool weighted = !sasrec || m_objective->currentData().toString() == QStringLiteral("weighted");
    m_objective->setEnabled(sasrec);
    m_objectiveBeta->setEnabled(sasrec && !weighted);
    // The loss is the weighted objective's; its sampler's settings matter only for the sampled one.
    const bool sampled = weighted && m_loss->currentData().toString() == QStringLiteral("sampled");
    m_loss->setEnabled(weighted);
    m_negatives->setEnabled(sampled);
    m_numNegatives->setEnabled(sampled);
    // DPO and PPO have no weighting: its widgets rest while one is chosen.
    for (QWidget* w : std::initializer_list<QWidget*>{m_scheme, m_normalization, m_clip, m_fromExplorer})
        w->setEnabled(weighted);
    m_lambda->setEnabled(weighted && m_scheme->currentData().toString() == QStringLiteral("exp"));
    const bool ready = m_workspace && m_dataset->count() > 0;
    m_queueRun->setEnabled(ready);
    m_queueSweep->setEnabled(ready);
}

void TrainForm::updateSweepButton() {
    const QList<TrainRequest> runs = sweepRequests();
    m_queueSweep->setText(runs.isEmpty()
                              ? tr("Queue sweep")
                              : tr("Queue sweep (%n run(s))", nullptr, static_cast<int>(runs.size())));
}

void TrainForm::showRuntime(const RuntimeSummary& s) {
    auto* items = qobject_cast<QStandardItemModel*>(m_device->model());
    QStandardItem* cuda = items ? items->item(m_device->findData(QStringLiteral("cuda"))) : nullptr;
    if (!s.ok) {
        m_runtimeLabel->setText(tr("Unknown: %1").arg(s.error));
        m_runtimeLabel->setStyleSheet(QStringLiteral("color: #a02020;"));
        return;
    }
    m_runtimeLabel->setStyleSheet(QStringLiteral("color: #555;"));
    if (cuda) {
        cuda->setEnabled(s.cudaAvailable);
        cuda->setToolTip(s.cudaAvailable ? QString() : tr("This build or machine has no CUDA device"));
    }
    if (!s.cudaAvailable && m_device->currentData().toString() == QStringLiteral("cuda")) {
        m_device->setCurrentIndex(m_device->findData(QStringLiteral("auto")));
    }
    m_runtimeLabel->setText(tr("LibTorch %1 · %2 · %n CPU thread(s)", nullptr, s.hardwareThreads)
                                .arg(s.torchVersion, s.cudaAvailable
                                                         ? tr("CUDA: %n device(s)", nullptr, s.cudaDevices)
                                                         : tr("no CUDA (CPU only)")));
}

void TrainForm::resetHyperparameters() {
    const SasrecRunConfig d;
    m_epochs->setValue(d.epochs);
    m_batch->setValue(d.batchSize);
    m_lr->setValue(d.lr);
    m_dim->setValue(d.dim);
    m_blocks->setValue(d.blocks);
    m_heads->setValue(d.heads);
    m_maxLen->setValue(d.maxLen);
    m_dropout->setValue(d.dropout);
    m_patience->setValue(d.patience);
    m_select->setCurrentIndex(m_select->findData(QString::fromStdString(d.select)));
    m_loss->setCurrentIndex(m_loss->findData(QString::fromStdString(d.loss)));
    m_negatives->setCurrentIndex(m_negatives->findData(QString::fromStdString(d.negatives)));
    m_numNegatives->setValue(d.numNegatives);
    applyParentArchitecture();  // a chosen parent keeps its architecture
}

void TrainForm::saveSettings(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("train"));
    settings.setValue(QStringLiteral("model"), m_model->currentData());
    settings.setValue(QStringLiteral("scheme"), m_scheme->currentData());
    settings.setValue(QStringLiteral("lambda"), QString::fromStdString(formatLambda(m_lambda->lambda())));
    settings.setValue(QStringLiteral("normalization"), m_normalization->currentData());
    settings.setValue(QStringLiteral("clip"), m_clip->value());
    settings.setValue(QStringLiteral("sweep"), m_sweepLambdas->text());
    settings.setValue(QStringLiteral("device"), m_device->currentData());
    settings.setValue(QStringLiteral("precision"), m_precision->currentData());
    settings.setValue(QStringLiteral("threads"), m_threads->value());
    settings.endGroup();
}

void TrainForm::restoreSettings(const QSettings& settings) {
    auto value = [&](const char* key) {
        return settings.value(QStringLiteral("train/") + QLatin1String(key));
    };
    auto pick = [&](QComboBox* combo, const char* key) {
        const int row = combo->findData(value(key));
        if (row >= 0) {
            combo->setCurrentIndex(row);
        }
    };
    pick(m_model, "model");
    pick(m_scheme, "scheme");
    pick(m_normalization, "normalization");
    pick(m_device, "device");
    pick(m_precision, "precision");
    try {
        m_lambda->setLambda(parseLambda(value("lambda").toString().toStdString()));
    } catch (const std::exception&) {
    }
    m_clip->setValue(value("clip").toDouble());
    if (value("sweep").isValid()) {
        m_sweepLambdas->setText(value("sweep").toString());
    }
    m_threads->setValue(value("threads").toInt());
    updateFormState();
}

}  // namespace tiltbench
