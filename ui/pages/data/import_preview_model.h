#pragma once
// ImportPreviewModel: the first parsed rows of a file in the import dialog, one column per file column. The
// header says which role each column got (user / item / reward / time) and those columns are tinted, so a
// wrong mapping is visible before anything is imported. Fed with setPreview() — a model reset.
#include <QAbstractTableModel>

#include "io/import.h"

namespace tiltbench {

class ImportPreviewModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    explicit ImportPreviewModel(QObject* parent = nullptr);

    void setPreview(ImportPreview preview);
    void clear();
    const ImportPreview& preview() const { return m_preview; }

    // "user", "item", "reward", "time" or empty for an unused column.
    QString roleOfColumn(int column) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    ImportPreview m_preview;
    int m_columns = 0;
};

}  // namespace tiltbench
