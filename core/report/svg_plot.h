#pragma once
// A small SVG line/point plot for the HTML report: λ on a log axis with ∞ in its own slot at the right,
// points with vertical interval bars, and horizontal reference lines for λ-free configurations.
// Self-contained markup (no script, no external font); colours and sizes fixed so that reports look alike.
#include <string>
#include <vector>

namespace tiltbench::report {

struct PlotPoint {
    double x = 0.0;  // λ; +∞ allowed
    double y = 0.0;
    double lo = 0.0;  // NaN = no bar
    double hi = 0.0;
};

struct PlotSeries {
    std::string label;
    std::string color;
    std::vector<PlotPoint> points;  // drawn in order, joined by a line
};

struct PlotLine {  // a λ-free configuration: a dashed horizontal line
    std::string label;
    std::string color;
    double y = 0.0;
};

struct LambdaPlot {
    std::string title;
    std::string yLabel;
    std::vector<PlotSeries> series;
    std::vector<PlotLine> lines;
    bool zeroLine = false;  // a solid line at y = 0 (difference plots)
};

// The plot as an <svg> element (520 × 300). Empty series and lines give an honest "no data" plot.
std::string renderLambdaPlot(const LambdaPlot& plot);

struct BarSeries {
    std::string label;
    std::string color;
    std::vector<double> values;  // one per group
};

// Grouped bars (groups 1..n on x, one bar per series in each group), 520 × 300.
std::string renderBarGroups(const std::string& title, const std::string& xLabel, const std::string& yLabel,
                            const std::vector<BarSeries>& series);

// Text escaped for HTML element content and attribute values.
std::string escapeHtml(const std::string& text);

}  // namespace tiltbench::report
