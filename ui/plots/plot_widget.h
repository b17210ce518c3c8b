#pragma once
// PlotWidget: a QCustomPlot with what every Tiltbench plot needs — a title, a message shown instead of data
// ("Select a dataset"), drag/zoom, and a context menu to save the plot as PNG, PDF or SVG (SVG when the build
// has QtSvg). Content is added by the page that owns it; replots are queued so that several updates in one
// event cost one repaint.
#include <qcustomplot.h>
#include <QHash>
#include <QPointer>
#include <QString>

namespace tiltbench {

class PlotWidget : public QCustomPlot {
    Q_OBJECT
  public:
    explicit PlotWidget(const QString& title, QWidget* parent = nullptr);

    QString title() const;
    // At least 160×160, wide enough for each horizontal axis's label, the longest title word and legend
    // entry: a page with too little room scrolls instead of cutting a label. A vertical axis's label that
    // is longer than the axis is tall moves into a caption row above the axes ("↑ Weight share",
    // right-aligned for a right axis) and returns when the plot is tall enough.
    QSize minimumSizeHint() const override;
    // The label a page gave a vertical axis, wherever it is drawn (on the axis or in the caption row).
    QString axisLabel(QCPAxis* axis) const;
    QString captionText() const;  // what the caption row shows; empty when there is none
    // Shows `message` in the middle of an empty plot; an empty message hides it. While the plot has no
    // plottable, its axes hide behind the message (axesShown() is false) and return when it is cleared.
    void setMessage(const QString& message);
    QString message() const;
    bool axesShown() const { return m_hiddenAxes.isEmpty(); }

    // Removes plottables and items except the title and message; axes keep their settings.
    void clearContent();
    void requestReplot();  // replot(rpQueuedReplot)
    // Remembers the current axis ranges as the view "Reset view" returns to after dragging and zooming.
    void rememberView();
    void resetView();

    bool saveAs(const QString& path);  // format from the suffix: .png, .pdf or .svg
    // Puts the legend in a row of its own between the title and the axes, at most `wrap` entries per line
    // (fewer when the plot is too narrow for them), so it never covers data (curves and bars can fill any
    // corner of the axis rect). Shows it. A title too long for the plot's width goes on two lines.
    void setLegendAbove(int wrap = 3);
    bool isLegendAbove() const { return m_legendAbove; }
    // Labels drawn next to data (bar percentages) that must never overlap: after each layout, going left to
    // right, a label that would overlap the last one kept is hidden (its value stays in the data's tooltip or
    // axis). The plot does not own them beyond its items.
    void avoidOverlaps(const QList<QCPItemText*>& labels);
    // Shows the plot's legend in saved files even while it is hidden on screen (where a page may show one
    // shared legend for several plots); in the saved file it stands above the axes.
    void setLegendOnExport(bool on) { m_legendOnExport = on; }
    QString suggestedFileName() const;
    static bool canSaveSvg();

  Q_SIGNALS:
    void saved(const QString& path);

  private:
    void showContextMenu(const QPoint& pos);
    void saveWithDialog(const QString& suffix);

    QCPTextElement* m_title = nullptr;
    QCPItemText* m_message = nullptr;
    QList<QCPAxis*> m_hiddenAxes;  // hidden by setMessage on an empty plot
    QCPRange m_homeX, m_homeY;
    bool m_hasHome = false;
    bool m_legendOnExport = false;
    bool m_legendAbove = false;
    bool m_exporting = false;  // saveAs is drawing a file: the layout hooks stand still
    QSize m_minimumHint;       // the last minimumSizeHint(), to tell layouts when it changes
    QString m_titleText;       // the title as given (m_title may show it on two lines)
    QString m_messageText;     // the message as given (m_message shows it wrapped to the width)
    int m_legendColumns = 3;
    void fitToWidth();       // after each layout: the title's lines, the legend's columns, the minimum size
    bool placeAxisLabels();  // vertical labels on their axes or in the caption row; true when it changed
    QHash<QCPAxis*, QString> m_axisLabels;  // vertical axes' labels as the page set them
    QCPLayoutGrid* m_caption = nullptr;     // the caption row (left and right texts), while it exists
    QCPTextElement* m_captionLeft = nullptr;
    QCPTextElement* m_captionRight = nullptr;
    int legendWidth(int columns) const;
    QList<QPointer<QCPItemText>> m_spacedLabels;
    void hideOverlappingLabels();
    void takeLegendBack();  // undoes a setLegendAbove made for an export
};

}  // namespace tiltbench
