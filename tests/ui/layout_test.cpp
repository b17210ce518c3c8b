// Issue 17, item 2: no clipped text at common screen sizes. Walks every visible label, button, check box,
// group box title, table header section, line edit, chooser and plot text (title, axis labels, legend) of
// every page in a window the size a 1366×768 screen leaves for it, with data that has long names (a generated
// dataset with a long name, ML-100K's titles where ../shared/data has them, and runs in Compare with a pinned
// baseline), and fails naming each text that is elided or wider (or, wrapped, taller) than its box.
//
// ctest runs it twice: as is, and as ui.layout_at_scale_125 with QT_SCALE_FACTOR=1.25 (the same screen at 125
// %: 1093×614 logical pixels). Layout is not memory-sensitive: the sanitizer pass skips it.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QAbstractButton>
#include <QComboBox>
#include <QDir>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScreen>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSplitter>
#include <QStyleOptionComboBox>
#include <QStyleOptionHeader>
#include <QTest>
#include <QTextDocument>

#include "io/import.h"
#include "pages/compare/compare_page.h"
#include "pages/compare/run_table_model.h"
#include "pages/data/data_page.h"
#include "pages/explorer/explorer_page.h"
#include "pages/export/export_page.h"
#include "pages/train/train_page.h"
#include "shell/main_window.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace layout_test_file {

namespace {
constexpr int kWaitMs = 120000;
// What a 1366×768 screen leaves a maximised window under a window manager: a panel and a title bar.
constexpr int kScreenWidth = 1366;
constexpr int kScreenHeight = 768;
constexpr int kDecorations = 56;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

QString nameOf(const QWidget* w) {
    QStringList path;
    for (const QWidget* p = w; p && !p->isWindow(); p = p->parentWidget()) {
        if (!p->objectName().isEmpty()) {
            path.prepend(p->objectName());
            if (path.size() == 2) {
                break;
            }
        }
    }
    return QStringLiteral("%1 (%2)").arg(path.join(QLatin1Char('/')),
                                         QString::fromLatin1(w->metaObject()->className()));
}

// A widget the user can see now, or by scrolling: shown (so not on a hidden stack page), with an area.
bool onScreen(const QWidget* w) {
    return w->isVisible() && w->width() > 0 && w->height() > 0;
}

int textWidth(const QFont& font, const QString& text) {
    const QFontMetrics fm(font);
    int widest = 0;
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        widest = std::max(widest, fm.horizontalAdvance(line));
    }
    return widest;
}

struct Walker {
    QStringList problems;

    void report(const QWidget* w, const QString& text, const QString& what, int need, int have) {
        problems << QStringLiteral("%1 \"%2\": %3 needs %4 px, has %5")
                        .arg(nameOf(w), text.left(60).replace(QLatin1Char('\n'), QLatin1Char(' ')), what)
                        .arg(need)
                        .arg(have);
    }

    void label(QLabel* l) {
        const QString text = l->text();
        if (text.isEmpty() || !l->pixmap().isNull()) {
            return;
        }
        const QRect box = l->contentsRect().adjusted(l->margin(), l->margin(), -l->margin(), -l->margin());
        const bool rich =
            l->textFormat() == Qt::RichText || (l->textFormat() == Qt::AutoText && Qt::mightBeRichText(text));
        if (l->wordWrap()) {
            const int need = l->heightForWidth(l->width());
            if (need > l->height() + 1) {
                report(l, rich ? QTextDocumentFragment::fromHtml(text).toPlainText() : text,
                       QStringLiteral("height"), need, l->height());
            }
            return;
        }
        int need;
        QString shown = text;
        if (rich) {
            QTextDocument doc;
            doc.setDefaultFont(l->font());
            doc.setHtml(text);
            doc.setDocumentMargin(0);
            need = static_cast<int>(std::ceil(doc.idealWidth()));
            shown = doc.toPlainText();
        } else {
            need = textWidth(l->font(), text);
        }
        if (need > box.width() + 1) {
            report(l, shown, QStringLiteral("width"), need, box.width());
        }
    }

    void button(QAbstractButton* b) {
        if (b->text().isEmpty()) {
            return;
        }
        const int need = b->sizeHint().width();
        if (need > b->width() + 1) {
            report(b, b->text(), QStringLiteral("width"), need, b->width());
        }
    }

    void groupBox(QGroupBox* g) {
        if (g->title().isEmpty()) {
            return;
        }
        const int need = textWidth(g->font(), g->title()) + 16;
        if (need > g->width()) {
            report(g, g->title(), QStringLiteral("title width"), need, g->width());
        }
    }

