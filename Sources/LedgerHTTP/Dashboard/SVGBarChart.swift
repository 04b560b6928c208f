/// A bar chart as inline SVG: no script, no library, no external resource, readable at phone and desktop width (the
/// SVG scales to its container through `viewBox`).
///
/// Each bucket (an hour) holds one bar per series, side by side. Heights scale to the largest value of all series so
/// the series compare honestly; with no data at all the chart draws its frame and no bars (no division by zero).
struct SVGBarChart: Sendable {
    struct Series: Sendable {
        /// Shown in each bar's tooltip.
        var name: String
        /// CSS class that colours the bars (the page's stylesheet defines it).
        var cssClass: String
        var values: [Int64]
    }

    /// One bar's geometry, in `viewBox` units.
    struct Bar: Sendable, Equatable {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
        var value: Int64
        var series: Int
        var bucket: Int
    }

    var series: [Series]
    /// One label per bucket, for the tooltips.
    var labels: [String]
    /// Shorter labels drawn under the axis (every `labelEvery`-th); empty: `labels`.
    var tickLabels: [String] = []
    var labelEvery = 3
    /// Accessible name of the chart.
    var title: String

    static let width = 480.0
    static let height = 170.0
    static let plotTop = 18.0
    static let plotBottom = 146.0
    static let plotLeft = 4.0
    static let plotRight = 476.0
    static var plotHeight: Double { plotBottom - plotTop }

    var bucketCount: Int { series.map(\.values.count).max() ?? 0 }

    /// The largest value shown; 0 when there is nothing to draw.
    var maxValue: Int64 { series.flatMap(\.values).max() ?? 0 }

    /// Every bar, scaled so the largest value fills the plot's height. Zero values get no height.
    func bars() -> [Bar] {
        let buckets = bucketCount
        let top = maxValue
        guard buckets > 0, !series.isEmpty else { return [] }
        let slot = (Self.plotRight - Self.plotLeft) / Double(buckets)
        let gap = slot * 0.2
        let barWidth = (slot - gap) / Double(series.count)
        var bars: [Bar] = []
        for (seriesIndex, line) in series.enumerated() {
            for (bucket, value) in line.values.enumerated() {
                let height = top > 0 ? Self.plotHeight * Double(max(0, value)) / Double(top) : 0
                bars.append(
                    Bar(
                        x: Self.plotLeft + Double(bucket) * slot + gap / 2 + Double(seriesIndex) * barWidth,
                        y: Self.plotBottom - height, width: barWidth, height: height, value: value, series: seriesIndex,
                        bucket: bucket))
            }
        }
        return bars
    }

    func render() -> HTML {
        let viewBox = "0 0 \(Int(Self.width)) \(Int(Self.height))"
        var parts: [HTML] = [
            "<svg class=\"chart\" viewBox=\"\(viewBox)\" role=\"img\" aria-label=\"\(title)\">",
            "<line class=\"axis\" x1=\"\(Self.plotLeft)\" y1=\"\(Self.plotBottom)\" x2=\"\(Self.plotRight)\" y2=\"\(Self.plotBottom)\"/>",
            "<line class=\"gridline\" x1=\"\(Self.plotLeft)\" y1=\"\(Self.plotTop)\" x2=\"\(Self.plotRight)\" y2=\"\(Self.plotTop)\"/>",
            "<text class=\"scale\" x=\"\(Self.plotLeft)\" y=\"\(Self.plotTop - 5)\">\(maxValue)</text>",
        ]
        for bar in bars() where bar.height > 0 {
            let label = bar.bucket < labels.count ? labels[bar.bucket] : ""
            let tip = "\(label) \(series[bar.series].name): \(bar.value)"
            parts.append(
                "<rect class=\"\(series[bar.series].cssClass)\" x=\"\(bar.x)\" y=\"\(bar.y)\" width=\"\(bar.width)\" height=\"\(bar.height)\"><title>\(tip)</title></rect>"
            )
        }
        let slot = (Self.plotRight - Self.plotLeft) / Double(max(bucketCount, 1))
        for (bucket, label) in (tickLabels.isEmpty ? labels : tickLabels).enumerated()
        where labelEvery > 0 && bucket % labelEvery == 0 {
            let x = Self.plotLeft + Double(bucket) * slot + slot / 2
            parts.append("<text class=\"tick\" x=\"\(x)\" y=\"\(Self.height - 6)\" text-anchor=\"middle\">\(label)</text>")
        }
        parts.append("</svg>")
        return .joined(parts)
    }
}
