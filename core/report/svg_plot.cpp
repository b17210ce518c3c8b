#include "report/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tiltbench::report {

namespace {
constexpr double kW = 520, kH = 300, kLeft = 64, kRight = 16, kTop = 34, kBottom = 46;

std::string lambdaText(double l) {
    if (std::isinf(l))
        return "∞";
    return fmt::format("{:g}", l);
}

// The <svg> element's opening: size, white background and the title, centred.
std::string openSvg(const std::string& title);

// "Nice" ticks covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
    const double span = hi - lo;
    const double raw = span / 5.0;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (raw <= m * mag) {
            step = m * mag;
            break;
        }
    }
    std::vector<double> out;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(step > 0.0) || !std::isfinite(step))
        return out;
    // At most a dozen ticks, and never a step too small to move t (values of 1e17 differing by 16).
    for (double t = std::ceil(lo / step) * step; t <= hi + 1e-12 * span && out.size() < 12; t += step) {
        out.push_back(std::abs(t) < 1e-12 * step ? 0.0 : t);
        if (t + step == t)
            break;
    }
    return out;
}
}  // namespace

namespace {
std::string openSvg(const std::string& title) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 "
        "{0} "
        "{1}\" role=\"img\"><title>{2}</title><rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" "
        "fill=\"#fff\"/>"
        "<text x=\"{3}\" y=\"20\" class=\"ptitle\" text-anchor=\"middle\">{2}</text>",
        kW, kH, escapeHtml(title), kW / 2);
}
}  // namespace

std::string escapeHtml(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string renderLambdaPlot(const LambdaPlot& plot) {
    // x: the finite λ values on a log scale, ∞ one slot to the right.
    std::vector<double> lambdas;
    double ylo = std::numeric_limits<double>::infinity(), yhi = -ylo;
    const auto take = [&](double y) {
        if (std::isfinite(y)) {
            ylo = std::min(ylo, y);
            yhi = std::max(yhi, y);
        }
    };
    bool hasInf = false;
    for (const auto& s : plot.series) {
        for (const auto& p : s.points) {
            if (std::isinf(p.x))
                hasInf = true;
            else if (p.x > 0.0)
                lambdas.push_back(p.x);
            take(p.y);
            take(p.lo);
            take(p.hi);
        }
    }
    for (const auto& l : plot.lines)
        take(l.y);
    if (plot.zeroLine)
        take(0.0);
    std::string svg = openSvg(plot.title);
    if (!(ylo <= yhi)) {
        svg +=
            fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">no data</text></svg>",
                        kW / 2, kH / 2);
        return svg;
    }
    if (yhi - ylo < 1e-12) {
        const double pad = std::max(1e-6, std::abs(yhi) * 0.05);
        ylo -= pad;
        yhi += pad;
    }
    const double pad = (yhi - ylo) * 0.08;
    ylo -= pad;
    yhi += pad;
    double xlo = 0.25, xhi = 4.0;
    if (!lambdas.empty()) {
        xlo = *std::min_element(lambdas.begin(), lambdas.end());
        xhi = *std::max_element(lambdas.begin(), lambdas.end());
    }
    const double lxlo = std::log(xlo) - 0.3, lxhi = std::log(std::max(xhi, xlo * 1.0001)) + 0.3;
    const double plotRight = kW - kRight - (hasInf ? 56 : 0);
    const auto X = [&](double l) {
        if (std::isinf(l))
            return kW - kRight - 28;
        return kLeft + (std::log(l) - lxlo) / (lxhi - lxlo) * (plotRight - kLeft);
    };
    const auto Y = [&](double y) { return kTop + (yhi - y) / (yhi - ylo) * (kH - kTop - kBottom); };
    // Axes and grid.
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>", kLeft, kTop,
                       kW - kRight - kLeft, kH - kTop - kBottom);
    for (const double t : ticks(ylo, yhi)) {
        svg += fmt::format(
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/><text x=\"{3}\" "
            "y=\"{4:.1f}\" text-anchor=\"end\" class=\"tick\">{5:g}</text>",
            kLeft, kW - kRight, Y(t), kLeft - 6, Y(t) + 4, t);
    }
    std::vector<double> xs = lambdas;
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    if (xs.size() > 8) {  // a dense curve: label round values only
        std::vector<double> round;
        for (const double t : {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0}) {
            if (t >= xs.front() * 0.999 && t <= xs.back() * 1.001)
                round.push_back(t);
        }
        xs = round;
    }
    if (hasInf)
        xs.push_back(std::numeric_limits<double>::infinity());
    for (const double l : xs) {
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
                           X(l), kH - kBottom + 16, lambdaText(l));
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">λ</text>",
                       (kLeft + kW - kRight) / 2, kH - 10);
    svg += fmt::format(
        "<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" class=\"axis\" transform=\"rotate(-90 16 {0})\">{1}"
        "</text>",
        (kTop + kH - kBottom) / 2, escapeHtml(plot.yLabel));
    if (plot.zeroLine && 0.0 >= ylo && 0.0 <= yhi) {
        svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" class=\"zero\"/>",
                           kLeft, kW - kRight, Y(0.0));
    }
    // Reference lines, labelled at their right end.
    for (const auto& l : plot.lines) {
        svg += fmt::format(
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"1.5\" "
            "stroke-dasharray=\"6 4\"/><text x=\"{4}\" y=\"{5:.1f}\" class=\"label\" fill=\"{3}\" "
            "text-anchor=\"end\">{6}</text>",
            kLeft, kW - kRight, Y(l.y), l.color, kW - kRight - 4, Y(l.y) - 4, escapeHtml(l.label));
    }
    // Series: bars, line, points.
    for (const auto& s : plot.series) {
        std::string path;
        for (const auto& p : s.points) {
            if (!std::isfinite(p.y))
                continue;
            if (std::isfinite(p.lo) && std::isfinite(p.hi)) {
                svg += fmt::format(
                    "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" "
                    "stroke-width=\"1.5\"/>",
                    X(p.x), Y(p.lo), Y(p.hi), s.color);
            }
            path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", X(p.x), Y(p.y));
        }
        if (!path.empty())
            svg +=
                fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", path, s.color);
        for (const auto& p : s.points) {
            if (std::isfinite(p.y)) {
                svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>", X(p.x),
                                   Y(p.y), s.color);
            }
        }
    }
    // Legend (series) at the top left inside the frame.
    double lx = kLeft + 8;
    for (const auto& s : plot.series) {
        svg += fmt::format(
            "<circle cx=\"{0:.1f}\" cy=\"{1}\" r=\"4\" fill=\"{2}\"/><text x=\"{3:.1f}\" y=\"{4}\" "
            "class=\"label\">{5}</text>",
            lx, kTop + 12, s.color, lx + 8, kTop + 16, escapeHtml(s.label));
        lx += 16 + 7.0 * static_cast<double>(s.label.size());
    }
    svg += "</svg>";
    return svg;
}

