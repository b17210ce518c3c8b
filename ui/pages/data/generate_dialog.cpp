#include "pages/data/generate_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <utility>

namespace tiltbench {

namespace {
QSpinBox* makeCount(QWidget* parent, int min, int max, int64_t value, const QString& tip) {
    auto* box = new QSpinBox(parent);
    box->setRange(min, max);
    box->setValue(static_cast<int>(value));
    box->setGroupSeparatorShown(true);
    box->setToolTip(tip);
    return box;
}

QDoubleSpinBox* makeReal(QWidget* parent, double min, double max, double step, double value,
                         const QString& tip) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setDecimals(2);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}
}  // namespace

GenerateDialog::GenerateDialog(QStringList existingNames, QWidget* parent)
    : QDialog(parent), m_existingNames(std::move(existingNames)) {
    setWindowTitle(tr("Generate demo dataset"));
    const SimulatorConfig defaults;
    m_name = new QLineEdit(uniqueName(QStringLiteral("demo"), m_existingNames), this);
    m_users = makeCount(this, 10, 10'000'000, defaults.users, tr("Number of simulated users"));
    m_items = makeCount(this, 10, 10'000'000, defaults.items, tr("Number of items in the catalogue"));
    m_interactions = makeCount(this, 100, 2'000'000'000, defaults.interactions,
                               tr("Logged interactions; 20,000,000 takes a while but works"));
    m_exponent = makeReal(this, 0.0, 3.0, 0.1, defaults.popularityExponent,
                          tr("Zipf exponent of item exposure: higher = a longer, thinner tail"));
    m_correlation =
        makeReal(this, -1.0, 1.0, 0.1, defaults.qualityPopularityCorrelation,
                 tr("Rank correlation between item quality and exposure: 0 = popular items are no "
                    "better than others, the case where reward weighting helps most"));
    m_selfSelection = makeReal(this, 0.0, 1.0, 0.1, defaults.selfSelection,
                               tr("How much users pick items they like (0 = pure exposure)"));
    m_noise =
        makeReal(this, 0.0, 5.0, 0.1, defaults.noise, tr("Reward noise (std dev, before rounding to 1–5)"));
    m_seed =
        makeCount(this, 0, 2'000'000'000, static_cast<int64_t>(defaults.seed), tr("Same seed, same dataset"));
    m_seed->setGroupSeparatorShown(false);

    auto* form = new QFormLayout;
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Users:"), m_users);
    form->addRow(tr("Items:"), m_items);
    form->addRow(tr("Interactions:"), m_interactions);
    form->addRow(tr("Popularity exponent:"), m_exponent);
    form->addRow(tr("Quality–popularity correlation:"), m_correlation);
    form->addRow(tr("Self-selection:"), m_selfSelection);
    form->addRow(tr("Reward noise:"), m_noise);
    form->addRow(tr("Seed:"), m_seed);

    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Generate"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &GenerateDialog::validate);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    validate();
}

QString GenerateDialog::datasetName() const {
    return m_name->text().trimmed();
}

SimulatorConfig GenerateDialog::config() const {
    SimulatorConfig c;
    c.users = m_users->value();
    c.items = m_items->value();
    c.interactions = m_interactions->value();
    c.popularityExponent = m_exponent->value();
    c.qualityPopularityCorrelation = m_correlation->value();
    c.selfSelection = m_selfSelection->value();
    c.noise = m_noise->value();
    c.seed = static_cast<uint64_t>(m_seed->value());
    return c;
}

QString GenerateDialog::uniqueName(const QString& base, const QStringList& existing) {
    QString name = base;
    for (int n = 2; existing.contains(name); ++n) {
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    }
    return name;
}

void GenerateDialog::validate() {
    QString problem;
    if (datasetName().isEmpty()) {
        problem = tr("Give the dataset a name.");
    } else if (m_existingNames.contains(datasetName())) {
        problem = tr("The workspace already has a dataset named '%1'.").arg(datasetName());
    }
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_ok->setEnabled(problem.isEmpty());
}

}  // namespace tiltbench
