#pragma once
// CSV files from the Compare page: a table view as shown (visible columns in their on-screen order, rows in
// their sorted order) in numbers a data frame reads — a model that answers kCsvFieldsRole gives, per column,
// the field names (headerData) and the cells' fields (data) as QStringLists: value, low and high in their own
// fields, `inf` for ∞, empty for none; other models' columns are their displayed text — and the per-user
// metric values of runs in tidy form (one row per run, split, metric and user). RFC 4180 quoting; UTF-8. Both
// write to a temporary file and rename, so a failed export never leaves half a file behind.
#include <QList>
#include <QString>

#include <QtCore/qnamespace.h>

class QTableView;

namespace tiltbench {

class Workspace;

// headerData(section, Horizontal, kCsvFieldsRole) and data(index, kCsvFieldsRole): QStringLists of equal
// length.
constexpr int kCsvFieldsRole = Qt::UserRole + 100;

// Returns false with `error` set when the file cannot be written.
bool writeViewCsv(const QTableView* view, const QString& path, QString* error);
// Columns: run_id, split, metric, user_idx, user_id, value. Throws nothing; false with `error` on failure.
bool writePerUserCsv(Workspace& ws, int64_t datasetId, const QList<qint64>& runIds, const QString& path,
                     QString* error);
QString csvField(const QString& text);

}  // namespace tiltbench
