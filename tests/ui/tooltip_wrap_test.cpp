// Long plain tooltips are shown wrapped (ui/shared/tooltip_wrap.h): the text a user sees, for short, long,
// rich-text and markup-bearing tooltips, and what a hover (a ToolTip event) actually shows.
#include <gtest/gtest.h>
#include <QApplication>
#include <QHelpEvent>
#include <QLabel>
#include <QTextDocument>
#include <QToolTip>

#include "shared/tooltip_wrap.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace tooltip_wrap_test_file {

const QString kLong = QStringLiteral(
    "Sampled softmax: the batch's own targets as candidates (in-batch, at most Candidates of them), or "
    "candidates drawn uniformly or by popularity <count among training targets> & more");

TEST(TooltipWrap, LongPlainTipsBecomeAnEscapedParagraphAndOthersStayAsTheyAre) {
    const QString shortTip = QStringLiteral("One run per λ");
    EXPECT_EQ(TooltipWrapper::shown(shortTip), shortTip);
    EXPECT_EQ(TooltipWrapper::shown(QString()), QString());
    const QString rich = QStringLiteral("<p>") + kLong.toHtmlEscaped() + QStringLiteral("</p>");
    EXPECT_EQ(TooltipWrapper::shown(rich), rich);  // already rich text: Qt wraps it

    const QString wrapped = TooltipWrapper::shown(kLong);
    EXPECT_EQ(wrapped, rich);
    EXPECT_TRUE(Qt::mightBeRichText(wrapped));
    // What the paragraph renders to is the original text, characters that are markup included.
    QTextDocument doc;
    doc.setHtml(wrapped);
    EXPECT_EQ(doc.toPlainText(), kLong);
    // A line break of the plain text stays one.
    QTextDocument two;
    two.setHtml(TooltipWrapper::shown(kLong + QStringLiteral("\nsecond line")));
    EXPECT_EQ(two.toPlainText(), kLong + QStringLiteral("\nsecond line"));
}

TEST(TooltipWrap, AHoverShowsTheWrappedTextAndLeavesTheWidgetsTipAlone) {
    auto* wrapper = new TooltipWrapper(qApp);
    qApp->installEventFilter(wrapper);
    QLabel label(QStringLiteral("hover me"));
    label.setToolTip(kLong);
    label.show();
    const auto hover = [&label] {
        QHelpEvent event(QEvent::ToolTip, QPoint(2, 2), label.mapToGlobal(QPoint(2, 2)));
        QApplication::sendEvent(&label, &event);
    };
    hover();
    EXPECT_TRUE(QToolTip::isVisible());
    EXPECT_EQ(QToolTip::text(), TooltipWrapper::shown(kLong));
    EXPECT_EQ(label.toolTip(), kLong);
    QToolTip::hideText();

    // A short tip goes to Qt untouched.
    label.setToolTip(QStringLiteral("short"));
    hover();
    EXPECT_EQ(QToolTip::text(), QStringLiteral("short"));
    QToolTip::hideText();
    delete wrapper;  // removes itself from the application's filters
}

}  // namespace tooltip_wrap_test_file
