// Issue 17, item 6: the method's words explained in one place (Help → The method and its words, F1), and the
// tooltips read the same text; no tooltip anywhere in the window shows markdown.
#include <gtest/gtest.h>

#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QSet>
#include <QTest>
#include <QTextBrowser>

#include "pages/compare/compare_page.h"
#include "pages/compare/run_table_model.h"
#include "pages/explorer/explorer_items_model.h"
#include "pages/explorer/explorer_page.h"
#include "shared/glossary.h"
#include "shell/help_dock.h"
#include "shell/main_window.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace glossary_test_file {

namespace {
constexpr int kWaitMs = 60000;

// What a reader would see as markup instead of text.
bool looksLikeMarkdown(const QString& text) {
    return text.contains(QLatin1Char('`')) || text.contains(QStringLiteral("**")) ||
           text.contains(QStringLiteral("]("));
}

// Every tooltip a user can hover in the window: widgets, chooser items, and table headers.
QStringList allTooltips(QWidget* root) {
    QStringList tips;
    for (QWidget* w : root->findChildren<QWidget*>()) {
        tips << w->toolTip();
        if (auto* combo = qobject_cast<QComboBox*>(w)) {
            for (int i = 0; i < combo->count(); ++i) {
                tips << combo->itemData(i, Qt::ToolTipRole).toString();
            }
        }
        if (auto* view = qobject_cast<QAbstractItemView*>(w); view && view->model()) {
            QAbstractItemModel* m = view->model();
            for (int c = 0; c < m->columnCount(); ++c) {
                tips << m->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString();
            }
            for (int r = 0; r < std::min(m->rowCount(), 5); ++r) {
                for (int c = 0; c < m->columnCount(); ++c) {
                    tips << m->index(r, c).data(Qt::ToolTipRole).toString();
                }
            }
        }
    }
    for (QAction* a : root->findChildren<QAction*>()) {
        tips << a->toolTip();
    }
    tips.removeAll(QString());
    return tips;
}
}  // namespace

TEST(Glossary, EveryEntryIsPlainTextWithAUniqueKeyAndAnAnchorInTheHelp) {
    const QString html = glossaryHtml();
    QSet<QString> keys;
    for (const GlossaryEntry& e : glossary()) {
        EXPECT_FALSE(keys.contains(e.key)) << e.key.toStdString();
        keys.insert(e.key);
        EXPECT_FALSE(e.term.isEmpty() || e.text.isEmpty() || e.section.isEmpty()) << e.key.toStdString();
        EXPECT_FALSE(looksLikeMarkdown(e.text) || looksLikeMarkdown(e.term)) << e.key.toStdString();
        // Plain text: nothing a tooltip would take for a tag.
        EXPECT_FALSE(e.text.contains(QLatin1Char('<')) || e.text.contains(QLatin1Char('>')))
            << e.key.toStdString();
        EXPECT_TRUE(html.contains(QStringLiteral("name=\"%1\"").arg(e.key))) << e.key.toStdString();
        EXPECT_EQ(glossaryTip(e.key), e.term + QStringLiteral(": ") + e.text);
    }
    // A metric name with its cut-off reads its family's entry; an unknown word has none.
    EXPECT_EQ(glossaryText(QStringLiteral("ndcg_high@10")), glossaryText(QStringLiteral("ndcg_high")));
    EXPECT_NE(glossaryText(QStringLiteral("ndcg_high")), glossaryText(QStringLiteral("ndcg")));
    EXPECT_TRUE(glossaryText(QStringLiteral("no such word")).isEmpty());
    // Every metric family the evaluator writes and every word the issue named is explained.
    for (const char* key : {"ndcg",
                            "hr",
                            "mrr",
                            "ndcg_high",
                            "hr_high",
                            "mrr_high",
                            "item_mean_reward",
                            "true_reward",
                            "proxy_reward",
                            "kl_ref",
                            "random_ndcg",
                            "arp",
                            "aplt",
                            "coverage",
                            "gini",
                            "entropy",
                            "ess",
                            "pp",
                            "normalization",
                            "epoch_s",
                            "loo",
                            "count",
                            "lambda",
                            "not_established"}) {
        EXPECT_TRUE(keys.contains(QString::fromLatin1(key))) << key;
    }
}

TEST(Glossary, F1OpensTheHelpAndThePagesTooltipsReadTheSameText) {
    test::TempDir dir;
    const std::string ws = dir.file("lab.sqlite");
    test::makeWorkspace(ws, {"first"});
    {
        Workspace wsp(ws);
        ClosedFormRunConfig c;
        c.dataset = "first";
        c.bootstrapResamples = 0;
        c.threads = 1;
        runClosedForm(wsp, c);
    }
    MainWindow w;
    w.resize(1366, 768);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));

    auto* help = w.findChild<QAction*>(QStringLiteral("helpAction"));
    ASSERT_NE(help, nullptr);
    EXPECT_EQ(help->shortcut(), QKeySequence(QKeySequence::HelpContents));
    HelpDock* dock = w.helpDock();
    EXPECT_FALSE(dock->isVisible());
    help->trigger();
    EXPECT_TRUE(dock->isVisible());
    const QString shown = dock->browser()->toPlainText();
    for (const GlossaryEntry& e : glossary()) {
        EXPECT_TRUE(shown.contains(e.term)) << e.term.toStdString();
    }
    EXPECT_TRUE(dock->showTopic(QStringLiteral("aplt@10")));
    EXPECT_FALSE(dock->showTopic(QStringLiteral("no such word")));
    help->trigger();
    EXPECT_FALSE(dock->isVisible());

    // Compare: a metric column's header explains the metric with the glossary's words.
    w.showPage(MainWindow::ComparePageIndex);
    RunTableModel* runs = w.comparePage()->runModel();
    ASSERT_TRUE(QTest::qWaitFor([&] { return runs->rowCount() == 1; }, kWaitMs));
    const int high = runs->columnOfKey(QStringLiteral("ndcg_high@10"));
    ASSERT_GE(high, 0);
    EXPECT_TRUE(runs->headerData(high, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(glossaryText(QStringLiteral("ndcg_high"))));
    // Explorer: the items table's Count says why it differs from the Data page's interaction count.
    w.showPage(MainWindow::ExplorerPageIndex);
    EXPECT_EQ(w.explorerPage()->itemsModel()->headerData(ExplorerItemsModel::Count, Qt::Horizontal,
                                                         Qt::ToolTipRole),
              glossaryTip(QStringLiteral("count")));
    EXPECT_EQ(w.explorerPage()->normalizationChooser()->toolTip(),
              glossaryTip(QStringLiteral("normalization")));

    // No tooltip anywhere in the window shows markdown.
    for (int page = 0; page < MainWindow::NUM_PAGES; ++page) {
        w.showPage(static_cast<MainWindow::Page>(page));
        QTest::qWait(20);
        for (const QString& tip : allTooltips(&w)) {
            EXPECT_FALSE(looksLikeMarkdown(tip)) << "page " << page << ": " << tip.toStdString();
        }
    }
}

}  // namespace glossary_test_file
