#pragma once
// FlowLayout: lays its items out left to right and starts a new line when the next one does not fit, so a row
// of controls (caption + chooser pairs, buttons) never makes a page wider than its window; it grows a line
// instead. Items keep their size hints (at least their minimum sizes); a line is as tall as its tallest item,
// and items are centred on it.
#include <QLayout>
#include <QList>

namespace tiltbench {

class FlowLayout : public QLayout {
  public:
    explicit FlowLayout(QWidget* parent = nullptr, int hSpacing = 12, int vSpacing = 4);
    ~FlowLayout() override;

    void addItem(QLayoutItem* item) override;
    int count() const override;
    QLayoutItem* itemAt(int index) const override;
    QLayoutItem* takeAt(int index) override;
    Qt::Orientations expandingDirections() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;
    QSize minimumSize() const override;
    QSize sizeHint() const override;
    void setGeometry(const QRect& rect) override;

  private:
    int doLayout(const QRect& rect, bool testOnly) const;  // returns the height used
    QList<QLayoutItem*> m_items;
    int m_hSpacing;
    int m_vSpacing;
};

}  // namespace tiltbench
