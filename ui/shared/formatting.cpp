#include "shared/formatting.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>
#include <cmath>

namespace tiltbench {

namespace {
const QLocale& displayLocale() {
    static const QLocale locale(QLocale::English, QLocale::UnitedStates);
    return locale;
}

// Timestamps past this are taken as milliseconds (1e11 s is the year 5138).
constexpr int64_t kMillisecondThreshold = 100'000'000'000LL;
}  // namespace

QString formatCount(int64_t n) {
    return displayLocale().toString(static_cast<qlonglong>(n));
}

QString formatReal(double value, int significant) {
    if (!std::isfinite(value)) {
        return QString::number(value);
    }
    return QString::number(value, 'g', significant);
}

QString formatPercent(double fraction, int decimals) {
    const double pct = 100.0 * fraction;
    // Sparse logs have densities far below 0.1 %; show enough digits that they do not read as zero.
    if (pct != 0.0 && std::abs(pct) < 0.1) {
        return QString::number(pct, 'g', 2) + QStringLiteral(" %");
    }
    return QString::number(pct, 'f', decimals) + QStringLiteral(" %");
}

QString formatRange(double lo, double hi) {
    return QStringLiteral("%1 – %2").arg(formatReal(lo), formatReal(hi));
}

QString formatTimestamp(int64_t ts, bool withTime) {
    const qint64 ms = ts > kMillisecondThreshold ? ts : ts * 1000;
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
    return dt.toString(withTime ? QStringLiteral("yyyy-MM-dd hh:mm") : QStringLiteral("yyyy-MM-dd"));
}

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0.0) {
        return QStringLiteral("—");
    }
    if (seconds < 10.0) {
        return QString::number(seconds, 'f', 1) + QStringLiteral(" s");
    }
    const auto total = static_cast<qint64>(std::llround(seconds));
    if (total < 60) {
        return QStringLiteral("%1 s").arg(total);
    }
    if (total < 3600) {
        return QStringLiteral("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
    }
    return QStringLiteral("%1 h %2 min").arg(total / 3600).arg((total % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString formatLambdaText(double lambda, int significant) {
    return std::isfinite(lambda) ? formatReal(lambda, significant) : QStringLiteral("∞");
}

QString formatIsoDateTime(const QString& iso) {
    QDateTime dt = QDateTime::fromString(iso, Qt::ISODate);
    if (!dt.isValid()) {
        dt = QDateTime::fromString(iso, QStringLiteral("yyyy-MM-dd hh:mm:ss"));
    }
    return dt.isValid() ? dt.toString(QStringLiteral("yyyy-MM-dd hh:mm")) : iso;
}

}  // namespace tiltbench
