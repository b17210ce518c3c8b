#include "placeholder_page.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace tiltbench {

PlaceholderPage::PlaceholderPage(const QString& title, const QString& summary, const QStringList& planned,
                                 QWidget* parent)
    : QWidget(parent) {
    auto* heading = new QLabel(title, this);
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.6);
    headingFont.setBold(true);
    heading->setFont(headingFont);

    auto* badge = new QLabel(tr("Coming in a later version"), this);
    badge->setObjectName(QStringLiteral("comingLater"));
    badge->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4d6; color: #7a5a00; border: 1px solid #e8cf8a;"
                       " border-radius: 4px; padding: 3px 8px; }"));
    badge->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);

    auto* text = new QLabel(summary, this);
    text->setWordWrap(true);
    QString list;
    for (const QString& item : planned) {
        list += QStringLiteral("<li>%1</li>").arg(item.toHtmlEscaped());
    }
    auto* plannedLabel = new QLabel(tr("<p>Planned:</p><ul>%1</ul>").arg(list), this);
    plannedLabel->setWordWrap(true);
    plannedLabel->setTextFormat(Qt::RichText);

    auto* column = new QWidget(this);
    // A fixed width: word-wrapped labels in a centred column otherwise shrink to a sliver and clip.
    column->setFixedWidth(600);
    auto* columnLayout = new QVBoxLayout(column);
    columnLayout->addWidget(heading);
    columnLayout->addWidget(badge);
    columnLayout->addSpacing(8);
    columnLayout->addWidget(text);
    columnLayout->addWidget(plannedLabel);

    auto* layout = new QVBoxLayout(this);
    // Centred by stretches, not by an alignment flag: an aligned widget gets its plain size hint, which for
    // word-wrapped labels is too short, while a box row passes the column's height-for-width through.
    auto* row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(column);
    row->addStretch();
    layout->addStretch(1);
    layout->addLayout(row);
    layout->addStretch(2);
}

}  // namespace tiltbench
