#include "pages/data/csv_options_panel.h"

#include <QComboBox>
#include <QFormLayout>

namespace tiltbench {

namespace {
enum HeaderChoice { DetectHeader, HasHeader, NoHeader };

void fillColumnCombo(QComboBox* combo, const ImportPreview& preview, bool withNone) {
    const QString previous = combo->currentData().toString();
    const QSignalBlocker blocker(combo);
    combo->clear();
    combo->addItem(QObject::tr("(auto)"), QString());
    if (withNone) {
        combo->addItem(QObject::tr("none (file order)"), QStringLiteral("none"));
    }
    const bool header = preview.mapping.header.value_or(false);
    for (size_t i = 0; i < preview.columns.size(); ++i) {
        const QString name = QString::fromStdString(preview.columns[i]);
        combo->addItem(header ? name : QObject::tr("column %1").arg(i), header ? name : QString::number(i));
    }
    const int index = combo->findData(previous);
    if (index >= 0) {
        combo->setCurrentIndex(index);
    } else if (!previous.isEmpty()) {
        // Keep a choice the new preview does not offer (e.g. header just switched off) visible, not lost.
        combo->addItem(previous, previous);
        combo->setCurrentIndex(combo->count() - 1);
    }
}
}  // namespace

CsvOptionsPanel::CsvOptionsPanel(QWidget* parent)
    : QGroupBox(tr("Delimited file options"), parent),
      m_delimiter(new QComboBox(this)),
      m_header(new QComboBox(this)) {
    auto* form = new QFormLayout(this);
    m_delimiter->setObjectName(QStringLiteral("delimiter"));
    m_delimiter->addItem(tr("detect"), QString());
    m_delimiter->addItem(tr("comma ,"), QStringLiteral(","));
    m_delimiter->addItem(tr("tab"), QStringLiteral("\t"));
    m_delimiter->addItem(tr("semicolon ;"), QStringLiteral(";"));
    m_delimiter->addItem(tr("pipe |"), QStringLiteral("|"));
    m_delimiter->addItem(tr("space"), QStringLiteral(" "));
    m_delimiter->addItem(tr("double colon ::"), QStringLiteral("::"));
    form->addRow(tr("Delimiter:"), m_delimiter);

    m_header->setObjectName(QStringLiteral("headerMode"));
    m_header->addItem(tr("detect"), DetectHeader);
    m_header->addItem(tr("first line is a header"), HasHeader);
    m_header->addItem(tr("no header"), NoHeader);
    form->addRow(tr("Header:"), m_header);

    m_userCol = addColumnChoice(tr("User column:"), QStringLiteral("userColumn"), false);
    m_itemCol = addColumnChoice(tr("Item column:"), QStringLiteral("itemColumn"), false);
    m_rewardCol = addColumnChoice(tr("Reward column:"), QStringLiteral("rewardColumn"), false);
    m_timeCol = addColumnChoice(tr("Time column:"), QStringLiteral("timeColumn"), true);
    for (QComboBox* combo : {m_delimiter, m_header}) {
        connect(combo, &QComboBox::currentIndexChanged, this, &CsvOptionsPanel::changed);
    }
}

QComboBox* CsvOptionsPanel::addColumnChoice(const QString& label, const QString& name, bool withNone) {
    auto* combo = new QComboBox(this);
    combo->setObjectName(name);
    fillColumnCombo(combo, ImportPreview{}, withNone);
    connect(combo, &QComboBox::currentIndexChanged, this, &CsvOptionsPanel::changed);
    static_cast<QFormLayout*>(layout())->addRow(label, combo);
    return combo;
}

void CsvOptionsPanel::apply(CsvOptions& options) const {
    const QString delimiter = m_delimiter->currentData().toString();
    if (delimiter.size() == 1) {
        options.delimiter = delimiter.at(0).toLatin1();
    } else if (!delimiter.isEmpty()) {
        options.delimiterText = delimiter.toStdString();
    }
    switch (m_header->currentData().toInt()) {
        case HasHeader:
            options.header = true;
            break;
        case NoHeader:
            options.header = false;
            break;
        default:
            break;
    }
    options.userCol = m_userCol->currentData().toString().toStdString();
    options.itemCol = m_itemCol->currentData().toString().toStdString();
    options.rewardCol = m_rewardCol->currentData().toString().toStdString();
    options.timeCol = m_timeCol->currentData().toString().toStdString();
}

void CsvOptionsPanel::setColumns(const ImportPreview& preview) {
    fillColumnCombo(m_userCol, preview, false);
    fillColumnCombo(m_itemCol, preview, false);
    fillColumnCombo(m_rewardCol, preview, false);
    fillColumnCombo(m_timeCol, preview, true);
}

}  // namespace tiltbench
