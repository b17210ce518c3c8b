#include "widgets/flow_layout.h"

#include <QWidget>
#include <algorithm>

namespace tiltbench {

FlowLayout::FlowLayout(QWidget* parent, int hSpacing, int vSpacing)
    : QLayout(parent), m_hSpacing(hSpacing), m_vSpacing(vSpacing) {
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout() {
    while (QLayoutItem* item = takeAt(0)) {
        delete item;
    }
}

void FlowLayout::addItem(QLayoutItem* item) {
    m_items.append(item);
}

int FlowLayout::count() const {
    return static_cast<int>(m_items.size());
}

QLayoutItem* FlowLayout::itemAt(int index) const {
    return index >= 0 && index < m_items.size() ? m_items.at(index) : nullptr;
}

QLayoutItem* FlowLayout::takeAt(int index) {
    return index >= 0 && index < m_items.size() ? m_items.takeAt(index) : nullptr;
}

Qt::Orientations FlowLayout::expandingDirections() const {
    return {};
}

bool FlowLayout::hasHeightForWidth() const {
    return true;
}

int FlowLayout::heightForWidth(int width) const {
    return doLayout(QRect(0, 0, width, 0), true);
}

QSize FlowLayout::minimumSize() const {
    QSize size;
    for (const QLayoutItem* item : m_items) {
        if (!item->isEmpty()) {
            size = size.expandedTo(item->minimumSize());
        }
    }
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const {
    // Everything on one line.
    int width = 0, height = 0, shown = 0;
    for (const QLayoutItem* item : m_items) {
        if (item->isEmpty()) {
            continue;
        }
        const QSize hint = item->sizeHint().expandedTo(item->minimumSize());
        width += hint.width() + (shown++ > 0 ? m_hSpacing : 0);
        height = std::max(height, hint.height());
    }
    const QMargins m = contentsMargins();
    return {width + m.left() + m.right(), height + m.top() + m.bottom()};
}

void FlowLayout::setGeometry(const QRect& rect) {
    QLayout::setGeometry(rect);
    doLayout(rect, false);
}

int FlowLayout::doLayout(const QRect& rect, bool testOnly) const {
    const QRect area = rect.marginsRemoved(contentsMargins());
    // Lines first (which items, how tall), then the items, centred on their line.
    struct Line {
        int first = 0, end = 0, height = 0;
    };
    QList<Line> lines;
    Line line;
    int x = area.x();
    for (int i = 0; i < m_items.size(); ++i) {
        const QLayoutItem* item = m_items.at(i);
        if (item->isEmpty()) {
            continue;
        }
        const QSize hint = item->sizeHint().expandedTo(item->minimumSize());
        const int width = std::min(hint.width(), std::max(area.width(), item->minimumSize().width()));
        if (x > area.x() && x + width > area.right() + 1) {
            line.end = i;
            lines.append(line);
            line = Line{i, i, 0};
            x = area.x();
        }
        const int height = item->hasHeightForWidth() ? item->heightForWidth(width) : hint.height();
        line.height = std::max(line.height, height);
        x += width + m_hSpacing;
    }
    line.end = static_cast<int>(m_items.size());
    lines.append(line);

    int y = area.y();
    for (const Line& l : lines) {
        x = area.x();
        for (int i = l.first; i < l.end; ++i) {
            QLayoutItem* item = m_items.at(i);
            if (item->isEmpty()) {
                continue;
            }
            const QSize hint = item->sizeHint().expandedTo(item->minimumSize());
            const int width = std::min(hint.width(), std::max(area.width(), item->minimumSize().width()));
            const int height = item->hasHeightForWidth() ? item->heightForWidth(width) : hint.height();
            if (!testOnly) {
                item->setGeometry(QRect(x, y + (l.height - height) / 2, width, height));
            }
            x += width + m_hSpacing;
        }
        y += l.height + m_vSpacing;
    }
    const QMargins m = contentsMargins();
    return y - m_vSpacing - rect.y() + m.bottom();
}

}  // namespace tiltbench
