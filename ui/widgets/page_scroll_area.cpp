#include "widgets/page_scroll_area.h"

#include <QEvent>
#include <QLayout>
#include <QScrollBar>
#include <algorithm>

namespace tiltbench {

PageScrollArea::PageScrollArea(QWidget* page, QWidget* parent) : QScrollArea(parent) {
    setObjectName(page->objectName() + QStringLiteral("Scroll"));
    setFrameShape(QFrame::NoFrame);
    setWidgetResizable(false);  // fitPage() sizes the page
    setWidget(page);
    page->installEventFilter(this);
}

void PageScrollArea::resizeEvent(QResizeEvent* event) {
    QScrollArea::resizeEvent(event);
    fitPage();
}

bool PageScrollArea::eventFilter(QObject* watched, QEvent* event) {
    if (watched == widget() && event->type() == QEvent::LayoutRequest) {
        fitPage();
    }
    return QScrollArea::eventFilter(watched, event);
}

void PageScrollArea::fitPage() {
    QWidget* page = widget();
    if (!page || m_fitting) {
        return;
    }
    m_fitting = true;
    const QSize view = maximumViewportSize();  // without scroll bars
    const QSize min = page->minimumSizeHint().expandedTo(page->minimumSize());
    const QLayout* layout = page->layout();
    const auto minHeightAt = [&](int width) {
        return layout && layout->hasHeightForWidth()
                   ? std::max(layout->totalMinimumHeightForWidth(width), min.height())
                   : min.height();
    };
    int width = std::max(view.width(), min.width());
    int height = std::max(view.height(), minHeightAt(width));
    if (height > view.height()) {  // a vertical scroll bar takes its width from the page
        width = std::max(view.width() - verticalScrollBar()->sizeHint().width(), min.width());
        height = std::max(height, minHeightAt(width));
    }
    if (width > view.width()) {  // a horizontal one takes its height
        height = std::max(view.height() - horizontalScrollBar()->sizeHint().height(), minHeightAt(width));
    }
    if (page->size() != QSize(width, height)) {
        page->resize(width, height);
    }
    m_fitting = false;
}

}  // namespace tiltbench
