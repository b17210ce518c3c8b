#include "plots/plot_widget.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>
#include <algorithm>
#include <utility>
#ifdef TILTBENCH_HAVE_QTSVG
#include <QSvgGenerator>
#endif

#include "widgets/feedback.h"

namespace tiltbench {

namespace {
// Saved files get a fixed size rather than the on-screen one, so a figure for a paper does not depend on how
// the window happened to be laid out.
constexpr int kExportWidth = 800;
constexpr int kExportHeight = 560;
}  // namespace

PlotWidget::PlotWidget(const QString& title, QWidget* parent) : QCustomPlot(parent) {
    setObjectName(title);
    setMinimumSize(160, 160);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, title, QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);

    m_message = new QCPItemText(this);
    m_message->setClipToAxisRect(false);
    m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_message->position->setCoords(0.5, 0.5);
    m_message->setPositionAlignment(Qt::AlignCenter);
    m_message->setColor(QColor(110, 110, 110));
    m_message->setVisible(false);

    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, &PlotWidget::showContextMenu);
}

QString PlotWidget::title() const {
    return m_title->text();
}

void PlotWidget::setMessage(const QString& message) {
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    // A plot with nothing to draw shows what to do, not axes with ranges left from other data: its axes hide
    // while the message stands alone, and come back (only those that were shown) with the data.
    const bool bare = !message.isEmpty() && plottableCount() == 0;
    if (bare && m_hiddenAxes.isEmpty()) {
        for (QCPAxis* axis : axisRect()->axes()) {
            if (axis->visible()) {
                axis->setVisible(false);
                m_hiddenAxes << axis;
            }
        }
    } else if (!bare) {
        for (QCPAxis* axis : std::as_const(m_hiddenAxes)) {
            axis->setVisible(true);
        }
        m_hiddenAxes.clear();
    }
    requestReplot();
}

QString PlotWidget::message() const {
    return m_message->visible() ? m_message->text() : QString();
}

void PlotWidget::clearContent() {
    clearPlottables();
    for (int i = itemCount() - 1; i >= 0; --i) {
        if (item(i) != m_message) {
            removeItem(i);
        }
    }
}

void PlotWidget::requestReplot() {
    replot(QCustomPlot::rpQueuedReplot);
}

void PlotWidget::setLegendAbove(int wrap) {
    if (!m_legendAbove) {
        axisRect()->insetLayout()->take(legend);
        plotLayout()->insertRow(1);  // row 0 is the title
        plotLayout()->addElement(1, 0, legend);
        plotLayout()->setRowStretchFactor(1, 0.001);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        legend->setBorderPen(Qt::NoPen);
        legend->setMargins(QMargins(2, 0, 2, 0));
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 0.85);
        legend->setFont(f);
        m_legendAbove = true;
    }
    legend->setWrap(wrap);
    legend->setVisible(true);
}

void PlotWidget::takeLegendBack() {
    plotLayout()->take(legend);
    plotLayout()->simplify();  // drops the legend's empty row
    axisRect()->insetLayout()->addElement(legend, Qt::AlignRight | Qt::AlignTop);
    m_legendAbove = false;
}

void PlotWidget::avoidOverlaps(const QList<QCPItemText*>& labels) {
    if (m_spacedLabels.isEmpty()) {
        connect(this, &QCustomPlot::afterLayout, this, &PlotWidget::hideOverlappingLabels);
    }
    m_spacedLabels.clear();
    for (QCPItemText* label : labels) {
        m_spacedLabels << label;
    }
}

void PlotWidget::hideOverlappingLabels() {
    QList<QCPItemText*> labels;
    for (const QPointer<QCPItemText>& p : std::as_const(m_spacedLabels)) {
        if (p && hasItem(p)) {
            labels << p;
        }
    }
    std::sort(labels.begin(), labels.end(), [](QCPItemText* a, QCPItemText* b) {
        return a->position->pixelPosition().x() < b->position->pixelPosition().x();
    });
    double lastRight = -1e300;
    for (QCPItemText* label : labels) {
        const QFontMetricsF metrics(label->font());
        const double width =
            metrics.horizontalAdvance(label->text()) + label->padding().left() + label->padding().right();
        const double left = label->position->pixelPosition().x() - width / 2.0;  // labels are centred
        const bool fits = left >= lastRight + 2.0;
        label->setVisible(fits);
        if (fits) {
            lastRight = left + width;
        }
    }
}

