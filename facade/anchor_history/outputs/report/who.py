"""The report's "who spent it": the top tags and API keys over the window, and the
keys' credits stacked by day, as an inline SVG (nothing loaded)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING

from ..table import format_value

if TYPE_CHECKING:
    from ...insights.breakdown_values import Breakdown

__all__ = ["who_section"]

_COLOURS = ("#3b6fb6", "#e08a2c", "#4a9e5c", "#b84a62", "#7a5cb0", "#8a8f99")
_WIDTH, _HEIGHT, _LEFT, _BOTTOM = 900, 240, 60, 30


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(result: Breakdown, title: str) -> list[str]:
    out = [f"<h3>{_e(title)}</h3><table><tr><th>{_e(result.by)}</th><th>sessions</th>"
           "<th>credits</th><th>share of credits</th></tr>"]  # fmt: skip
    for g in result.groups:
        share = "" if g.share is None else f"{g.share * 100:.1f}%"
        credits = format_value("credits_used", float(g.credits_used))
        out.append(
            f"<tr><td>{_e(g.key)}</td><td>{g.session_count:,}</td>"
            f"<td>{_e(credits)}</td><td>{share}</td></tr>"
        )
    out.append("</table>")
    return out


def stacked_svg(result: Breakdown) -> str:
    """The groups' credits of each period, stacked, largest group at the bottom."""
    periods = result.periods or ()
    keys = [g.key for g in result.groups]
    tops = [sum((g.credits_used for g in p.groups), Decimal(0)) for p in periods]
    peak = float(max(tops, default=Decimal(0))) or 1.0
    slot = (_WIDTH - _LEFT) / max(len(periods), 1)
    plot = _HEIGHT - _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'role="img" aria-label="credits by {_e(result.by)} and day">',
        f'<text x="0" y="12" font-size="11">{_e(format_value("credits_used", peak))}</text>',
        f'<line x1="{_LEFT}" y1="{plot}" x2="{_WIDTH}" y2="{plot}" stroke="#99a"/>',
    ]
    for i, period in enumerate(periods):
        x, y = _LEFT + i * slot, float(plot)
        for group in period.groups:
            colour = _COLOURS[min(keys.index(group.key), len(_COLOURS) - 1)]
            height = float(group.credits_used) / peak * (plot - 20)
            y -= height
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}" '
                f'height="{height:.1f}" fill="{colour}"><title>{_e(period.local_start.date())} '
                f"{_e(group.key)}: {_e(group.credits_used)} credits</title></rect>"
            )
        if i % max(1, len(periods) // 8) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{_HEIGHT - 8}" font-size="10">'
                f"{_e(period.local_start.strftime('%m-%d'))}</text>"
            )
    legend = " ".join(
        f'<tspan fill="{_COLOURS[min(i, len(_COLOURS) - 1)]}">■ {_e(key)}</tspan>'
        for i, key in enumerate(keys)
    )
    parts.append(f'<text x="{_LEFT}" y="12" font-size="11">{legend}</text></svg>')
    return "".join(parts)


def who_section(who: tuple[Breakdown, Breakdown, Breakdown] | None, note: str | None) -> list[str]:
    out = ["<h2>Who spent it</h2>"]
    if who is None:
        out.append(f'<p class="sub">Not shown: {_e(note or "no sessions")}.</p>')
        return out
    tags, keys, by_day = who
    out += _table(keys, "API keys")
    out.append(f'<div class="chart">{stacked_svg(by_day)}</div>')
    out += _table(tags, "Tags")
    out.append(
        '<p class="sub">A session with several tags counts under each, so the tags\' shares '
        f"add up to more than 100%. Credits of the sessions that had ended; "
        f"{keys.running:,} still running are not counted.</p>"
    )
    return out
