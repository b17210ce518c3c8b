#pragma once
// CsvOptionsPanel: the import dialog's controls for the generic delimited format — delimiter, header and the
// user / item / reward / time columns. Column choices are offered from the latest preview (by name when the
// file has a header, by index otherwise) and a choice survives a refresh that no longer offers it.
#include <QGroupBox>

#include "io/import.h"

class QComboBox;

namespace tiltbench {

class CsvOptionsPanel : public QGroupBox {
    Q_OBJECT
  public:
    explicit CsvOptionsPanel(QWidget* parent = nullptr);

    // Writes the chosen options into `options`; "(auto)" leaves a field empty for core to detect.
    void apply(CsvOptions& options) const;
    void setColumns(const ImportPreview& preview);

  Q_SIGNALS:
    void changed();

  private:
    QComboBox* addColumnChoice(const QString& label, const QString& name, bool withNone);

    QComboBox* m_delimiter;
    QComboBox* m_header;
    QComboBox* m_userCol;
    QComboBox* m_itemCol;
    QComboBox* m_rewardCol;
    QComboBox* m_timeCol;
};

}  // namespace tiltbench
