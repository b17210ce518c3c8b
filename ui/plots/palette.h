#pragma once
// The plots' colours by name: the tab10 palette (matplotlib's default cycle), so a curve reads the same on
// every page and in exported figures.
#include <QColor>

namespace tiltbench::palette {

inline const QColor kBlue(31, 119, 180);
inline const QColor kOrange(255, 127, 14);
inline const QColor kGreen(44, 160, 44);
inline const QColor kRed(214, 39, 40);
inline const QColor kPurple(148, 103, 189);
inline const QColor kGrey(150, 150, 150);

}  // namespace tiltbench::palette
