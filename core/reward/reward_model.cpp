#include "reward/reward_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

#include "common/error.h"
#include "common/seeded_random.h"

namespace tiltbench {

constexpr std::pair<RewardModelKind, const char*> kKindNames[] = {
    {RewardModelKind::ItemMean, "item-mean"},
    {RewardModelKind::Bias, "bias"},
    {RewardModelKind::Factorisation, "mf"},
    {RewardModelKind::SasrecHead, "sasrec-head"}};

RewardModelKind parseRewardModelKind(const std::string& text) {
    for (const auto& [kind, name] : kKindNames)
        if (text == name)
            return kind;
    throw Error(fmt::format("reward model must be one of item-mean, bias, mf, sasrec-head (got '{}')", text));
}

std::string formatRewardModelKind(RewardModelKind kind) {
    for (const auto& [k, name] : kKindNames)
        if (k == kind)
            return name;
    return "item-mean";
}

void RewardModelOptions::validate() const {
    if (!(prior >= 0.0) || !std::isfinite(prior))
        throw Error(fmt::format("--prior must be a finite number >= 0 (got {})", prior));
    if (!(l2 > 0.0) || !std::isfinite(l2))
        throw Error(fmt::format("--l2 must be a finite number > 0 (got {})", l2));
    if (dim < 1 || dim > 256)
        throw Error(fmt::format("--dim must be in 1..256 (got {})", dim));
    if (iterations < 1 || iterations > 1000)
        throw Error(fmt::format("--iterations must be in 1..1000 (got {})", iterations));
    if (stateRun < 0)
        throw Error(fmt::format("--state-run must be a run id (got {})", stateRun));
    if (kind == RewardModelKind::SasrecHead && stateRun == 0)
        throw Error(
            "reward model sasrec-head needs --state-run RUN: the finished SASRec run whose hidden "
            "states it reads");
}

namespace {

void checkObservations(const RewardObservations& d) {
    if (d.user.size() != d.item.size() || d.user.size() != d.reward.size())
        throw Error("reward model: observations of different lengths");
    if (d.user.empty())
        throw Error("reward model: no training observations");
    if (d.numUsers <= 0 || d.numItems <= 0)
        throw Error("reward model: empty catalogue");
    for (size_t n = 0; n < d.user.size(); ++n) {
        if (d.user[n] < 0 || d.user[n] >= d.numUsers || d.item[n] < 0 || d.item[n] >= d.numItems)
            throw Error(fmt::format("reward model: observation {} has an id out of range", n));
        if (!std::isfinite(d.reward[n]))
            throw Error(fmt::format("reward model: observation {} has a reward that is not finite", n));
    }
}

void checkStates(const RewardObservations& d, const RewardStates* s) {
    if (s == nullptr)
        throw Error("reward model sasrec-head: no hidden states were given (--state-run)");
    if (s->dim < 1 || s->dim > kMaxRewardStateDim)
        throw Error(fmt::format("reward model sasrec-head: state dimension must be in 1..{} (got {})",
                                kMaxRewardStateDim, s->dim));
    const auto dim = static_cast<size_t>(s->dim);
    if (s->hasContext.size() != d.user.size() || s->context.size() != d.user.size() * dim ||
        s->user.size() != static_cast<size_t>(d.numUsers) * dim)
        throw Error("reward model sasrec-head: the states do not match the observations and users");
    const auto finite = [](float v) { return std::isfinite(v); };
    if (!std::all_of(s->context.begin(), s->context.end(), finite) ||
        !std::all_of(s->user.begin(), s->user.end(), finite))
        throw Error("reward model sasrec-head: a hidden state is not finite");
}

double meanReward(const RewardObservations& d) {
    return std::accumulate(d.reward.begin(), d.reward.end(), 0.0) / static_cast<double>(d.reward.size());
}

// The stored form: the magic, then kind, k, numUsers, numItems as int32 and μ as float64, then the kind's
// parameters as float64 arrays — item-mean: the numItems means; bias and mf: the objective, then per user and
// per item its k factors and its bias. Native byte order (every supported target is little-endian).
constexpr char kMagic[8] = {'T', 'B', 'R', 'W', 'D', 'M', '0', '1'};
constexpr size_t kHeaderBytes = sizeof(kMagic) + 4 * sizeof(int32_t) + sizeof(double);

std::string header(RewardModelKind kind, int32_t k, int32_t numUsers, int32_t numItems, double mu) {
    std::string out(kMagic, sizeof(kMagic));
    for (const int32_t v : {static_cast<int32_t>(kind), k, numUsers, numItems})
        out.append(reinterpret_cast<const char*>(&v), sizeof(v));
    out.append(reinterpret_cast<const char*>(&mu), sizeof(mu));
    return out;
}

void appendDoubles(std::string& out, const std::vector<double>& values) {
    out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

class ItemMeanModel : public RewardModel {
  public:
    ItemMeanModel(const RewardObservations& d, double prior)
        : m_numUsers(d.numUsers), m_mean(static_cast<size_t>(d.numItems)) {
        const double mu = meanReward(d);
        std::vector<double> sum(static_cast<size_t>(d.numItems), 0.0),
            count(static_cast<size_t>(d.numItems), 0.0);
        for (size_t n = 0; n < d.item.size(); ++n) {
            sum[static_cast<size_t>(d.item[n])] += d.reward[n];
            count[static_cast<size_t>(d.item[n])] += 1.0;
        }
        for (size_t i = 0; i < m_mean.size(); ++i)
            m_mean[i] = count[i] + prior > 0.0 ? (sum[i] + prior * mu) / (count[i] + prior) : mu;
    }
    ItemMeanModel(int32_t numUsers, std::vector<double> mean)
        : m_numUsers(numUsers), m_mean(std::move(mean)) {}
    double predict(int32_t, int32_t item) const override { return m_mean[static_cast<size_t>(item)]; }
    double objective() const override { return std::numeric_limits<double>::quiet_NaN(); }
    std::string serialize() const override {
        std::string out =
            header(RewardModelKind::ItemMean, 0, m_numUsers, static_cast<int32_t>(m_mean.size()), 0.0);
        appendDoubles(out, m_mean);
        return out;
    }

  private:
    int32_t m_numUsers;
    std::vector<double> m_mean;
};

// Observations grouped by one side (users or items): CSR offsets and the observation indices.
struct Grouped {
    std::vector<int64_t> offsets;
    std::vector<int64_t> rows;
};

Grouped groupBy(const std::vector<int32_t>& key, int32_t size) {
    Grouped g;
    g.offsets.assign(static_cast<size_t>(size) + 1, 0);
    for (const int32_t k : key)
        ++g.offsets[static_cast<size_t>(k) + 1];
    std::partial_sum(g.offsets.begin(), g.offsets.end(), g.offsets.begin());
    g.rows.resize(key.size());
    std::vector<int64_t> fill(g.offsets.begin(), g.offsets.end() - 1);
    for (size_t n = 0; n < key.size(); ++n)
        g.rows[static_cast<size_t>(fill[static_cast<size_t>(key[n])]++)] = static_cast<int64_t>(n);
    return g;
}

// Solves A x = b in place for a symmetric positive definite A (m × m, row-major) by Cholesky; A is
// overwritten.
void solveSpd(std::vector<double>& a, std::vector<double>& b, int m) {
    const auto at = [&](int r, int c) -> double& { return a[static_cast<size_t>(r * m + c)]; };
    for (int j = 0; j < m; ++j) {
        double d = at(j, j);
        for (int k = 0; k < j; ++k)
            d -= at(j, k) * at(j, k);
        d = std::sqrt(d);  // > 0: A = ZᵀZ + λI with λ > 0
        at(j, j) = d;
        for (int r = j + 1; r < m; ++r) {
            double s = at(r, j);
            for (int k = 0; k < j; ++k)
                s -= at(r, k) * at(j, k);
            at(r, j) = s / d;
        }
    }
    for (int r = 0; r < m; ++r) {  // L y = b
        double s = b[static_cast<size_t>(r)];
        for (int k = 0; k < r; ++k)
            s -= at(r, k) * b[static_cast<size_t>(k)];
        b[static_cast<size_t>(r)] = s / at(r, r);
    }
    for (int r = m - 1; r >= 0; --r) {  // Lᵀ x = y
        double s = b[static_cast<size_t>(r)];
        for (int k = r + 1; k < m; ++k)
            s -= at(k, r) * b[static_cast<size_t>(k)];
        b[static_cast<size_t>(r)] = s / at(r, r);
    }
}

// μ + b_u + b_i + p_uᵀq_i; k = 0 is the bias model. Per row of `factors`: k factors, then the bias. The
// sasrec-head is this model with p_u the user's SASRec state and b_u = 0 (see fitHead).
class AlternatingModel : public RewardModel {
  public:
    AlternatingModel(const RewardObservations& d, const RewardModelOptions& o, int k,
                     const ProgressCallback& progress)
        : m_kind(k == 0 ? RewardModelKind::Bias : RewardModelKind::Factorisation),
          m_k(k),
          m_mu(meanReward(d)),
          m_users(static_cast<size_t>(d.numUsers) * static_cast<size_t>(k + 1), 0.0),
          m_items(static_cast<size_t>(d.numItems) * static_cast<size_t>(k + 1), 0.0) {
        SeededRandom rng(o.seed);
        for (int32_t i = 0; i < d.numItems; ++i)
            for (int f = 0; f < k; ++f)
                m_items[static_cast<size_t>(i) * static_cast<size_t>(k + 1) + static_cast<size_t>(f)] =
                    0.1 * (rng.uniform() - 0.5);
        const Grouped byUser = groupBy(d.user, d.numUsers);
        const Grouped byItem = groupBy(d.item, d.numItems);
        for (int it = 0; it < o.iterations; ++it) {
            reportProgress(progress, {"fitting", static_cast<uint64_t>(it),
                                      static_cast<uint64_t>(o.iterations), "sweeps"});
            solveSide(d, byUser, d.item, m_users, m_items, o.l2);
            solveSide(d, byItem, d.user, m_items, m_users, o.l2);
        }
        reportProgress(progress, {"fitting", static_cast<uint64_t>(o.iterations),
                                  static_cast<uint64_t>(o.iterations), "sweeps"});
        double sq = 0.0;
        for (size_t n = 0; n < d.user.size(); ++n) {
            const double e = d.reward[n] - predict(d.user[n], d.item[n]);
            sq += e * e;
        }
        double reg = 0.0;
        for (const double v : m_users)
            reg += v * v;
        for (const double v : m_items)
            reg += v * v;
        m_objective = (sq + o.l2 * reg) / static_cast<double>(d.user.size());
    }

    double predict(int32_t user, int32_t item) const override {
        const size_t w = static_cast<size_t>(m_k) + 1;
        const double* p = &m_users[static_cast<size_t>(user) * w];
        const double* q = &m_items[static_cast<size_t>(item) * w];
        double s = m_mu + p[m_k] + q[m_k];
        for (int f = 0; f < m_k; ++f)
            s += p[f] * q[f];
        return s;
    }
    double objective() const override { return m_objective; }

    AlternatingModel(RewardModelKind kind, int k, double mu, std::vector<double> users,
                     std::vector<double> items, double objective)
        : m_kind(kind),
          m_k(k),
          m_mu(mu),
          m_users(std::move(users)),
          m_items(std::move(items)),
          m_objective(objective) {}
    std::string serialize() const override {
        const auto w = static_cast<size_t>(m_k) + 1;
        std::string out = header(m_kind, m_k, static_cast<int32_t>(m_users.size() / w),
                                 static_cast<int32_t>(m_items.size() / w), m_mu);
        appendDoubles(out, {m_objective});
        appendDoubles(out, m_users);
        appendDoubles(out, m_items);
        return out;
    }

    // The sasrec-head: every item's (q_i, b_i) is the exact ridge solution over the observations that have a
    // context, each through its own context state; the users' rows are their final states with b_u = 0.
    static std::unique_ptr<AlternatingModel> fitHead(const RewardObservations& d, const RewardModelOptions& o,
                                                     const RewardStates& s,
                                                     const ProgressCallback& progress) {
        const int k = s.dim;
        const auto w = static_cast<size_t>(k) + 1;
        RewardObservations sub{0, d.numItems, {}, {}, {}};  // user = the observation's row in `contexts`
        std::vector<double> contexts;
        for (size_t n = 0; n < d.user.size(); ++n) {
            if (!s.hasContext[n])
                continue;
            sub.user.push_back(sub.numUsers++);
            sub.item.push_back(d.item[n]);
            sub.reward.push_back(d.reward[n]);
            contexts.insert(contexts.end(), s.context.begin() + static_cast<std::ptrdiff_t>(n * (w - 1)),
                            s.context.begin() + static_cast<std::ptrdiff_t>((n + 1) * (w - 1)));
            contexts.push_back(0.0);  // b_u = 0
        }
        if (sub.user.empty())
            throw Error(
                "reward model sasrec-head: no training target has a context (every user has one item)");
        std::vector<double> users(static_cast<size_t>(d.numUsers) * w, 0.0);
        for (size_t u = 0; u < static_cast<size_t>(d.numUsers); ++u)
            std::copy(s.user.begin() + static_cast<std::ptrdiff_t>(u * (w - 1)),
                      s.user.begin() + static_cast<std::ptrdiff_t>((u + 1) * (w - 1)),
                      users.begin() + static_cast<std::ptrdiff_t>(u * w));
        auto model = std::make_unique<AlternatingModel>(
            RewardModelKind::SasrecHead, k, meanReward(sub), std::move(users),
            std::vector<double>(static_cast<size_t>(d.numItems) * w), 0.0);
        reportProgress(progress, {"fitting", 0, 1, "sweeps"});
        model->solveSide(sub, groupBy(sub.item, sub.numItems), sub.user, model->m_items, contexts, o.l2);
        reportProgress(progress, {"fitting", 1, 1, "sweeps"});
        double sq = 0.0, reg = 0.0;
        for (size_t n = 0; n < sub.user.size(); ++n) {
            const double* c = &contexts[n * w];
            const double* q = &model->m_items[static_cast<size_t>(sub.item[n]) * w];
            double e = sub.reward[n] - model->m_mu - q[k];
            for (int f = 0; f < k; ++f)
                e -= c[f] * q[f];
            sq += e * e;
        }
        for (const double v : model->m_items)
            reg += v * v;
        model->m_objective = (sq + o.l2 * reg) / static_cast<double>(sub.user.size());
        return model;
    }

  private:
    // For every entity e of one side: its (factors, bias) = argmin Σ (r − μ − b_other − xᵀ[z_other; 1])² +
    // λ‖x‖², z_other the other side's factors — exact, given the other side.
    void solveSide(const RewardObservations& d, const Grouped& groups, const std::vector<int32_t>& other,
                   std::vector<double>& mine, const std::vector<double>& theirs, double l2) const {
        const int m = m_k + 1;
        const size_t w = static_cast<size_t>(m);
        std::vector<double> a(w * w), b(w), z(w);
        const auto entities = static_cast<int64_t>(groups.offsets.size()) - 1;
        for (int64_t e = 0; e < entities; ++e) {
            std::fill(a.begin(), a.end(), 0.0);
            std::fill(b.begin(), b.end(), 0.0);
            for (int r = 0; r < m; ++r)
                a[static_cast<size_t>(r) * w + static_cast<size_t>(r)] = l2;
            for (int64_t j = groups.offsets[static_cast<size_t>(e)];
                 j < groups.offsets[static_cast<size_t>(e) + 1]; ++j) {
                const auto n = static_cast<size_t>(groups.rows[static_cast<size_t>(j)]);
                const double* t = &theirs[static_cast<size_t>(other[n]) * w];
                for (int f = 0; f < m_k; ++f)
                    z[static_cast<size_t>(f)] = t[f];
                z[static_cast<size_t>(m_k)] = 1.0;
                const double y = d.reward[n] - m_mu - t[m_k];
                for (size_t r = 0; r < w; ++r) {
                    b[r] += y * z[r];
                    for (size_t c = 0; c <= r; ++c)
                        a[r * w + c] += z[r] * z[c];
                }
            }
            for (size_t r = 0; r < w; ++r)
                for (size_t c = r + 1; c < w; ++c)
                    a[r * w + c] = a[c * w + r];
            solveSpd(a, b, m);
            std::copy(b.begin(), b.end(),
                      mine.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(e) * w));
        }
    }

    RewardModelKind m_kind;
    int m_k;
    double m_mu;
    std::vector<double> m_users;  // numUsers × (k + 1)
    std::vector<double> m_items;  // numItems × (k + 1)
    double m_objective = 0.0;
};

}  // namespace

std::unique_ptr<RewardModel> fitRewardModel(const RewardObservations& data, const RewardModelOptions& options,
                                            const ProgressCallback& progress, const RewardStates* states) {
    options.validate();
    checkObservations(data);
    switch (options.kind) {
        case RewardModelKind::ItemMean:
            return std::make_unique<ItemMeanModel>(data, options.prior);
        case RewardModelKind::Bias:
            return std::make_unique<AlternatingModel>(data, options, 0, progress);
        case RewardModelKind::Factorisation:
            return std::make_unique<AlternatingModel>(data, options, options.dim, progress);
        case RewardModelKind::SasrecHead:
            checkStates(data, states);
            return AlternatingModel::fitHead(data, options, *states, progress);
    }
    throw Error("reward model: unknown kind");
}

std::unique_ptr<RewardModel> loadRewardModel(const std::string& bytes, int32_t numUsers, int32_t numItems,
                                             const std::string& where) {
    const auto fail = [&where](const std::string& what) {
        return Error(fmt::format("{}: not a usable reward model: {}", where, what));
    };
    if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        throw fail("it does not start with a reward model's header");
    int32_t head[4];
    std::memcpy(head, bytes.data() + sizeof(kMagic), sizeof(head));
    double mu = 0.0;
    std::memcpy(&mu, bytes.data() + sizeof(kMagic) + sizeof(head), sizeof(mu));
    const int32_t kind = head[0], k = head[1];
    if (kind < 0 || kind > static_cast<int32_t>(RewardModelKind::SasrecHead))
        throw fail(fmt::format("unknown kind {}", kind));
    if (head[2] != numUsers || head[3] != numItems)
        throw fail(fmt::format("it was fitted for {} users and {} items, the split has {} and {}", head[2],
                               head[3], numUsers, numItems));
    const auto model = static_cast<RewardModelKind>(kind);
    const bool factors = model == RewardModelKind::Factorisation || model == RewardModelKind::SasrecHead;
    const int32_t maxK = model == RewardModelKind::SasrecHead ? kMaxRewardStateDim : 256;
    const int32_t wantK = factors ? k : 0;
    if (factors ? (k < 1 || k > maxK) : k != 0)
        throw fail(fmt::format("dimension {} does not fit kind {}", k, formatRewardModelKind(model)));
    const auto w = static_cast<uint64_t>(wantK) + 1;
    const uint64_t doubles =
        model == RewardModelKind::ItemMean
            ? static_cast<uint64_t>(numItems)
            : 1 + (static_cast<uint64_t>(numUsers) + static_cast<uint64_t>(numItems)) * w;
    if (bytes.size() != kHeaderBytes + doubles * sizeof(double))
        throw fail(fmt::format("{} bytes where {} were expected", bytes.size(),
                               kHeaderBytes + doubles * sizeof(double)));
    std::vector<double> values(static_cast<size_t>(doubles));
    std::memcpy(values.data(), bytes.data() + kHeaderBytes, values.size() * sizeof(double));
    if (!std::isfinite(mu) ||
        !std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }))
        throw fail("a parameter is not finite");
    if (model == RewardModelKind::ItemMean)
        return std::make_unique<ItemMeanModel>(numUsers, std::move(values));
    const auto users = static_cast<std::ptrdiff_t>(static_cast<uint64_t>(numUsers) * w);
    std::vector<double> u(values.begin() + 1, values.begin() + 1 + users);
    std::vector<double> i(values.begin() + 1 + users, values.end());
    return std::make_unique<AlternatingModel>(model, wantK, mu, std::move(u), std::move(i), values[0]);
}

}  // namespace tiltbench
