// ExplorerPage's "Record a Markov run at this λ": a closed-form run of the tilted policies at the slider's λ.
#include "pages/explorer/explorer_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QShowEvent>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "jobs/job_runner.h"
#include "pages/explorer/explorer_items_model.h"
#include "pages/explorer/explorer_plots.h"
#include "pages/explorer/explorer_worker.h"
#include "shared/formatting.h"
#include "store/workspace.h"
#include "widgets/dataset_combo.h"
#include "widgets/feedback.h"
#include "widgets/lambda_slider.h"

namespace tiltbench {

bool ExplorerPage::isEvaluatingFully() const {
    return m_jobs->isRunning(kFullEvalJob);
}

void ExplorerPage::cancelFullEvaluation() {
    m_jobs->stop(kFullEvalJob);  // the job stays current: its "cancelled" is shown
}

void ExplorerPage::evaluateFully() {
    if (!m_workspace || selectedDatasetId() < 0 || m_jobs->isRunning(kFullEvalJob)) {
        return;
    }
    if (rewardModelRun() > 0) {  // a closed-form run weights logged rewards only (train refuses the rest)
        m_fullEvalResult->setText(
            tr("The full evaluation records a closed-form run, which reads the logged "
               "rewards: choose Rewards: logged to run it"));
        return;
    }
    const QString name = m_datasetCombo->currentText();
    const WeightScheme scheme = currentScheme();
    auto* worker = new ExplorerFullEvalWorker(QString::fromStdString(m_workspace->path()), name, scheme);
    m_jobs->on(worker, &Worker::progress, [this](qint64 done, qint64 total, const QString& stage) {
        m_fullEvalButton->setText(total > 0 ? tr("Evaluating: %1 (%2 of %3)…").arg(stage).arg(done).arg(total)
                                            : tr("Evaluating: %1…").arg(stage));
    });
    m_jobs->on(worker, &ExplorerFullEvalWorker::finished,
               [this](const ExplorerFullEvalResult& result) { onFullEvalResult(result); });
    m_jobs->on(worker, &Worker::cancelled, [this] {
        m_fullEvalResult->setText(tr("Full evaluation cancelled (recorded as cancelled)"));
    });
    m_jobs->on(worker, &Worker::failed, [this, name](const QString& message) {
        m_fullEvalResult->setText(tr("Full evaluation failed"));
        openWarning(this, QStringLiteral("fullEvalErrorBox"), tr("λ Explorer"),
                    tr("Could not evaluate the tilted Markov policy on '%1'.").arg(name), message);
        Q_EMIT failed(message);
    });
    m_fullEvalButton->setEnabled(false);
    m_fullEvalButton->setText(tr("Evaluating…"));
    m_fullEvalCancel->setVisible(true);
    m_fullEvalCancel->setEnabled(true);
    m_fullEvalResult->setText(
        tr("Evaluating '%1' at λ = %2 on all users…").arg(name, formatLambdaText(scheme.lambda, 3)));
    m_jobs->start(kFullEvalJob, worker);
}

void ExplorerPage::onFullEvalStopped() {
    m_fullEvalButton->setEnabled(true);
    m_fullEvalButton->setText(tr("Record a Markov run at this λ"));
    m_fullEvalCancel->setVisible(false);
}

void ExplorerPage::markFullEvaluationStale() {
    if (!m_hasFullEval || isEvaluatingFully() || m_fullEvalText.isEmpty())
        return;
    const WeightScheme now = currentScheme();
    const WeightScheme& then = m_fullEval.scheme;
    const bool same =
        now.describe() == then.describe() && m_fullEval.dataset == m_datasetCombo->currentText();
    m_fullEvalResult->setText(
        same ? m_fullEvalText
             : QStringLiteral("<span style='color:#777'>%1<br><i>%2</i></span>")
                   .arg(m_fullEvalText, tr("The settings have changed since: this result is for λ = %1, "
                                           "not for what the page shows now.")
                                            .arg(formatLambdaText(then.lambda, 3))));
}

void ExplorerPage::onFullEvalResult(const ExplorerFullEvalResult& result) {
    m_fullEval = result;
    m_hasFullEval = true;
    auto metric = [](const EvalResult& r, const char* name) {
        const MetricValue* m = r.find(name);
        if (!m || !std::isfinite(m->value)) {
            return QStringLiteral("—");
        }
        QString text = formatReal(m->value, 4);
        if (std::isfinite(m->lo) && std::isfinite(m->hi)) {
            text += QStringLiteral(" [%1, %2]").arg(formatReal(m->lo, 4), formatReal(m->hi, 4));
        }
        return text;
    };
    const ClosedFormRunResult& run = result.run;
    m_fullEvalResult->setText(tr("<b>Full evaluation</b> ('%2', λ = %3) — NDCG@10 valid %4, test %5 · "
                                 "high-reward NDCG@10 valid %6, test %7 "
                                 "(95 % intervals)<br><small>%8</small><br>recorded as run %1")
                                  .arg(run.runId)
                                  .arg(result.dataset.toHtmlEscaped(),
                                       formatLambdaText(result.scheme.lambda, 3),
                                       metric(run.valid, "ndcg@10"), metric(run.test, "ndcg@10"),
                                       metric(run.valid, "ndcg_high@10"), metric(run.test, "ndcg_high@10"),
                                       QString::fromStdString(run.test.protocol.toString()).toHtmlEscaped()));
    m_fullEvalText = m_fullEvalResult->text();
    m_jobs->report(kFullEvalJob, tr("Full evaluation recorded as run %1").arg(run.runId));
    Q_EMIT fullEvaluationFinished();
}

}  // namespace tiltbench
