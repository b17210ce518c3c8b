#pragma once
// DatasetSummaryPanel: the numbers of the selected dataset — size, density, reward range and mean, sequence
// lengths, time range, how concentrated interactions are on popular items. Each value is a selectable label
// with an object name (e.g. "rowsValue") so tests and screen readers can find it.
#include <QMap>
#include <QString>
#include <QWidget>

#include "shared/loaded_dataset.h"

class QFormLayout;
class QLabel;

namespace tiltbench {

class DatasetSummaryPanel : public QWidget {
    Q_OBJECT
  public:
    explicit DatasetSummaryPanel(QWidget* parent = nullptr);

    void showDataset(const LoadedDataset& dataset);
    void showMessage(const QString& message);  // hides the values

    // The shown text of one field ("rows", "users", …); empty if the field is hidden.
    QString value(const QString& field) const;

  private:
    void addField(const QString& field, const QString& label);
    void setField(const QString& field, const QString& text);

    QLabel* m_title;
    QLabel* m_message;
    QWidget* m_values;
    QFormLayout* m_form;
    QMap<QString, QLabel*> m_fields;
};

}  // namespace tiltbench
