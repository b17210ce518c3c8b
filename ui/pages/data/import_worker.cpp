#include "pages/data/import_worker.h"

#include <QFileInfo>
#include <QStringList>
#include <utility>

#include "store/workspace.h"

namespace tiltbench {

ImportWorker::ImportWorker(QString workspacePath, ImportRequest request)
    : m_workspacePath(std::move(workspacePath)), m_request(std::move(request)) {}

QString ImportWorker::description() const {
    return tr("Importing '%1'").arg(QString::fromStdString(m_request.name));
}

QString ImportWorker::formatImportError(const ImportError& error) {
    QStringList lines;
    for (const ImportProblem& p : error.problems()) {
        if (!p.message.empty()) {
            // The summary names the full path once; in the list the file name is enough and keeps lines
            // short.
            QString line = QString::fromStdString(p.message);
            if (!p.file.empty()) {
                line.replace(QString::fromStdString(p.file),
                             QFileInfo(QString::fromStdString(p.file)).fileName());
            }
            lines << line;
        } else {
            lines << tr("%1, line %2, field %3: %4")
                         .arg(QFileInfo(QString::fromStdString(p.file)).fileName())
                         .arg(p.line)
                         .arg(QString::fromStdString(p.field), QString::fromStdString(p.kind));
        }
    }
    QString text = QString::fromStdString(error.what());
    // One problem is already spelled out in the summary; a list repeating it only adds noise.
    if (error.problems().size() == 1 &&
        text.contains(QString::fromStdString(error.problems().front().message))) {
        lines.clear();
    }
    if (!lines.isEmpty()) {
        text += QStringLiteral("\n\n") + lines.join(QLatin1Char('\n'));
    }
    return text;
}

void ImportWorker::execute() {
    reportStage(tr("opening workspace"));
    Workspace ws(m_workspacePath.toStdString(), OpenMode::OpenExisting);
    try {
        ImportReport report = importDataset(ws, m_request, progressCallback());
        Q_EMIT finished(report);
    } catch (const ImportError& e) {
        Q_EMIT failed(formatImportError(e));
    }
}

}  // namespace tiltbench
