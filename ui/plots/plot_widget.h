#pragma once
// PlotWidget: a QCustomPlot with what every Tiltbench plot needs — a title, a message shown instead of data
// ("Select a dataset"), drag/zoom, and a context menu to save the plot as PNG, PDF or SVG (SVG when the build
// has QtSvg). Content is added by the page that owns it; replots are queued so that several updates in one
// event cost one repaint.
#include <qcustomplot.h>
#include <QString>

namespace tiltbench {

class PlotWidget : public QCustomPlot {
    Q_OBJECT
  public:
    explicit PlotWidget(const QString& title, QWidget* parent = nullptr);

    QString title() const;
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
    // Shows the plot's legend in saved files even while it is hidden on screen (where a page may show one
    // shared legend for several plots).
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
};

}  // namespace tiltbench
