#include "shared/glossary.h"

#include <QComboBox>
#include <QCoreApplication>

namespace tiltbench {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Glossary", text);
}

QList<GlossaryEntry> build() {
    const QString weighting = tr("Weighting");
    const QString metrics = tr("Metrics");
    const QString protocol = tr("Protocol and statistics");
    const QString training = tr("Training");
    return {
        // Weighting
        {QStringLiteral("lambda"), weighting, tr("λ (temperature)"),
         tr("How strongly the reward tilts training. Each logged example is weighted by w = exp(reward / λ): "
            "a "
            "small λ puts almost all weight on the highest rewards, a large λ weighs every example nearly "
            "the "
            "same, and λ = ∞ is exactly plain fine-tuning (SFT).")},
        {QStringLiteral("scheme_exp"), weighting, tr("exp"),
         tr("The method studied here: weight w = exp(reward / λ), then fine-tune the next-item model with "
            "the "
            "weighted loss.")},
        {QStringLiteral("scheme_uniform"), weighting, tr("uniform (SFT)"),
         tr("Every example weighs 1: supervised fine-tuning on the log, the baseline every other weighting "
            "is "
            "compared with.")},
        {QStringLiteral("scheme_linear"), weighting, tr("linear"),
         tr("Weight grows in proportion to the reward: w = reward − lowest reward + ε. The simple "
            "alternative "
            "the paper compares exp weighting with.")},
        {QStringLiteral("scheme_filter"), weighting, tr("filter"),
         tr("Keep only examples whose reward reaches a threshold (default: the top rating) and weigh them "
            "equally; the rest weigh 0.")},
        {QStringLiteral("normalization"), weighting, tr("Normalisation (mean 1, none, per batch)"),
         tr("mean 1 divides every weight by the mean weight over the training targets, so the loss keeps its "
            "scale and only the balance between examples changes; none keeps the raw weights; per batch "
            "divides "
            "by each batch's mean while training (the Explorer then shows the raw weights).")},
        {QStringLiteral("clip"), weighting, tr("Clip"),
         tr("The largest weight an example may get after normalisation; it bounds how much a few high-reward "
            "examples can dominate. none: no bound.")},
        {QStringLiteral("ess"), weighting, tr("ESS/N"),
         tr("Effective sample size as a share of the training targets: (Σw)² / Σw² divided by N. 1 means "
            "every "
            "example counts equally; 0.1 means the weighted loss learns about as much as from a tenth of the "
            "data. It falls as λ falls.")},
        {QStringLiteral("reward_level"), weighting, tr("Reward level"),
         tr("One distinct reward value of the log (a star rating, a click). The level plot shows each "
            "level's "
            "share of the total weight at this λ next to its share when every example weighs the same.")},
        {QStringLiteral("count"), weighting, tr("Count (training targets)"),
         tr("How often an item is a training target under the split: its interactions minus those held out "
            "as "
            "validation or test targets. It is therefore a little lower than the interaction count on the "
            "Data page.")},
        {QStringLiteral("share"), weighting, tr("Share at λ"),
         tr("The item's share of the total training weight at this λ; Change vs uniform compares it with its "
            "share when every example weighs the same.")},
        {QStringLiteral("suggested_lambda"), weighting, tr("Suggested λ"),
         tr("The λ with the best validation NDCG@10 on high-reward targets for the tilted Markov policy "
            "among "
            "the λ whose ESS/N stays at or above the floor you set. A quick closed-form guide, not a trained "
            "model's result.")},
        {QStringLiteral("user_sample"), weighting, tr("Seeded user sample"),
         tr("The Explorer's metric curves evaluate at most a fixed, seeded sample of users so they come back "
            "in "
            "seconds, and show no intervals; Record a Markov run evaluates all users with intervals.")},
        {QStringLiteral("markov"), weighting, tr("Tilted Markov policy"),
         tr("A closed-form next-item model: how often item j follows item i in the training log, each "
            "transition "
            "weighted by exp(reward / λ). It needs no training, so the Explorer can draw its metrics against "
            "λ.")},

        // Metrics
        {QStringLiteral("ndcg"), metrics, tr("NDCG@K"),
         tr("Ranking quality of the held-out next item: 1 / log2(rank + 1) when it is among the top K of the "
            "whole catalogue (the user's earlier items excluded), 0 otherwise, averaged over users.")},
        {QStringLiteral("hr"), metrics, tr("HR@K"),
         tr("Hit rate: the share of users whose held-out next item is among the top K.")},
        {QStringLiteral("mrr"), metrics, tr("MRR@K"),
         tr("Mean reciprocal rank: 1 / rank of the held-out item when it is in the top K, 0 otherwise.")},
        {QStringLiteral("ndcg_high"), metrics, tr("NDCG high (high-reward targets)"),
         tr("NDCG@K averaged only over users whose held-out item has a high reward (by default the dataset's "
            "top "
            "rating): does the model rank the items people liked most? The paper's main quality measure.")},
        {QStringLiteral("hr_high"), metrics, tr("HR high"),
         tr("Hit rate on the users whose held-out item has a high reward.")},
        {QStringLiteral("mrr_high"), metrics, tr("MRR high"),
         tr("Mean reciprocal rank on the users whose held-out item has a high reward.")},
        {QStringLiteral("item_mean_reward"), metrics, tr("Item-mean reward"),
         tr("The mean training reward of the recommended items, each shrunk toward the global mean (as if it "
            "had 10 more average ratings), so an item rated once does not count as a sure hit.")},
        {QStringLiteral("true_reward"), metrics, tr("True reward"),
         tr("Simulated data only: the mean expected reward of the top K under the simulator's known ground "
            "truth. Real logs have no such number.")},
        {QStringLiteral("proxy_reward"), metrics, tr("Proxy reward"),
         tr("The reward model's estimate r̂ of the top K's reward: what DPO, PPO and exp on r̂ optimise. It "
            "can "
            "rise while the true reward does not (over-optimisation).")},
        {QStringLiteral("kl_ref"), metrics, tr("KL to parent"),
         tr("How far the post-trained model's next-item distribution moved from the model it started from "
            "(exact "
            "KL divergence over the catalogue, averaged over users).")},
        {QStringLiteral("random_ndcg"), metrics, tr("Random-exposure NDCG"),
         tr("Where the dataset has items shown to users at random (Coat): graded NDCG of the model's "
            "ordering of "
            "those items by their ratings. Free of the log's exposure bias.")},
        {QStringLiteral("arp"), metrics, tr("ARP@K"),
         tr("Average recommendation popularity: the mean training count of the recommended items. Higher "
            "means "
            "the model leans toward popular items.")},
        {QStringLiteral("aplt"), metrics, tr("APLT@K"),
         tr("Average percentage of long-tail items: the share of recommended items outside the 20 % most "
            "frequent training items.")},
        {QStringLiteral("coverage"), metrics, tr("Coverage@K"),
         tr("The share of the catalogue that appears in at least one user's top K.")},
        {QStringLiteral("gini"), metrics, tr("Gini@K"),
         tr("Inequality of how often items are recommended: 0 = every item equally often, near 1 = nearly "
            "all "
            "recommendations on a few items. The Explorer also gives the Gini of the training weight over "
            "items.")},
        {QStringLiteral("entropy"), metrics, tr("Entropy@K"),
         tr("Spread of the recommendations over items in bits (at most log2 of the catalogue size); higher "
            "is "
            "more diverse.")},

        // Protocol and statistics
        {QStringLiteral("loo"), protocol, tr("Leave-one-out, full ranking"),
         tr("For each user the last interaction is the test target and the second last the validation "
            "target; "
            "the rest trains. The model ranks the whole catalogue (no sampled negatives), the user's earlier "
            "items are excluded, and ties count against the model.")},
        {QStringLiteral("time_split"), protocol, tr("Time split"),
         tr("One cut in time: interactions before it train, each user's first interaction after it is their "
            "validation or test target.")},
        {QStringLiteral("interval"), protocol, tr("95 % interval"),
         tr("A bootstrap interval over users: the metric recomputed on 1,000 resamples of the evaluated "
            "users; "
            "95 % of them fall inside.")},
        {QStringLiteral("paired"), protocol, tr("Δ and paired interval"),
         tr("With a baseline pinned, each cell is the run's difference from the baseline on the same users, "
            "with a 95 % interval of that difference from the same resamples. An interval that contains 0 "
            "means the difference is not established.")},
        {QStringLiteral("not_established"), protocol, tr("Not established"),
         tr("The interval of a difference straddles 0 (or the bound a claim needs): the data do not show the "
            "difference either way, whatever the point estimate says.")},
        {QStringLiteral("pp"), protocol, tr("pp"),
         tr("Percentage points: the difference of two percentages (12 % to 15 % is +3 pp, not +25 %).")},
        {QStringLiteral("epoch_s"), protocol, tr("Epoch s"),
         tr("Seconds of training per epoch, the mean over the run's epochs (the validation after each epoch "
            "not included); empty for closed-form policies, which fit in one pass.")},
        {QStringLiteral("seeds"), protocol, tr("Seeds"),
         tr("Runs that differ only in their random seed. A claim is judged on the mean over seeds with a "
            "paired interval, not on one lucky run.")},

        // Training
        {QStringLiteral("sft"), training, tr("SFT"),
         tr("Supervised fine-tuning: the next-item model trained on the log with every example weighing the "
            "same (λ = ∞). The parent that post-training starts from.")},
        {QStringLiteral("post_training"), training, tr("Post-training"),
         tr("Continuing a finished SFT run with another objective (exp weighting, DPO, PPO) from its "
            "weights.")},
        {QStringLiteral("reward_model"), training, tr("Reward model (r̂)"),
         tr("A model fitted to predict the logged reward of a (user, item) pair; a run can weight by its "
            "estimates r̂ instead of the logged rewards, and DPO and PPO need one.")},
        {QStringLiteral("dpo"), training, tr("DPO"),
         tr("Direct preference optimisation: pairs of items from the model's own recommendations, ordered by "
            "the reward model, push the model toward the preferred item while staying near its parent.")},
        {QStringLiteral("ppo"), training, tr("PPO"),
         tr("Proximal policy optimisation: reinforcement learning of the recommender against the reward "
            "model, "
            "with a clipped objective and a KL penalty to the parent.")},
        {QStringLiteral("resumable"), training, tr("Resumable"),
         tr("A cancelled SASRec run keeps the state of its last finished epoch; Resume continues it from "
            "there "
            "as the same run.")},
    };
}

