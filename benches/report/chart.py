"""out/report.json -> out/report.svg: per-call time of every workload on
every ilo layer and language, as grouped horizontal bars on a log scale.
Standard library only, so the report needs nothing beyond python3.
Usage: python3 chart.py [report.json [report.svg]]"""
import json, math, os, sys
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
# ilo's layers in blues/greens/purple, the other languages in warm colours
# and grey, so the eye separates ilo from the field before reading the legend.
ILO_COLOURS = ["#9ecae1", "#6baed6", "#3182bd", "#08519c", "#31a354", "#006d2c", "#756bb1"]
OTHER_COLOURS = ["#fdae6b", "#e6550d", "#fb6a4a", "#a50f15", "#fdd835", "#636363", "#bdbdbd"]
BAR, GAP, LEFT, RIGHT, TOP = 9, 16, 120, 90, 70  # px: bar height, group gap, margins
WIDTH = 960


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def chart(data):
    cols, rows, ilo = data["columns"], data["rows"], set(data["ilo_layers"])
    ilo_cols = [c for c in cols if c in ilo]
    colour = {}
    for c in cols:
        pal, k = (ILO_COLOURS, ilo_cols.index(c)) if c in ilo else (OTHER_COLOURS, [o for o in cols if o not in ilo].index(c))
        colour[c] = pal[k % len(pal)]
    values = [v for r in rows for v in r["ns"].values() if v > 0]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    plot_w = WIDTH - LEFT - RIGHT
    x = lambda ns: LEFT + plot_w * (math.log10(ns) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    group_h = len(cols) * BAR + GAP
    plot_h = len(rows) * group_h
    legend_rows = math.ceil(len(cols) / 4)
    height = TOP + plot_h + 50 + legend_rows * 18 + 10
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
         f'font-family="sans-serif" font-size="11">',
         f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
         f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">'
         f'ilo and other languages: time per call (log scale, lower is better)</text>',
         f'<text x="{WIDTH / 2}" y="40" text-anchor="middle" fill="#555">'
         f'{escape(data["meta"]["date"])}; {escape(data["meta"]["machine"])}</text>']
    # Decade grid lines, labelled above and below the plot.
    d = lo
    while d <= hi * 1.001:
        gx = x(d)
        s.append(f'<line x1="{gx:.1f}" y1="{TOP - 5}" x2="{gx:.1f}" y2="{TOP + plot_h}" stroke="#ddd"/>')
        for ty in (TOP - 8, TOP + plot_h + 14):
            s.append(f'<text x="{gx:.1f}" y="{ty}" text-anchor="middle" fill="#555">{fmt_ns(d)}</text>')
        d *= 10
    s.append(f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 32}" text-anchor="middle">'
             f'nanoseconds per call (log scale)</text>')
    s.append(f'<text transform="translate(14 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">workload</text>')
    for i, r in enumerate(rows):
        y0 = TOP + i * group_h + GAP / 2
        s.append(f'<text x="{LEFT - 8}" y="{y0 + len(cols) * BAR / 2 - 2}" text-anchor="end" font-weight="bold">'
                 f'{escape(r["workload"])}</text>')
        s.append(f'<text x="{LEFT - 8}" y="{y0 + len(cols) * BAR / 2 + 11}" text-anchor="end" fill="#555" '
                 f'font-size="9">{escape(r["call"])}</text>')
        for j, c in enumerate(cols):
            y = y0 + j * BAR
            if c not in r["ns"]:  # a layer that does not run this workload
                s.append(f'<text x="{LEFT + 3}" y="{y + BAR - 1.5}" font-size="8" fill="#999">'
                         f'{escape(c)}: not run</text>')
                continue
            ns = r["ns"][c]
            w = max(x(ns) - LEFT, 1)
            s.append(f'<rect x="{LEFT}" y="{y:.1f}" width="{w:.1f}" height="{BAR - 1}" fill="{colour[c]}">'
                     f'<title>{escape(c)}: {fmt_ns(ns)}</title></rect>')
            s.append(f'<text x="{LEFT + w + 3:.1f}" y="{y + BAR - 1.5:.1f}" font-size="8" fill="#333">{fmt_ns(ns)}</text>')
    s.append(f'<line x1="{LEFT}" y1="{TOP - 5}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333"/>')
    # Legend: four entries a line, in column order (bars are drawn in the same order).
    ly = TOP + plot_h + 50
    for k, c in enumerate(cols):
        lx, yy = 20 + (k % 4) * ((WIDTH - 40) / 4), ly + (k // 4) * 18
        label = ("ilo: " + c) if c in ilo else c
        s.append(f'<rect x="{lx:.1f}" y="{yy}" width="12" height="12" fill="{colour[c]}"/>')
        s.append(f'<text x="{lx + 17:.1f}" y="{yy + 10}">{escape(label)}</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "out", "report.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(src), "report.svg")
    with open(src) as f:
        svg = chart(json.load(f))
    with open(dst, "w") as f:
        f.write(svg)
    print(f"wrote {dst}", file=sys.stderr)
