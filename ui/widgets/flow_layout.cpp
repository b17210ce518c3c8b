#include "widgets/flow_layout.h"

#include <QWidget>
#include <algorithm>
#include <vector>

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
    // First the lines (which items, how wide, how tall), then the items, centred on their line. An item whose
    // height depends on its width (a wrapped label) takes the rest of its line, so it wraps no more than
    // needed.
    struct Placed {
        QLayoutItem* item;
        int x, width, height, line;
    };
    std::vector<Placed> placed;
    std::vector<int> lineHeights(1, 0);
    int x = area.x();
    for (QLayoutItem* item : m_items) {
        if (item->isEmpty()) {
            continue;
        }
        const QSize hint = item->sizeHint().expandedTo(item->minimumSize());
        const int minWidth = item->minimumSize().width();
        int width = std::min(hint.width(), std::max(area.width(), minWidth));
        const int left = area.right() + 1 - x;
        if (x > area.x() && (item->hasHeightForWidth() ? left < std::max(minWidth, 1) : left < width)) {
            lineHeights.push_back(0);
            x = area.x();
        }
        if (item->hasHeightForWidth()) {
            width = std::max(area.right() + 1 - x, minWidth);
        }
        const int height = item->hasHeightForWidth() ? item->heightForWidth(width) : hint.height();
        lineHeights.back() = std::max(lineHeights.back(), height);
        placed.push_back({item, x, width, height, static_cast<int>(lineHeights.size()) - 1});
        x += width + m_hSpacing;
    }
    std::vector<int> lineTops(lineHeights.size(), area.y());
    for (size_t l = 1; l < lineHeights.size(); ++l) {
        lineTops[l] = lineTops[l - 1] + lineHeights[l - 1] + m_vSpacing;
    }
    if (!testOnly) {
        for (const Placed& p : placed) {
            const auto l = static_cast<size_t>(p.line);
            p.item->setGeometry(QRect(p.x, lineTops[l] + (lineHeights[l] - p.height) / 2, p.width, p.height));
        }
    }
    const QMargins m = contentsMargins();
    return lineTops.back() + lineHeights.back() - rect.y() + m.bottom();
}

}  // namespace tiltbench
