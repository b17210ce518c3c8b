#include "shared/csv_export.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QSaveFile>
#include <QTableView>
#include <QTextStream>

#include "common/error.h"
#include "common/output_guard.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace tiltbench {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

namespace {
// A CSV never replaces the workspace (or its side files) or any other SQLite database
// (common/output_guard.h).
bool outputAllowed(const QString& path, const std::string& workspace, QString* error) {
    OutputGuard guard;
    guard.protectWorkspace(workspace);
    try {
        guard.checkOutput(path.toStdString(), "CSV file");
    } catch (const Error& e) {
        if (error) {
            *error = QString::fromStdString(e.what());
        }
        return false;
    }
    return true;
}

bool finish(QSaveFile& file, const QString& path, QString* error) {
    if (!file.commit()) {
        if (error) {
            *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}
}  // namespace

bool writeViewCsv(const QTableView* view, const QString& path, QString* error) {
    if (!outputAllowed(path, {}, error)) {
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error) {
            *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    const QAbstractItemModel* model = view->model();
    const QHeaderView* header = view->horizontalHeader();
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (logical >= 0 && !header->isSectionHidden(logical)) {
            columns << logical;
        }
    }
    QTextStream out(&file);
    out.setEncoding(QStringConverter::Utf8);
    // Per column: its numeric fields where the model has them, else its displayed text.
    QList<QStringList> names;
    QList<bool> numeric;
    QStringList fields;
    for (int c : columns) {
        const QVariant csv = model->headerData(c, Qt::Horizontal, kCsvFieldsRole);
        numeric << csv.isValid();
        names << (csv.isValid()
                      ? csv.toStringList()
                      : QStringList{model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString()});
        for (const QString& name : names.back())
            fields << csvField(name);
    }
    out << fields.join(QLatin1Char(',')) << '\n';
    for (int row = 0; row < model->rowCount(); ++row) {
        if (view->isRowHidden(row)) {
            continue;
        }
        fields.clear();
        for (int k = 0; k < columns.size(); ++k) {
            const QModelIndex index = model->index(row, columns[k]);
            QStringList cell = numeric[k] ? index.data(kCsvFieldsRole).toStringList()
                                          : QStringList{index.data(Qt::DisplayRole).toString()};
            while (cell.size() < names[k].size())
                cell << QString();
            for (int f = 0; f < names[k].size(); ++f)
                fields << csvField(cell[f]);
        }
        out << fields.join(QLatin1Char(',')) << '\n';
    }
    out.flush();
    return finish(file, path, error);
}

bool writePerUserCsv(Workspace& ws, int64_t datasetId, const QList<qint64>& runIds, const QString& path,
                     QString* error) {
    if (!outputAllowed(path, ws.path(), error)) {
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error) {
            *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    try {
        const RunStore store(ws);
        const std::vector<std::string> userIds = store.userExternalIds(datasetId);
        QTextStream out(&file);
        out.setEncoding(QStringConverter::Utf8);
        out << "run_id,split,metric,user_idx,user_id,value\n";
        for (qint64 runId : runIds) {
            for (const PerUserMetric& p : store.perUserMetrics(runId)) {
                const QString prefix = QStringLiteral("%1,%2,%3,")
                                           .arg(runId)
                                           .arg(csvField(QString::fromStdString(p.split)),
                                                csvField(QString::fromStdString(p.name)));
                for (size_t j = 0; j < p.users.size(); ++j) {
                    const auto u = static_cast<size_t>(p.users[j]);
                    const QString user = u < userIds.size() ? QString::fromStdString(userIds[u]) : QString();
                    out << prefix << p.users[j] << ',' << csvField(user) << ','
                        << QString::number(p.values[j], 'g', 17) << '\n';
                }
            }
        }
        out.flush();
    } catch (const std::exception& e) {
        if (error) {
            *error = QString::fromStdString(e.what());
        }
        file.cancelWriting();
        return false;
    }
    return finish(file, path, error);
}

}  // namespace tiltbench
