#include "widgets/feedback.h"

#include <QProgressBar>

namespace tiltbench {

QMessageBox* openMessageBox(QWidget* parent, QMessageBox::Icon icon, const QString& objectName,
                            const QString& title, const QString& text, const QString& details) {
    auto* box = new QMessageBox(icon, title, text, QMessageBox::Ok, parent);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(details);
    box->open();
    return box;
}

QMessageBox* openWarning(QWidget* parent, const QString& objectName, const QString& title,
                         const QString& text, const QString& details) {
    return openMessageBox(parent, QMessageBox::Warning, objectName, title, text, details);
}

void showProgress(QProgressBar* bar, qint64 done, qint64 total) {
    if (total > 0) {
        bar->setRange(0, 1000);
        bar->setValue(static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)));
    } else {
        bar->setRange(0, 0);
    }
}

}  // namespace tiltbench
