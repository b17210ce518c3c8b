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
// `text` broken at spaces into lines of at most `width` pixels (a word longer than that keeps its own line).
QString wrapToWidth(const QString& text, const QFont& font, int width) {
    const QFontMetrics fm(font);
    QStringList lines;
    for (const QString& paragraph : text.split(QLatin1Char('\n'))) {
        QString line;
        for (const QString& word : paragraph.split(QLatin1Char(' '))) {
            const QString candidate = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
            if (!line.isEmpty() && fm.horizontalAdvance(candidate) > width) {
                lines << line;
                line = word;
            } else {
                line = candidate;
            }
        }
        lines << line;
    }
    return lines.join(QLatin1Char('\n'));
}
// Saved files get a fixed size rather than the on-screen one, so a figure for a paper does not depend on how
// the window happened to be laid out.
constexpr int kExportWidth = 800;
constexpr int kExportHeight = 560;
}  // namespace

PlotWidget::PlotWidget(const QString& title, QWidget* parent) : QCustomPlot(parent) {
    setObjectName(title);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plotLayout()->insertRow(0);
    m_titleText = title;
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
    // Labels, legends and tick labels change with the data: tell the layout when the minimum moves.
    connect(this, &QCustomPlot::afterLayout, this, &PlotWidget::fitToWidth);
}

int PlotWidget::legendWidth(int columns) const {
    // As QCPLegend lays out its items: columns first, each column as wide as its widest item.
    std::vector<int> widths(static_cast<size_t>(std::max(columns, 1)), 0);
    int shown = 0;
    for (int i = 0; i < legend->itemCount(); ++i) {
        auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(i));
        if (!item) {
            continue;
        }
        const QMargins m = item->margins();
        const int w = legend->iconSize().width() + legend->iconTextPadding() +
                      QFontMetrics(item->font()).horizontalAdvance(item->plottable()->name()) + m.left() +
                      m.right();
        int& column = widths[static_cast<size_t>(shown % columns)];
        column = std::max(column, w);
        ++shown;
    }
    int total = legend->margins().left() + legend->margins().right();
    for (int w : widths) {
        total += w;
    }
    return total + legend->columnSpacing() * (columns - 1);
}

QString PlotWidget::axisLabel(QCPAxis* axis) const {
    return axis->label().isEmpty() ? m_axisLabels.value(axis) : axis->label();
}

QString PlotWidget::captionText() const {
    if (!m_caption) {
        return {};
    }
    QStringList parts;
    for (QCPTextElement* e : {m_captionLeft, m_captionRight}) {
        if (!e->text().isEmpty()) {
            parts << e->text();
        }
    }
    return parts.join(QStringLiteral("  "));
}

bool PlotWidget::placeAxisLabels() {
    QCPAxisRect* rect = axisRect();
    if (!rect || rect->rect().height() <= 0) {
        return false;
    }
    constexpr int kPadding = 12;
    QString left, right;
    bool changed = false;
    for (QCPAxis* axis : {rect->axis(QCPAxis::atLeft), rect->axis(QCPAxis::atRight)}) {
        if (!axis) {
            continue;
        }
        if (!axis->label().isEmpty()) {
            m_axisLabels[axis] = axis->label();  // set (again) by the page
        }
        const QString label = m_axisLabels.value(axis);
        if (label.isEmpty() || !axis->visible()) {
            continue;
        }
        // Measured against the axis as it is now (shorter while a caption row exists, so a label that moved
        // back still fits once the row goes).
        const bool fits =
            QFontMetrics(axis->labelFont()).horizontalAdvance(label) + kPadding <= rect->rect().height();
        const QString onAxis = fits ? label : QString();
        if (axis->label() != onAxis) {
            axis->setLabel(onAxis);
            changed = true;
        }
        if (!fits) {
            (axis->axisType() == QCPAxis::atLeft ? left : right) = axis->axisType() == QCPAxis::atLeft
                                                                       ? QStringLiteral("↑ ") + label
                                                                       : label + QStringLiteral(" ↑");
        }
    }
    const bool want = !left.isEmpty() || !right.isEmpty();
    if (want && !m_caption) {
        int row = 0;
        while (row < plotLayout()->rowCount() && plotLayout()->element(row, 0) != rect) {
            ++row;
        }
        plotLayout()->insertRow(row);
        m_caption = new QCPLayoutGrid;
        plotLayout()->addElement(row, 0, m_caption);
        plotLayout()->setRowStretchFactor(row, 0.001);
        QFont f = rect->axis(QCPAxis::atLeft)->labelFont();
        m_captionLeft = new QCPTextElement(this, QString(), f);
        m_captionLeft->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
        m_captionRight = new QCPTextElement(this, QString(), f);
        m_captionRight->setTextFlags(Qt::AlignRight | Qt::AlignVCenter);
        m_caption->addElement(0, 0, m_captionLeft);
        m_caption->addElement(0, 1, m_captionRight);
        m_caption->setMargins(QMargins(4, 0, 4, 0));
        changed = true;
    } else if (!want && m_caption) {
        plotLayout()->remove(m_caption);  // deletes it and its texts
        plotLayout()->simplify();
        m_caption = nullptr;
        m_captionLeft = m_captionRight = nullptr;
        changed = true;
    }
    if (m_caption && (m_captionLeft->text() != left || m_captionRight->text() != right)) {
        m_captionLeft->setText(left);
        m_captionRight->setText(right);
        changed = true;
    }
    return changed;
}