bool PlotWidget::saveAs(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    const bool legendWasVisible = legend->visible();
    const bool movedLegend = m_legendOnExport && legend->itemCount() > 0 && !m_legendAbove;
    if (movedLegend) {
        setLegendAbove(3);  // in a saved figure too, the legend never covers data
    }
    if (m_legendOnExport && legend->itemCount() > 0) {
        legend->setVisible(true);
    }
    if (suffix == QStringLiteral("pdf")) {
        ok = savePdf(path, kExportWidth, kExportHeight, QCP::epNoCosmetic, QStringLiteral("Tiltbench"),
                     title());
    } else if (suffix == QStringLiteral("svg")) {
#ifdef TILTBENCH_HAVE_QTSVG
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(QSize(kExportWidth, kExportHeight));
        generator.setViewBox(QRect(0, 0, kExportWidth, kExportHeight));
        generator.setTitle(title());
        generator.setDescription(QStringLiteral("Tiltbench"));
        QCPPainter painter;
        if (painter.begin(&generator)) {
            toPainter(&painter, kExportWidth, kExportHeight);
            ok = painter.end();
        }
        // QSvgGenerator reports no write errors; an empty or missing file is the sign of one.
        ok = ok && QFileInfo(path).size() > 0;
#endif
    } else {
        ok = savePng(path, kExportWidth, kExportHeight, 2.0);
    }
    if (movedLegend) {
        takeLegendBack();
    }
    if (legend->visible() != legendWasVisible || movedLegend) {
        legend->setVisible(legendWasVisible);
        requestReplot();
    }
    if (ok) {
        Q_EMIT saved(path);
    }
    return ok;
}

bool PlotWidget::canSaveSvg() {
#ifdef TILTBENCH_HAVE_QTSVG
    return true;
#else
    return false;
#endif
}

QString PlotWidget::suggestedFileName() const {
    QString base = title().toLower();
    base.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    base.remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    return base.isEmpty() ? QStringLiteral("plot") : base;
}

void PlotWidget::showContextMenu(const QPoint& pos) {
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Save as PNG…"), this, [this] { saveWithDialog(QStringLiteral("png")); });
    menu->addAction(tr("Save as PDF…"), this, [this] { saveWithDialog(QStringLiteral("pdf")); });
    if (canSaveSvg()) {
        menu->addAction(tr("Save as SVG…"), this, [this] { saveWithDialog(QStringLiteral("svg")); });
    }
    menu->addSeparator();
    menu->addAction(tr("Reset view"), this, &PlotWidget::resetView);
    menu->popup(mapToGlobal(pos));
}

void PlotWidget::saveWithDialog(const QString& suffix) {
    const QString filter = suffix == QStringLiteral("pdf")   ? tr("PDF files (*.pdf)")
                           : suffix == QStringLiteral("svg") ? tr("SVG images (*.svg)")
                                                             : tr("PNG images (*.png)");
    QString path = QFileDialog::getSaveFileName(
        this, tr("Save plot"), QDir::home().filePath(suggestedFileName() + QLatin1Char('.') + suffix),
        filter);
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QLatin1Char('.') + suffix;
    }
    if (!saveAs(path)) {
        openWarning(this, QStringLiteral("savePlotErrorBox"), tr("Save plot"),
                    tr("Could not write %1: check that the folder exists and is writable.")
                        .arg(QDir::toNativeSeparators(path)));
    }
}

void PlotWidget::rememberView() {
    m_homeX = xAxis->range();
    m_homeY = yAxis->range();
    m_hasHome = true;
}

void PlotWidget::resetView() {
    if (m_hasHome) {
        xAxis->setRange(m_homeX);
        yAxis->setRange(m_homeY);
    } else {
        rescaleAxes();
    }
    requestReplot();
}

}  // namespace tiltbench