QString family(const QString& key) {
    const int at = key.indexOf(QLatin1Char('@'));
    return at < 0 ? key : key.left(at);
}

}  // namespace

const QList<GlossaryEntry>& glossary() {
    static const QList<GlossaryEntry> entries = build();
    return entries;
}

QString glossaryText(const QString& key) {
    const QString k = family(key);
    for (const GlossaryEntry& e : glossary()) {
        if (e.key == k) {
            return e.text;
        }
    }
    return {};
}

QString glossaryTip(const QString& key) {
    const QString k = family(key);
    for (const GlossaryEntry& e : glossary()) {
        if (e.key == k) {
            return QStringLiteral("%1: %2").arg(e.term, e.text);
        }
    }
    return {};
}

void setGlossaryItemTips(QComboBox* combo, const QString& prefix) {
    for (int i = 0; i < combo->count(); ++i) {
        const QString tip = glossaryTip(prefix + combo->itemData(i).toString());
        if (!tip.isEmpty()) {
            combo->setItemData(i, tip, Qt::ToolTipRole);
        }
    }
}

QString glossaryHtml() {
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("The method").toHtmlEscaped());
    const QStringList method = {
        tr("Tiltbench studies one post-training method for generative (next-item) recommenders: weight every "
           "logged example by w = exp(reward / λ) and fine-tune the model with the weighted loss. Examples "
           "with "
           "high rewards (a five-star rating, a purchase) count more; λ sets how much more."),
        tr("The λ Explorer shows, before any training, how the weight shifts across reward levels and items "
           "and how much of the data still counts (ESS/N). The Train page trains the real model (SASRec) at "
           "one "
           "λ or a sweep; Compare sets runs against a pinned baseline with paired intervals; Export writes "
           "trained models and reports."),
        tr("The question it answers: on your data, does exp-weighted post-training beat plain fine-tuning "
           "(SFT), linear weighting and RLHF (DPO, PPO against a reward model), and at which λ? Hover a "
           "setting, a column header or a label to read its entry below."),
    };
    for (const QString& p : method) {
        html += QStringLiteral("<p>%1</p>").arg(p.toHtmlEscaped());
    }
    QString section;
    for (const GlossaryEntry& e : glossary()) {
        if (e.section != section) {
            section = e.section;
            html += QStringLiteral("<h3>%1</h3>").arg(section.toHtmlEscaped());
        }
        html += QStringLiteral("<p><a name=\"%1\"></a><b>%2</b> — %3</p>")
                    .arg(e.key, e.term.toHtmlEscaped(), e.text.toHtmlEscaped());
    }
    return html;
}

}  // namespace tiltbench