    void header(QHeaderView* h) {
        if (h->orientation() != Qt::Horizontal || !h->model()) {
            return;
        }
        for (int logical = 0; logical < h->count(); ++logical) {
            if (h->isSectionHidden(logical) || h->sectionSize(logical) == 0) {
                continue;
            }
            const QString text = h->model()->headerData(logical, Qt::Horizontal).toString();
            // The header's own measure of text, margins and sort indicator (as
            // QHeaderView::sectionSizeFromContents does), in the bold font a highlighted section uses.
            QStyleOptionHeader opt;
            opt.initFrom(h);
            opt.section = logical;
            opt.text = text;
            QFont bold = h->font();
            bold.setBold(true);
            opt.fontMetrics = QFontMetrics(bold);
            opt.sortIndicator = h->isSortIndicatorShown() && h->sortIndicatorSection() == logical
                                    ? QStyleOptionHeader::SortDown
                                    : QStyleOptionHeader::None;
            const QSize contents(opt.fontMetrics.horizontalAdvance(text), opt.fontMetrics.height());
            const int need =
                h->style()->sizeFromContents(QStyle::CT_HeaderSection, &opt, contents, h).width();
            if (!text.isEmpty() && need > h->sectionSize(logical) + 1) {
                report(h, text, QStringLiteral("header section"), need, h->sectionSize(logical));
            }
        }
    }

    void lineEdit(QLineEdit* e) {
        const QString text = e->text().isEmpty() ? e->placeholderText() : e->text();
        if (text.isEmpty() || !e->text().isEmpty()) {
            return;  // typed text scrolls, as in every line edit; the placeholder must be readable
        }
        const QMargins m = e->textMargins();
        const int need = textWidth(e->font(), text) + m.left() + m.right() + 8;
        if (need > e->width() + 1) {
            report(e, text, QStringLiteral("placeholder width"), need, e->width());
        }
    }

    void combo(QComboBox* c) {
        if (c->isEditable() || c->currentText().isEmpty()) {
            return;
        }
        QStyleOptionComboBox opt;
        opt.initFrom(c);
        opt.editable = false;
        opt.currentText = c->currentText();
        const QSize text(textWidth(c->font(), c->currentText()), c->fontMetrics().height());
        const int need = c->style()->sizeFromContents(QStyle::CT_ComboBox, &opt, text, c).width();
        if (need > c->width() + 1) {
            report(c, c->currentText(), QStringLiteral("current entry width"), need, c->width());
        }
    }

