#pragma once
// PlotWidget: a QCustomPlot with what every Tiltbench plot needs — a title, a message shown instead of data
// ("Select a dataset"), drag/zoom, and a context menu to save the plot as PNG or PDF. Content is added by
// the page that owns it; replots are queued so that several updates in one event cost one repaint.
#include <qcustomplot.h>
#include <QString>

namespace tiltbench {

class PlotWidget : public QCustomPlot {
    Q_OBJECT
  public:
    explicit PlotWidget(const QString& title, QWidget* parent = nullptr);

    QString title() const;
    // Shows `message` in the middle of an empty plot; an empty message hides it.
    void setMessage(const QString& message);
    QString message() const;

    // Removes plottables and items except the title and message; axes keep their settings.
    void clearContent();
    void requestReplot();  // replot(rpQueuedReplot)
    // Remembers the current axis ranges as the view "Reset view" returns to after dragging and zooming.
    void rememberView();
    void resetView();

    bool saveAs(const QString& path);  // format from the suffix: .png or .pdf
    QString suggestedFileName() const;

  Q_SIGNALS:
    void saved(const QString& path);

  private:
    void showContextMenu(const QPoint& pos);
    void saveWithDialog(const QString& suffix);

    QCPTextElement* m_title = nullptr;
    QCPItemText* m_message = nullptr;
    QCPRange m_homeX, m_homeY;
    bool m_hasHome = false;
};

}  // namespace tiltbench
