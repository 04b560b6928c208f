import Foundation
import Testing

@testable import LedgerHTTP

struct SVGBarChartTests {
    private func chart(_ series: [[Int64]]) -> SVGBarChart {
        SVGBarChart(
            series: series.enumerated().map { .init(name: "s\($0.offset)", cssClass: "bar-\($0.offset)", values: $0.element) },
            labels: (0..<(series.first?.count ?? 0)).map { "\($0):00" }, title: "chart")
    }

    @Test func barHeightsScaleToTheLargestValue() {
        let bars = chart([[0, 5, 10, 2]]).bars()
        #expect(bars.map(\.height) == [0, SVGBarChart.plotHeight / 2, SVGBarChart.plotHeight, SVGBarChart.plotHeight / 5])
        // Every bar stands on the axis.
        for bar in bars { #expect(abs(bar.y + bar.height - SVGBarChart.plotBottom) < 1e-9) }
        // Buckets run left to right without overlapping.
        for (left, right) in zip(bars, bars.dropFirst()) { #expect(left.x + left.width <= right.x) }
    }

    @Test func twoSeriesShareOneScaleSoTheyCompareHonestly() {
        let bars = chart([[10, 0], [40, 20]]).bars()
        let heights = Dictionary(uniqueKeysWithValues: bars.map { ("\($0.series)-\($0.bucket)", $0.height) })
        #expect(heights["1-0"] == SVGBarChart.plotHeight)
        #expect(heights["0-0"] == SVGBarChart.plotHeight / 4)
        #expect(heights["1-1"] == SVGBarChart.plotHeight / 2)
        #expect(heights["0-1"] == 0)
    }

    @Test func zeroDataDrawsAnEmptyChartWithoutDividingByZero() {
        let empty = chart([[0, 0, 0], [0, 0, 0]])
        #expect(empty.maxValue == 0)
        #expect(empty.bars().allSatisfy { $0.height == 0 && $0.y == SVGBarChart.plotBottom })
        let svg = empty.render().description
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>"))
        #expect(!svg.contains("<rect"))
        #expect(!svg.lowercased().contains("nan"))
        #expect(!svg.lowercased().contains("inf"))
    }

    @Test func aChartWithNoBucketsAtAllStillRenders() {
        let none = SVGBarChart(series: [], labels: [], title: "nothing")
        #expect(none.bars().isEmpty)
        #expect(none.render().description.contains("</svg>"))
    }

    @Test func labelsAndTitlesAreEscaped() {
        let hostile = SVGBarChart(
            series: [.init(name: "<script>x</script>", cssClass: "bar", values: [1])], labels: ["\"><b>"], title: "a\"b")
        let svg = hostile.render().description
        #expect(!svg.contains("<script>"))
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("aria-label=\"a&quot;b\""))
    }
}
