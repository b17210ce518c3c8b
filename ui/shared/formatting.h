#pragma once
// Number and date formatting shared by the models and panels, so a count or a reward reads the same in the
// dataset list, the summary and the import report. English grouping ("100,000") regardless of the system
// locale keeps screenshots and tests stable.
#include <QString>
#include <cstdint>

namespace tiltbench {

QString formatCount(int64_t n);
QString formatReal(double value, int significant = 4);  // trailing zeros dropped
QString formatPercent(double fraction, int decimals = 1);
QString formatRange(double lo, double hi);
// Seconds since the epoch (milliseconds are recognised by size) as a UTC date; `withTime` adds hh:mm.
QString formatTimestamp(int64_t ts, bool withTime = false);
// A duration for people: "45 s", "3 min 05 s", "1 h 02 min"; "—" when not finite or negative.
QString formatDuration(double seconds);
// λ as the UI writes it: up to `significant` digits (4), "∞" for +∞.
QString formatLambdaText(double lambda, int significant = 4);
// The store's ISO 8601 UTC text as "2024-05-01 14:03".
QString formatIsoDateTime(const QString& iso);

}  // namespace tiltbench
