#pragma once
// ImportWorker: runs `importDataset` on a worker thread with its own Workspace connection on the same file.
// Success emits `finished(ImportReport)`; bad input emits `failed` with a message whose first paragraph is
// the summary and whose next lines list the problems (file, line, field), so the dialog can show both.
#include <QString>

#include "io/import.h"
#include "jobs/worker.h"

namespace tiltbench {

class ImportWorker : public Worker {
    Q_OBJECT
  public:
    ImportWorker(QString workspacePath, ImportRequest request);

    QString description() const override;

    // "summary\n\nproblem 1\nproblem 2…": the problems as the user needs them to fix the file.
    static QString formatImportError(const ImportError& error);

  Q_SIGNALS:
    void finished(const tiltbench::ImportReport& report);

  protected:
    void execute() override;

  private:
    QString m_workspacePath;
    ImportRequest m_request;
};

}  // namespace tiltbench
