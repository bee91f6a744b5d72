"""The flow diagram of a wave comparison, drawn on the server as SVG (no script): the tools
of the first wave on the left, those of the second on the right, a band per flow as wide as
its organisations, coloured by its change; each band links to its row of the table.

Every text from the data is escaped here (the diagram is inserted in pages as markup).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from visualisations.waves import Comparison, Flow

LabelOf = Callable[[str, str], str]

#: band colours (Okabe-Ito, colour-blind safe) and their names
COLOURS = {"switched": "#0072B2", "adopted": "#009E73", "abandoned": "#D55E00",
           "kept": "#9AA0A6"}
WORDS = {
    "fr": {"switched": "changement d’outil", "adopted": "adoption", "abandoned": "abandon",
           "kept": "maintien", "none_left": "(aucun outil avant)",
           "none_right": "(plus d’outil)", "organisations": "collectif(s)"},
    "en": {"switched": "switch", "adopted": "adoption", "abandoned": "abandonment",
           "kept": "kept", "none_left": "(no tool before)", "none_right": "(no tool after)",
           "organisations": "organisation(s)"},
}
WIDTH, TOP, GAP, BAR, MAX_HEIGHT, MIN_BAND = 960, 34, 6, 12, 1400, 3.0
LEFT, RIGHT = 300, WIDTH - 300
NONE = ""


def _order(sizes: dict[str, int], label: Callable[[str], str]) -> list[str]:
    return sorted(sizes, key=lambda k: (k == NONE, -sizes[k], label(k).lower()))


#: the changes drawn by default: tools kept are many and say little; the table lists them
DRAWN = ("switched", "adopted", "abandoned")


def sankey_svg(comparison: Comparison, label: LabelOf, lang: str,
               anchor: Callable[[int], str], max_flows: int = 80,
               changes: tuple[str, ...] = DRAWN) -> str:
    """The diagram of the ``max_flows`` biggest flows of ``comparison`` whose change is one
    of ``changes``; band ``i`` links to ``anchor(i)`` (``i``: the flow's index in
    ``comparison.flows``)."""
    w = WORDS["fr" if lang == "fr" else "en"]
    shown = sorted((i for i, f in enumerate(comparison.flows) if f.change in changes),
                   key=lambda i: -comparison.flows[i].size)[:max_flows]
    flows: list[tuple[int, Flow]] = [(i, comparison.flows[i]) for i in sorted(shown)]

    def name(side: str, tool: str) -> str:
        return w[f"none_{side}"] if tool == NONE else label(tool, lang)

    left: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    for _, flow in flows:
        left[flow.source or NONE] += flow.size
        right[flow.target or NONE] += flow.size
    total = max(sum(left.values()), 1)
    slots = max(len(left), len(right))
    unit = max(MIN_BAND, min(14.0, (MAX_HEIGHT - GAP * slots) / total))
    height = TOP + unit * total + GAP * slots + 20
    first, second = label(comparison.first, lang), label(comparison.second, lang)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sankey" viewBox="0 0 {WIDTH} '
             f'{height:.0f}" width="100%" aria-labelledby="sankey-title">',
             f'<title id="sankey-title">{escape(first)} → {escape(second)}</title>',
             f'<text x="{LEFT}" y="18" text-anchor="end" class="sankey-head">'
             f'{escape(first)}</text>',
             f'<text x="{RIGHT}" y="18" class="sankey-head">{escape(second)}</text>']
    top: dict[tuple[str, str], float] = {}
    rank: dict[tuple[str, str], int] = {}
    for side, sizes, x in (("left", left, LEFT), ("right", right, RIGHT)):
        y = float(TOP)
        for position, tool in enumerate(_order(sizes, lambda k, s=side: name(s, k))):  # type: ignore[misc]
            h = sizes[tool] * unit
            top[(side, tool)] = y
            rank[(side, tool)] = position
            bx = x - BAR if side == "left" else x
            parts.append(f'<rect x="{bx}" y="{y:.1f}" width="{BAR}" height="{h:.1f}" '
                         f'fill="#33415C"/>')
            tx, anchor_side = (x - BAR - 6, "end") if side == "left" else (x + BAR + 6, "start")
            parts.append(f'<text x="{tx}" y="{y + h / 2 + 4:.1f}" text-anchor="{anchor_side}">'
                         f'{escape(name(side, tool))} ({sizes[tool]})</text>')
            y += h + GAP

    def ends(flow: Flow) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("left", flow.source or NONE), ("right", flow.target or NONE)

    # each node's bands stacked in the order of their other ends: fewer crossings
    start: dict[int, float] = {}
    finish: dict[int, float] = {}
    for which, offsets in ((0, start), (1, finish)):
        cursor = dict(top)
        for i, flow in sorted(flows, key=lambda f: (rank[ends(f[1])[which]],
                                                    rank[ends(f[1])[1 - which]])):
            offsets[i] = cursor[ends(flow)[which]]
            cursor[ends(flow)[which]] += flow.size * unit
    for i, flow in flows:
        h = flow.size * unit
        y0, y1 = start[i], finish[i]
        xm = (LEFT + RIGHT) / 2
        path = (f"M{LEFT},{y0:.1f} C{xm},{y0:.1f} {xm},{y1:.1f} {RIGHT},{y1:.1f} "
                f"L{RIGHT},{y1 + h:.1f} C{xm},{y1 + h:.1f} {xm},{y0 + h:.1f} {LEFT},{y0 + h:.1f} Z")
        title = (f"{name('left', flow.source or NONE)} → {name('right', flow.target or NONE)}: "
                 f"{flow.size} {w['organisations']} ({w[flow.change]})")
        parts.append(f'<a href={quoteattr(anchor(i))} class="flow flow-{flow.change}">'
                     f'<title>{escape(title)}</title><path d="{path}" '
                     f'fill="{COLOURS[flow.change]}" fill-opacity="0.55"/></a>')
    parts.append("</svg>")
    return "".join(parts)


def legend(lang: str, changes: tuple[str, ...] = DRAWN) -> list[tuple[str, str, str]]:
    """``(change, colour, words)`` for the diagram's key."""
    w = WORDS["fr" if lang == "fr" else "en"]
    return [(change, COLOURS[change], w[change]) for change in changes]