    void plot(QCustomPlot* p) {
        p->replot(QCustomPlot::rpImmediateRefresh);
        // Every text element (the title, on one or two lines; the caption row's axis labels) fits its box.
        for (QCPLayoutElement* e : p->plotLayout()->elements(true)) {
            auto* text = qobject_cast<QCPTextElement*>(e);
            if (!text || !text->visible() || text->text().isEmpty()) {
                continue;
            }
            const int need = textWidth(text->font(), text->text());
            const int have = std::min(text->rect().width(), p->width());
            if (need > have + 1) {
                report(p, text->text(), QStringLiteral("plot text width"), need, have);
            }
        }
        // Texts drawn as items (the message over an empty plot, annotations): inside the area that clips
        // them.
        for (int i = 0; i < p->itemCount(); ++i) {
            auto* text = qobject_cast<QCPItemText*>(p->item(i));
            if (!text || !text->visible() || text->text().isEmpty()) {
                continue;
            }
            const QRect box = QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition())
                                  .normalized()
                                  .toAlignedRect();
            const QRect area = text->clipToAxisRect() && p->axisRect() ? p->axisRect()->rect() : p->rect();
            if (box.width() > area.width() + 2 || box.left() < area.left() - 2 ||
                box.right() > area.right() + 2) {
                report(p, text->text(), QStringLiteral("plot text (item) width"), box.width(),
                       std::max(0, std::min(box.right(), area.right()) - std::max(box.left(), area.left())));
            }
        }
        QCPAxisRect* rect = p->axisRect();
        if (!rect) {
            return;
        }
        for (QCPAxis* axis : rect->axes()) {
            if (!axis->visible() || axis->label().isEmpty()) {
                continue;
            }
            const bool vertical = axis->orientation() == Qt::Vertical;
            const int need = textWidth(axis->labelFont(), axis->label());
            const int have = vertical ? rect->height() : rect->width();
            if (need > have) {
                report(p, axis->label(),
                       vertical ? QStringLiteral("y-axis label") : QStringLiteral("x-axis label"), need,
                       have);
            }
        }
        if (p->legend && p->legend->visible() && p->legend->itemCount() > 0) {
            const QRect legend = p->legend->outerRect();
            if (legend.width() > p->width() || legend.right() > p->width() + 1) {
                report(p, QStringLiteral("legend"), QStringLiteral("legend width"), legend.width(),
                       p->width());
            }
            for (int i = 0; i < p->legend->itemCount(); ++i) {
                auto* item = qobject_cast<QCPPlottableLegendItem*>(p->legend->item(i));
                if (!item) {
                    continue;
                }
                // Icon, padding and text, as QCPPlottableLegendItem lays itself out.
                const int need = p->legend->iconSize().width() + p->legend->iconTextPadding() +
                                 textWidth(item->font(), item->plottable()->name());
                const int have = std::min(item->rect().width(), p->width() - item->rect().left());
                if (need > have + 1) {
                    report(p, item->plottable()->name(), QStringLiteral("legend entry"), need, have);
                }
            }
        }
    }

    void walk(QWidget* root) {
        for (QWidget* w : root->findChildren<QWidget*>()) {
            if (!onScreen(w)) {
                continue;
            }
            if (auto* l = qobject_cast<QLabel*>(w)) {
                label(l);
            } else if (auto* b = qobject_cast<QAbstractButton*>(w)) {
                button(b);
            } else if (auto* g = qobject_cast<QGroupBox*>(w)) {
                groupBox(g);
            } else if (auto* h = qobject_cast<QHeaderView*>(w)) {
                header(h);
            } else if (auto* e = qobject_cast<QLineEdit*>(w)) {
                if (!qobject_cast<QComboBox*>(e->parentWidget()) &&
                    !qobject_cast<QAbstractSpinBox*>(e->parentWidget())) {
                    lineEdit(e);
                }
            } else if (auto* c = qobject_cast<QComboBox*>(w)) {
                combo(c);
            } else if (auto* p = qobject_cast<QCustomPlot*>(w)) {
                plot(p);
            } else if (auto* a = qobject_cast<QScrollArea*>(w); a && a->widget()) {
                // A direction that cannot scroll must not cut the contents.
                if (a->horizontalScrollBarPolicy() == Qt::ScrollBarAlwaysOff &&
                    a->widget()->width() > a->viewport()->width() + 1) {
                    report(a, QStringLiteral("contents"), QStringLiteral("width (no horizontal scrolling)"),
                           a->widget()->width(), a->viewport()->width());
                }
                if (a->verticalScrollBarPolicy() == Qt::ScrollBarAlwaysOff &&
                    a->widget()->height() > a->viewport()->height() + 1) {
                    report(a, QStringLiteral("contents"), QStringLiteral("height (no vertical scrolling)"),
                           a->widget()->height(), a->viewport()->height());
                }
            }
            if (auto* g = qobject_cast<QGroupBox*>(w); g && !qobject_cast<QLabel*>(w)) {
                groupBox(g);
            }
        }
    }
};

QSize windowSize() {
    // The screen's logical size at the running scale factor (QT_SCALE_FACTOR=1.25: 1093×614).
    const qreal dpr = qEnvironmentVariable("QT_SCALE_FACTOR").isEmpty()
                          ? 1.0
                          : qEnvironmentVariable("QT_SCALE_FACTOR").toDouble();
    return QSize(static_cast<int>(kScreenWidth / dpr), static_cast<int>(kScreenHeight / dpr) - kDecorations);
}

std::string longNamesLab(test::TempDir& dir, bool* withMovieLens) {
    const std::string ws = dir.file("layout.sqlite");
    Workspace w(ws, OpenMode::CreateIfMissing);
    SimulatorConfig sim = test::smallSimulatorConfig(6000);
    generateDataset(w, "simulated catalogue with a rather long descriptive name (seed 7)", sim);
    const std::string ml = test::sharedDataDir() + "/ml-100k";
    *withMovieLens = !test::sharedDataDir().empty() && test::pathExists(ml + "/u.data");
    if (*withMovieLens) {
        ImportRequest r;
        r.name = "ml-100k";
        r.format = ImportFormat::MovieLens100k;
        r.files = {ml + "/u.data"};
        r.titlesFile = ml + "/u.item";
        importDataset(w, r);
    } else {
        std::printf("ml-100k not in %s: the layout is checked on generated data only\n",
                    test::sharedDataDir().c_str());
    }
    const std::string dataset =
        *withMovieLens ? "ml-100k" : "simulated catalogue with a rather long descriptive name (seed 7)";
    for (PolicyKind kind : {PolicyKind::Popularity, PolicyKind::Markov}) {
        for (double lambda : {std::numeric_limits<double>::infinity(), 0.5}) {
            ClosedFormRunConfig c;
            c.dataset = dataset;
            c.model = kind;
            c.scheme = std::isinf(lambda) ? WeightScheme::uniform() : WeightScheme::exp(lambda);
            c.bootstrapResamples = 20;
            c.threads = 2;
            runClosedForm(w, c);
        }
    }
    return ws;
}