std::string renderBarGroups(const std::string& title, const std::string& xLabel, const std::string& yLabel,
                            const std::vector<BarSeries>& series) {
    std::string svg = openSvg(title);
    size_t groups = 0;
    double top = 0.0;
    for (const auto& s : series) {
        groups = std::max(groups, s.values.size());
        for (const double v : s.values)
            top = std::isfinite(v) ? std::max(top, v) : top;
    }
    if (groups == 0 || top <= 0.0) {
        svg +=
            fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">no data</text></svg>",
                        kW / 2, kH / 2);
        return svg;
    }
    top *= 1.1;
    const double plotW = kW - kRight - kLeft, plotH = kH - kTop - kBottom;
    const auto Y = [&](double y) { return kTop + (top - y) / top * plotH; };
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>", kLeft, kTop,
                       plotW, plotH);
    for (const double t : ticks(0.0, top)) {
        svg += fmt::format(
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/><text x=\"{3}\" "
            "y=\"{4:.1f}\" text-anchor=\"end\" class=\"tick\">{5:g}</text>",
            kLeft, kW - kRight, Y(t), kLeft - 6, Y(t) + 4, t);
    }
    const double slot = plotW / static_cast<double>(groups);
    const double bar = slot * 0.8 / static_cast<double>(std::max<size_t>(1, series.size()));
    for (size_t g = 0; g < groups; ++g) {
        const double x0 = kLeft + slot * static_cast<double>(g) + slot * 0.1;
        for (size_t s = 0; s < series.size(); ++s) {
            if (g >= series[s].values.size() || !std::isfinite(series[s].values[g]))
                continue;
            const double v = series[s].values[g];
            svg += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>",
                x0 + bar * static_cast<double>(s), Y(v), bar, Y(0.0) - Y(v), series[s].color);
        }
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
                           x0 + slot * 0.4, kH - kBottom + 16, g + 1);
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
                       (kLeft + kW - kRight) / 2, kH - 10, escapeHtml(xLabel));
    svg += fmt::format(
        "<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" class=\"axis\" transform=\"rotate(-90 16 {0})\">{1}"
        "</text>",
        (kTop + kH - kBottom) / 2, escapeHtml(yLabel));
    double ly = kTop + 14;
    for (const auto& s : series) {
        svg += fmt::format(
            "<rect x=\"{0}\" y=\"{1:.1f}\" width=\"10\" height=\"10\" fill=\"{2}\"/><text x=\"{3}\" "
            "y=\"{4:.1f}\" class=\"label\" text-anchor=\"end\">{5}</text>",
            kW - kRight - 16, ly - 9, s.color, kW - kRight - 20, ly, escapeHtml(s.label));
        ly += 15;
    }
    svg += "</svg>";
    return svg;
}

}  // namespace tiltbench::report
