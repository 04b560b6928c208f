/// The dashboard's stylesheet, inline (the page loads nothing: its Content-Security-Policy forbids it). One column at
/// phone width, cards side by side from about 640 px; tables turn into stacked rows on narrow screens so a 36-character
/// lead id never forces sideways scrolling.
enum DashboardStyle {
    static let css = HTML.trusted(
        """
        :root{color-scheme:light;--ok:#1e7b34;--ok-bg:#e7f5ea;--warn:#8a5a00;--warn-bg:#fff4d6;--bad:#a4161a;
        --bad-bg:#fde8e8;--ink:#1d232a;--muted:#5f6b76;--line:#dde2e7;--card:#fff;--page:#f3f5f7}
        *{box-sizing:border-box}
        body{margin:0;background:var(--page);color:var(--ink);
        font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
        main{max-width:1200px;margin:0 auto;padding:12px}
        header{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px}
        h1{font-size:20px;margin:4px 0}
        h2{font-size:16px;margin:0 0 8px}
        .muted{color:var(--muted);font-size:13px}
        .banner{border-radius:10px;padding:12px 16px;margin:10px 0 14px;border:1px solid}
        .banner strong{font-size:20px;display:block}
        .banner ul{margin:6px 0 0;padding-left:20px}
        .status-ok{background:var(--ok-bg);border-color:var(--ok);color:var(--ok)}
        .status-degraded{background:var(--warn-bg);border-color:var(--warn);color:var(--warn)}
        .status-failing{background:var(--bad-bg);border-color:var(--bad);color:var(--bad)}
        .grid{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(270px,1fr));margin-bottom:12px}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0}
        dl{display:grid;grid-template-columns:1fr auto;gap:4px 12px;margin:0}
        dt{color:var(--muted)}
        dd{margin:0;text-align:right;font-weight:600;font-variant-numeric:tabular-nums}
        .big{font-size:22px}
        .good{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
        .chart{width:100%;height:auto;display:block;max-height:260px}
        .chart .axis{stroke:#9aa5b1;stroke-width:1}
        .chart .gridline{stroke:#e3e7eb;stroke-width:1;stroke-dasharray:3 3}
        .chart text{fill:var(--muted);font-size:15px}
        .bar-received{fill:#2f6fd6}.bar-delivered{fill:#2e9d4f}.bar-failed{fill:#d64545}
        .legend{display:flex;gap:14px;flex-wrap:wrap;font-size:13px;color:var(--muted);margin-top:4px}
        .legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
        .legend .received{background:#2f6fd6}.legend .delivered{background:#2e9d4f}.legend .failed{background:#d64545}
        table{width:100%;border-collapse:collapse;font-size:14px}
        th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:6px 8px}
        td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
        .id{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}
        .sev-critical{color:var(--bad);font-weight:700}.sev-warning{color:var(--warn);font-weight:700}
        .token{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:0 0 10px}
        input[type=password]{font:inherit;padding:6px 8px;border:1px solid var(--line);border-radius:6px;min-width:0;flex:1 1 180px}
        button{font:inherit;font-size:14px;padding:6px 12px;border-radius:6px;border:1px solid #2f6fd6;background:#2f6fd6;
        color:#fff;cursor:pointer}
        button.secondary{background:#fff;color:#2f6fd6}
        button:disabled{opacity:.55;cursor:default}
        .note{font-size:13px;color:var(--muted)}
        @media (max-width:640px){
        main{padding:8px}
        table.list thead{display:none}
        table.list tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
        table.list td{display:block;border:0;padding:2px 4px}
        table.list td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:12px}
        }
        """)
}
