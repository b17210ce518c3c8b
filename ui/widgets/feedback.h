#pragma once
// How the GUI tells the user about a job: message boxes and progress bars, in one style everywhere.
#include <QMessageBox>
#include <QString>

class QProgressBar;

namespace tiltbench {

// Opens a window-modal message box over `parent` that deletes itself when closed. It never blocks the event
// loop (jobs keep reporting while it shows); `objectName` lets tests find it. Returns the box, already open.
QMessageBox* openMessageBox(QWidget* parent, QMessageBox::Icon icon, const QString& objectName,
                            const QString& title, const QString& text, const QString& details = {});

// A warning box (openMessageBox with QMessageBox::Warning).
QMessageBox* openWarning(QWidget* parent, const QString& objectName, const QString& title,
                         const QString& text, const QString& details = {});

// `done` of `total` on a 0–1000 bar; `total` 0 (unknown) shows the busy indicator.
void showProgress(QProgressBar* bar, qint64 done, qint64 total);

}  // namespace tiltbench
