#include "pages/data/dataset_summary_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "shared/formatting.h"

namespace tiltbench {

namespace {
constexpr int kMaxValueWidth = 240;
}

DatasetSummaryPanel::DatasetSummaryPanel(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_message(new QLabel(this)), m_values(new QWidget(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_title->setFont(titleFont);
    m_title->setObjectName(QStringLiteral("summaryTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    // No fixed minimum width: the panel is as wide as its longest value needs (the page scrolls if the window
    // has less), so no value is cut.
    m_message->setObjectName(QStringLiteral("summaryMessage"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setStyleSheet(QStringLiteral("color: #5f6368;"));

    m_form = new QFormLayout(m_values);
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setLabelAlignment(Qt::AlignLeft);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setVerticalSpacing(4);
    addField(QStringLiteral("format"), tr("Format"));
    addField(QStringLiteral("rows"), tr("Rows"));
    addField(QStringLiteral("users"), tr("Users"));
    addField(QStringLiteral("items"), tr("Items"));
    addField(QStringLiteral("density"), tr("Density"));
    addField(QStringLiteral("rewardRange"), tr("Reward range"));
    addField(QStringLiteral("rewardMean"), tr("Reward mean"));
    addField(QStringLiteral("rewardLevels"), tr("Reward levels"));
    addField(QStringLiteral("sequences"), tr("Sequence length"));
    addField(QStringLiteral("sequenceRange"), tr("Shortest / longest"));
    addField(QStringLiteral("timeRange"), tr("Time range"));
    addField(QStringLiteral("topShare"), tr("Top 20 % items"));
    addField(QStringLiteral("topItem"), tr("Most logged"));
    addField(QStringLiteral("topItemStats"), QString());
    addField(QStringLiteral("randomTest"), tr("Random test set"));
    addField(QStringLiteral("truth"), tr("Ground truth"));
    addField(QStringLiteral("created"), tr("Created"));

    layout->addWidget(m_title);
    layout->addWidget(m_values);
    layout->addWidget(m_message, 1);
    layout->addStretch();
    showMessage(tr("Select a dataset to see its summary."));
}

void DatasetSummaryPanel::addField(const QString& field, const QString& label) {
    auto* value = new QLabel(m_values);
    value->setObjectName(field + QStringLiteral("Value"));
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(label.isEmpty() ? QString() : label + QLatin1Char(':'), value);
    m_fields.insert(field, value);
}

void DatasetSummaryPanel::setField(const QString& field, const QString& text) {
    QLabel* label = m_fields.value(field);
    // No word wrap (a wrapped label in a form gets clipped); long text such as a title is elided instead,
    // with the whole of it in the tooltip.
    const QString shown = label->fontMetrics().elidedText(text, Qt::ElideRight, kMaxValueWidth);
    label->setText(shown);
    label->setToolTip(shown == text ? QString() : text);
    m_form->setRowVisible(label, !text.isEmpty());
}

QString DatasetSummaryPanel::value(const QString& field) const {
    const QLabel* label = m_fields.value(field);
    return label && m_values->isVisibleTo(this) ? label->text() : QString();
}

void DatasetSummaryPanel::showMessage(const QString& message) {
    m_title->clear();
    m_title->hide();
    m_values->hide();
    m_message->setText(message);
    m_message->show();
}

void DatasetSummaryPanel::showDataset(const LoadedDataset& dataset) {
    const DatasetInfo& info = dataset.info;
    const DatasetSummary& s = dataset.summary;
    m_title->setText(QString::fromStdString(info.name));
    m_title->show();
    m_message->hide();
    m_values->show();

    setField(QStringLiteral("format"), QString::fromStdString(info.format));
    setField(QStringLiteral("rows"), formatCount(s.rows));
    setField(QStringLiteral("users"), formatCount(s.users));
    setField(QStringLiteral("items"), formatCount(s.items));
    setField(QStringLiteral("density"), formatPercent(s.density, 2));
    setField(QStringLiteral("rewardRange"), formatRange(s.rewardMin, s.rewardMax));
    setField(QStringLiteral("rewardMean"),
             tr("%1 (std %2)").arg(formatReal(s.rewardMean, 3), formatReal(s.rewardStd, 3)));
    setField(QStringLiteral("rewardLevels"),
             s.discreteRewards ? tr("%n discrete level(s)", nullptr, static_cast<int>(s.rewardLevels.size()))
                               : tr("continuous"));
    setField(QStringLiteral("sequences"),
             tr("median %1 · mean %2").arg(formatReal(s.medianSequence, 4), formatReal(s.meanSequence, 4)));
    setField(QStringLiteral("sequenceRange"),
             QStringLiteral("%1 / %2").arg(formatCount(s.minSequence), formatCount(s.maxSequence)));
    setField(QStringLiteral("timeRange"),
             dataset.hasTime
                 ? QStringLiteral("%1 – %2").arg(formatTimestamp(s.tsMin), formatTimestamp(s.tsMax))
                 : tr("no timestamps (file order)"));
    setField(QStringLiteral("topShare"), tr("%1 of interactions").arg(formatPercent(s.topFifthShare)));

    QString topItem, topItemStats;
    if (!s.itemsByPopularity.empty()) {
        const ItemStat& top = s.itemsByPopularity.front();
        const auto id = static_cast<size_t>(top.item);
        topItem = id < dataset.itemLabels.size() ? QString::fromStdString(dataset.itemLabels[id])
                                                 : tr("item %1").arg(top.item);
        topItemStats =
            tr("%1 interactions, mean reward %2").arg(formatCount(top.count), formatReal(top.meanReward, 3));
    }
    setField(QStringLiteral("topItem"), topItem);
    setField(QStringLiteral("topItemStats"), topItemStats);
    setField(QStringLiteral("randomTest"),
             info.randomTestRows > 0 ? tr("%1 ratings").arg(formatCount(info.randomTestRows)) : QString());
    setField(QStringLiteral("truth"), info.hasTruth ? tr("stored (simulated dataset)") : QString());
    setField(QStringLiteral("created"), formatIsoDateTime(QString::fromStdString(info.createdAt)));
}

}  // namespace tiltbench