void settle() {
    QTest::qWait(150);  // queued layouts and replots
}

// With TILTBENCH_LAYOUT_SHOTS=DIR, each walked page is also saved there (to look at what failed).
void shot(QWidget* w, const char* name) {
    const QString dir = qEnvironmentVariable("TILTBENCH_LAYOUT_SHOTS");
    if (!dir.isEmpty()) {
        QDir().mkpath(dir);
        w->grab().save(
            QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(QString::fromLatin1(name)).arg(w->width())));
    }
}
}  // namespace

TEST(Layout, EveryVisibleTextFitsItsBoxOnA1366x768Screen) {
    if (kSanitized) {
        GTEST_SKIP() << "layout is checked in the dev pass";
    }
    test::TempDir dir;
    bool withMovieLens = false;
    const std::string ws = longNamesLab(dir, &withMovieLens);
    const QSize size = windowSize();
    std::printf("[layout] window %dx%d logical px (QT_SCALE_FACTOR=%s)\n", size.width(), size.height(),
                qPrintable(qEnvironmentVariable("QT_SCALE_FACTOR", QStringLiteral("1"))));

    MainWindow w;
    w.resize(size);
    w.show();
    Walker walker;
    QStringList tooLarge;  // pages whose minimum size does not fit the screen
    const auto fits = [&](const char* page) {
        w.resize(size);
        QTest::qWait(50);
        if (w.size() != size) {
            tooLarge << QStringLiteral("%1: the window cannot be smaller than %2x%3")
                            .arg(QString::fromLatin1(page))
                            .arg(w.width())
                            .arg(w.height());
        }
    };
    settle();
    walker.walk(&w);  // the welcome page

    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    w.resize(size);
    const auto dataset = Workspace(ws).findDataset(
        withMovieLens ? "ml-100k" : "simulated catalogue with a rather long descriptive name (seed 7)");
    ASSERT_TRUE(dataset.has_value());

    w.showPage(MainWindow::DataPageIndex);
    w.dataPage()->selectDataset(dataset->id);
    settle();
    QTest::qWait(500);
    fits("data");
    walker.walk(&w);
    shot(&w, "data");

    w.showPage(MainWindow::ExplorerPageIndex);
    ExplorerPage* explorer = w.explorerPage();
    explorer->selectDataset(dataset->id);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return explorer->curves() != nullptr && !explorer->isBusy(); }, kWaitMs));
    settle();
    fits("explorer");
    walker.walk(&w);
    shot(&w, "explorer");

    w.showPage(MainWindow::TrainPageIndex);
    w.trainPage()->selectDataset(dataset->id);
    settle();
    fits("train");
    walker.walk(&w);
    shot(&w, "train");

    w.showPage(MainWindow::ComparePageIndex);
    ComparePage* compare = w.comparePage();
    compare->selectDataset(dataset->id);
    ASSERT_TRUE(QTest::qWaitFor([&] { return compare->runModel()->rowCount() == 4; }, kWaitMs));
    const qint64 baseline = compare->runModel()->runAt(0)->id();
    compare->pinBaseline(baseline);
    compare->selectRuns({compare->runModel()->runAt(1)->id()});
    ASSERT_TRUE(QTest::qWaitFor([&] { return !compare->isBusy(); }, kWaitMs));
    settle();
    fits("compare");
    walker.walk(&w);
    shot(&w, "compare");

    w.showPage(MainWindow::ExportPageIndex);
    w.exportPage()->selectDataset(dataset->id);
    settle();
    fits("export");
    walker.walk(&w);
    shot(&w, "export");

    walker.problems.removeDuplicates();
    EXPECT_TRUE(tooLarge.isEmpty()) << tooLarge.join(QStringLiteral("; ")).toStdString();
    EXPECT_TRUE(walker.problems.isEmpty()) << walker.problems.size() << " clipped texts:\n  "
                                           << walker.problems.join(QStringLiteral("\n  ")).toStdString();
}

}  // namespace layout_test_file
