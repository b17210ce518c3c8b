#pragma once
// The method's words in plain language: one entry per term (a weighting setting, a metric family, a protocol
// or statistics word, a training method). The Help dock (Help → The method and its words, F1) shows them all,
// grouped by section, and the pages' tooltips read the same text, so a definition is written once. Plain text
// only: no markdown, no HTML, nothing a tooltip would render differently.
#include <QList>
#include <QString>

class QComboBox;

namespace tiltbench {

struct GlossaryEntry {
    QString key;      // "ess", "ndcg_high", "epoch_s"; metric families use the metric's name without "@K"
    QString section;  // "Weighting", "Metrics", "Protocol and statistics", "Training"
    QString term;     // as the pages show it: "ESS/N", "NDCG high", "Epoch s"
    QString text;     // one to three plain sentences
};

// Every entry, in the Help dock's order.
const QList<GlossaryEntry>& glossary();

// The entry's text; for a metric name with a cut-off ("ndcg_high@10") the family's. Empty when unknown.
QString glossaryText(const QString& key);

// "<term>: <text>" — a tooltip that names what it explains. Empty when unknown.
QString glossaryTip(const QString& key);

// Each item of a chooser whose data are keys (with a prefix: "scheme_" + "exp") gets its entry as tooltip.
void setGlossaryItemTips(QComboBox* combo, const QString& prefix = {});

// The Help dock's document: the method in a few paragraphs, then every entry under its section with an anchor
// named after its key (HTML, escaped).
QString glossaryHtml();

}  // namespace tiltbench
