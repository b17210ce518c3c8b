#include "shell/welcome_page.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace tiltbench {

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent),
      m_new(new QPushButton(tr("New workspace…"), this)),
      m_open(new QPushButton(tr("Open workspace…"), this)),
      m_demo(new QPushButton(tr("Generate demo"), this)),
      m_recentTitle(new QLabel(tr("Recent workspaces"), this)),
      m_recent(new QListWidget(this)) {
    setObjectName(QStringLiteral("welcomePage"));
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/tiltbench.svg")).pixmap(72, 72));
    icon->setAlignment(Qt::AlignCenter);

    auto* title = new QLabel(tr("Tiltbench"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 2.2);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);

    auto* tagline =
        new QLabel(tr("Reward-weighted fine-tuning for generative recommenders: load interaction "
                      "logs, see how the temperature λ tilts the training data, train and compare."),
                   this);
    tagline->setWordWrap(true);
    tagline->setAlignment(Qt::AlignCenter);

    auto* hint =
        new QLabel(tr("A workspace is one SQLite file that holds your datasets and runs. Start with "
                      "a new one, open an existing one, or generate a simulated demo dataset whose true "
                      "rewards are known."),
                   this);
    hint->setWordWrap(true);
    hint->setAlignment(Qt::AlignCenter);
    hint->setStyleSheet(QStringLiteral("color: #5f6368;"));

    m_new->setToolTip(tr("Create an empty workspace file"));
    m_open->setToolTip(tr("Open an existing workspace file"));
    m_demo->setToolTip(tr("Open the demo workspace and generate a simulated dataset in it"));
    m_demo->setDefault(true);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    for (QPushButton* b : {m_new, m_open, m_demo}) {
        b->setMinimumWidth(160);
        b->setMinimumHeight(34);
        buttons->addWidget(b);
    }
    buttons->addStretch();
    connect(m_new, &QPushButton::clicked, this, &WelcomePage::newRequested);
    connect(m_open, &QPushButton::clicked, this, &WelcomePage::openRequested);
    connect(m_demo, &QPushButton::clicked, this, &WelcomePage::demoRequested);

    QFont sectionFont = m_recentTitle->font();
    sectionFont.setBold(true);
    m_recentTitle->setFont(sectionFont);
    m_recent->setObjectName(QStringLiteral("recentList"));
    m_recent->setMaximumHeight(180);
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { Q_EMIT recentRequested(item->data(Qt::UserRole).toString()); });

    auto* column = new QWidget(this);
    column->setFixedWidth(600);  // word-wrapped labels in a centred column otherwise shrink and clip
    auto* columnLayout = new QVBoxLayout(column);
    columnLayout->setSpacing(10);
    columnLayout->addWidget(icon);
    columnLayout->addWidget(title);
    columnLayout->addWidget(tagline);
    columnLayout->addSpacing(10);
    columnLayout->addLayout(buttons);
    columnLayout->addSpacing(6);
    columnLayout->addWidget(hint);
    columnLayout->addSpacing(16);
    columnLayout->addWidget(m_recentTitle);
    columnLayout->addWidget(m_recent);

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
    setRecentFiles({});
}

void WelcomePage::setRecentFiles(const QStringList& paths) {
    m_recent->clear();
    for (const QString& path : paths) {
        auto* item = new QListWidgetItem(
            QStringLiteral("%1 — %2").arg(QFileInfo(path).fileName(),
                                          QDir::toNativeSeparators(QFileInfo(path).absolutePath())),
            m_recent);
        item->setData(Qt::UserRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
    }
    m_recentTitle->setVisible(!paths.isEmpty());
    m_recent->setVisible(!paths.isEmpty());
}

}  // namespace tiltbench
