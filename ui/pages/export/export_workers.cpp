#include "pages/export/export_workers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <utility>

#include "common/error.h"
#include "process/engine_process.h"

namespace tiltbench {

ExportWorker::ExportWorker(ExportRequestUi request) : m_request(std::move(request)) {}

QString ExportWorker::description() const {
    return tr("Exporting run %1 as %2").arg(m_request.runId).arg(m_request.format);
}

void ExportWorker::execute() {
    engine::ExportRequest request;
    request.workspace = m_request.workspacePath.toStdString();
    request.runId = m_request.runId;
    request.format = m_request.format.toStdString();
    request.outPath = m_request.outPath.toStdString();
    request.k = m_request.k;
    const ProgressCallback progress = progressCallback();
    bool stop = false;
    const QJsonObject out = runEngine(
        m_request.cliPath, request.arguments(), [this, &stop] { return stop || isCancelRequested(); },
        [&](const engine::ProgressEvent& event) {
            if (progress && !progress(Progress{event.stage, event.done, event.total, event.unit})) {
                stop = true;
            }
        });
    ExportOutcome outcome;
    outcome.request = m_request;
    for (const QJsonValue& file : out.value(QStringLiteral("files")).toArray()) {
        outcome.files << file.toString();
    }
    if (outcome.files.isEmpty()) {
        outcome.files << m_request.outPath;
    }
    outcome.rows = static_cast<qint64>(out.value(QStringLiteral("rows")).toDouble());
    outcome.users = static_cast<qint64>(out.value(QStringLiteral("users")).toDouble());
    outcome.seconds = out.value(QStringLiteral("seconds")).toDouble();
    Q_EMIT finished(outcome);
}

RecommendWorker::RecommendWorker(QString cliPath, QString workspacePath, qint64 runId, QString user, int k)
    : m_cliPath(std::move(cliPath)),
      m_workspacePath(std::move(workspacePath)),
      m_runId(runId),
      m_user(std::move(user)),
      m_k(k) {}

QString RecommendWorker::description() const {
    return tr("Top-%1 of user %2 from run %3").arg(m_k).arg(m_user).arg(m_runId);
}

void RecommendWorker::execute() {
    reportStage(tr("scoring user %1").arg(m_user));
    engine::RecommendRequest request;
    request.workspace = m_workspacePath.toStdString();
    request.runId = m_runId;
    request.user = m_user.toStdString();
    request.k = m_k;
    const QJsonObject out = runEngine(m_cliPath, request.arguments(), [this] { return isCancelRequested(); });
    RecommendOutcome outcome = parseRecommendJson(QJsonDocument(out).toJson());
    outcome.runId = m_runId;
    if (outcome.user.isEmpty()) {
        outcome.user = m_user;
    }
    Q_EMIT finished(outcome);
}

RecommendOutcome parseRecommendJson(const QByteArray& json) {
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    RecommendOutcome out;
    out.user = o.value(QStringLiteral("user")).toString();
    const auto text = [](const QJsonValue& v) {
        return v.isDouble() ? QString::number(v.toDouble(), 'g', 17) : v.toString();
    };
    int rank = 0;
    for (const QJsonValue& value : o.value(QStringLiteral("items")).toArray()) {
        const QJsonObject item = value.toObject();
        RecommendationRow row;
        row.rank = item.value(QStringLiteral("rank")).toInt(++rank);
        rank = row.rank;
        row.item = text(item.value(QStringLiteral("item")));
        row.title = item.value(QStringLiteral("title")).toString();
        row.score = item.value(QStringLiteral("score")).toDouble();
        out.rows << row;
    }
    for (const QJsonValue& value : o.value(QStringLiteral("history")).toArray()) {
        out.history << text(value);
    }
    return out;
}

}  // namespace tiltbench