void PlotWidget::fitToWidth() {
    if (m_exporting) {
        return;  // a saved file is drawn with the layout the screen shows; its own size changes nothing here
    }
    bool changed = placeAxisLabels();
    // The title: wrapped at spaces to the plot's width.
    const QString title = wrapToWidth(m_titleText, m_title->font(), std::max(width() - 10, 60));
    if (m_title->text() != title) {
        m_title->setText(title);
        changed = true;
    }
    // The message over an empty plot: wrapped to the plot's width.
    const QString message = wrapToWidth(m_messageText, m_message->font(), std::max(width() - 16, 60));
    if (m_message->text() != message) {
        m_message->setText(message);
        changed = true;
    }
    // The legend above: as many columns (up to the page's choice) as the width holds.
    if (m_legendAbove && legend->visible() && legend->itemCount() > 0) {
        int columns = std::min(m_legendColumns, std::max(legend->itemCount(), 1));
        while (columns > 1 && legendWidth(columns) > width() - 4) {
            --columns;
        }
        if (legend->wrap() != columns) {
            legend->setWrap(columns);
            legend->setFillOrder(legend->fillOrder(), true);  // re-flows the items
            changed = true;
        }
    }
    if (changed) {
        requestReplot();
    }
    if (minimumSizeHint() != m_minimumHint) {
        m_minimumHint = minimumSizeHint();
        updateGeometry();
    }
}

QSize PlotWidget::minimumSizeHint() const {
    constexpr int kSmallest = 160;
    constexpr int kLabelPadding = 12;
    QCPAxisRect* rect = axisRect();
    if (!rect) {
        return {kSmallest, kSmallest};
    }
    // What is not the axis rect (title, legend row, tick labels, axis labels, margins), as last laid out; a
    // plot not laid out yet assumes a title, a legend row and labelled axes.
    const bool laidOut = rect->rect().height() > 0 && rect->rect().width() > 0;
    const int chromeHeight = laidOut ? height() - rect->rect().height() : 110;
    const int chromeWidth = laidOut ? width() - rect->rect().width() : 90;
    int needHeight = 60, needWidth = 60;
    for (QCPAxis* axis : rect->axes()) {
        // Vertical labels need no height: one that does not fit moves into the caption row.
        if (!axis->visible() || axis->label().isEmpty() || axis->orientation() == Qt::Vertical) {
            continue;
        }
        const QFontMetrics fm(axis->labelFont());
        int widest = 0;
        for (const QString& line : axis->label().split(QLatin1Char('\n'))) {
            widest = std::max(widest, fm.horizontalAdvance(line));
        }
        needWidth = std::max(needWidth, widest + kLabelPadding);
    }
    // Annotations drawn inside the axes (not the message, which wraps) need their width there.
    for (int i = 0; i < itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(item(i));
        if (!text || text == m_message || !text->visible() || !text->clipToAxisRect()) {
            continue;
        }
        const QFontMetrics fm(text->font());
        int widest = 0;
        for (const QString& line : text->text().split(QLatin1Char('\n'))) {
            widest = std::max(widest, fm.horizontalAdvance(line));
        }
        needWidth =
            std::max(needWidth, widest + text->padding().left() + text->padding().right() + kLabelPadding);
    }
    if (m_caption) {
        needWidth =
            std::max(needWidth, QFontMetrics(m_captionLeft->font())
                                        .horizontalAdvance(m_captionLeft->text() + m_captionRight->text()) +
                                    kLabelPadding - chromeWidth + 24);
    }
    // The widest title word and the widest legend entry: everything else wraps.
    int widest = 0;
    for (const QString& word : m_titleText.split(QLatin1Char(' '))) {
        widest = std::max(widest, QFontMetrics(m_title->font()).horizontalAdvance(word));
    }
    if (m_legendAbove && legend->visible()) {
        widest = std::max(widest, legendWidth(1));
    }
    return {std::max({kSmallest, chromeWidth + needWidth, widest + 12}),
            std::max(kSmallest, chromeHeight + needHeight)};
}

QString PlotWidget::title() const {
    return m_titleText;
}

void PlotWidget::setMessage(const QString& message) {
    m_messageText = message;
    m_message->setText(wrapToWidth(message, m_message->font(), std::max(width() - 16, 60)));
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
    return m_message->visible() ? m_messageText : QString();
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
    m_legendColumns = std::max(wrap, 1);
    legend->setWrap(m_legendColumns);
    legend->setFillOrder(legend->fillOrder(), true);  // re-flows the items into that many columns
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
        connect(this, &QCustomPlot::afterLayout, this, &PlotWidget::hideOverlappingLabels,
                Qt::UniqueConnection);
    }
    m_spacedLabels.clear();
    for (QCPItemText* label : labels) {
        m_spacedLabels << label;
    }
}

void PlotWidget::hideOverlappingLabels() {
    if (m_exporting) {
        return;  // a saved file keeps the labels the screen shows
    }
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
    const QRect area = axisRect()->rect();
    for (QCPItemText* label : labels) {
        const QFontMetricsF metrics(label->font());
        const double width =
            metrics.horizontalAdvance(label->text()) + label->padding().left() + label->padding().right();
        const double left = label->position->pixelPosition().x() - width / 2.0;  // labels are centred
        // Not over the last one kept, and not cut by the axes' edges.
        const bool fits =
            left >= lastRight + 2.0 && left >= area.left() - 1 && left + width <= area.right() + 1;
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
    m_exporting = true;
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
    m_exporting = false;
    legend->setVisible(legendWasVisible);
    requestReplot();  // the export laid the plot out at its own size: back to the screen's
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
