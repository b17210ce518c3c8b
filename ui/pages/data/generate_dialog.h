#pragma once
// GenerateDialog: the simulator's settings for a new demo dataset — size, how strongly exposure follows a
// Zipf law, how far item quality is from popularity (the gap reward weighting exploits), noise, seed. The
// defaults give an ML-100K-sized log in well under a second.
#include <QDialog>
#include <QStringList>

#include "data/ground_truth.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace tiltbench {

class GenerateDialog : public QDialog {
    Q_OBJECT
  public:
    GenerateDialog(QStringList existingNames, QWidget* parent = nullptr);

    QString datasetName() const;
    SimulatorConfig config() const;

    // "demo", or "demo-2", … when taken.
    static QString uniqueName(const QString& base, const QStringList& existing);

  private:
    void validate();

    QStringList m_existingNames;
    QLineEdit* m_name;
    QSpinBox* m_users;
    QSpinBox* m_items;
    QSpinBox* m_interactions;
    QDoubleSpinBox* m_exponent;
    QDoubleSpinBox* m_correlation;
    QDoubleSpinBox* m_selfSelection;
    QDoubleSpinBox* m_noise;
    QSpinBox* m_seed;
    QLabel* m_problem;
    QPushButton* m_ok = nullptr;
};

}  // namespace tiltbench
