#pragma once
// The Export page's background jobs. Exports and model previews need LibTorch (SASRec checkpoints,
// TorchScript), which this process never loads, so both run a child `tiltbench-cli` from a worker thread:
//  • ExportWorker   — `tiltbench-cli export … --json --progress-jsonl stderr`: progress lines become the
//                     worker's progress, Cancel sends SIGINT (the CLI stops cleanly and leaves no file
//                     behind);
//  • RecommendWorker — `tiltbench-cli recommend --workspace … --run … --user … --json`: one user's top-k.
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "jobs/worker.h"

namespace tiltbench {

struct ExportRequestUi {
    QString cliPath;
    QString workspacePath;
    qint64 runId = 0;
    QString format;  // torchscript | safetensors | topk-csv
    QString outPath;
    int k = 10;
};

struct ExportOutcome {
    ExportRequestUi request;
    QStringList files;  // what was written, the main file first
    qint64 rows = 0;    // topk-csv
    qint64 users = 0;
    double seconds = 0.0;
};

struct RecommendationRow {
    int rank = 0;
    QString item;
    QString title;
    double score = 0.0;
};

struct RecommendOutcome {
    qint64 runId = 0;
    QString user;
    QList<RecommendationRow> rows;
    QStringList history;  // the user's newest items, oldest first (for the load snippets), when reported
};

class ExportWorker : public Worker {
    Q_OBJECT
  public:
    explicit ExportWorker(ExportRequestUi request);
    QString description() const override;

  Q_SIGNALS:
    void finished(const tiltbench::ExportOutcome& outcome);

  protected:
    void execute() override;

  private:
    ExportRequestUi m_request;
};

class RecommendWorker : public Worker {
    Q_OBJECT
  public:
    RecommendWorker(QString cliPath, QString workspacePath, qint64 runId, QString user, int k);
    QString description() const override;

  Q_SIGNALS:
    void finished(const tiltbench::RecommendOutcome& outcome);

  protected:
    void execute() override;

  private:
    QString m_cliPath, m_workspacePath;
    qint64 m_runId;
    QString m_user;
    int m_k;
};

// The CLI's JSON answer to `recommend … --json`, parsed (exposed for tests).
RecommendOutcome parseRecommendJson(const QByteArray& json);

}  // namespace tiltbench

Q_DECLARE_METATYPE(tiltbench::ExportOutcome)
Q_DECLARE_METATYPE(tiltbench::RecommendOutcome)
