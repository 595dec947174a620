"""monitoring/dashboard.json, built with the Grafana Foundation SDK (the official
builder library): `make dashboard` writes it, and the suite checks the committed
file is exactly what this script makes, as for generated/.

Panels: usage month/week/day to date per team; the forecasts with their range
against the limits; the pace; who spent it (by API key and by tag); the
exporter's refresh health. Every query is also
written as a recording rule to monitoring/dashboard_queries.yaml, so promtool
checks each one's PromQL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "monitoring" / "dashboard.json"
QUERIES = ROOT / "monitoring" / "dashboard_queries.yaml"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
# Every query is scoped by the dashboard's variables: the scrape job and instance
# (one dashboard for several exporters) and the team.
SCOPE = 'job=~"$job",instance=~"$instance"'
TEAM = f'team=~"$team",{SCOPE}'
# What promtool is given for Grafana's own variables when it checks the queries.
_FILLED = {"$team": ".*", "$job": ".*", "$instance": ".*", "$__rate_interval": "5m",
           "$__range": "1d"}  # fmt: skip


def query(expr: str, legend: str) -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE)


def _ids(panel: Any, targets: tuple[prometheus.Dataquery, ...]) -> Any:
    """A panel with the next id, and its targets with refIds A, B, ... (Grafana needs
    both to tell panels and queries apart)."""
    _ids.last = getattr(_ids, "last", 0) + 1  # type: ignore[attr-defined]
    for letter, target in zip("ABCDEFGH", targets, strict=False):
        panel = panel.with_target(target.ref_id(letter))
    return panel.id(_ids.last).datasource(DATASOURCE)  # type: ignore[attr-defined]


def series(title: str, unit: str, *targets: prometheus.Dataquery, help_text: str) -> Any:
    panel = timeseries.Panel().title(title).unit(unit).description(help_text).height(8).span(12)
    return _ids(panel, targets)


def number(title: str, unit: str, target: prometheus.Dataquery, help_text: str) -> Any:
    panel = stat.Panel().title(title).unit(unit).description(help_text).height(4).span(6)
    return _ids(panel, (target,))


def row(title: str) -> Any:
    """A row, with the next id (the panels' ids and the rows' are one sequence)."""
    _ids.last = getattr(_ids, "last", 0) + 1  # type: ignore[attr-defined]
    return dashboard.Row(title).id(_ids.last)  # type: ignore[attr-defined]


def build() -> dict[str, Any]:
    _ids.last = 0  # type: ignore[attr-defined]
    board = (
        dashboard.Dashboard("AnchorBrowser usage")
        .uid("anchorbrowser-usage")
        .tags(["anchorbrowser", "anchor-history"])
        .refresh("5m")
        .time("now-30d", "now")
        .timezone("utc")
        .with_variable(
            dashboard.DatasourceVariable("datasource").label("Prometheus").type("prometheus")
        )
        .with_variable(
            dashboard.QueryVariable("job")
            .label("Job")
            .query("label_values(anchor_history_up, job)")
            .datasource(DATASOURCE)
            .multi(True)
            .include_all(True)
        )
        .with_variable(
            dashboard.QueryVariable("instance")
            .label("Instance")
            .query('label_values(anchor_history_up{job=~"$job"}, instance)')
            .datasource(DATASOURCE)
            .multi(True)
            .include_all(True)
        )
        .with_variable(
            dashboard.QueryVariable("team")
            .label("Team")
            .query(f"label_values(anchorbrowser_sessions{{{SCOPE}}}, team)")
            .datasource(DATASOURCE)
            .multi(True)
            .include_all(True)
        )
        .with_row(row("Usage so far"))
    )
    for period in ("month", "week", "day"):
        board = board.with_panel(
            number(
                f"Credits this {period}",
                "none",
                query(
                    f'sum by (team) (anchorbrowser_credits_used{{period="{period}",{TEAM}}})',
                    "{{team}}",
                ),
                f"Credits used so far this {period} (UTC), per team.",
            )
        )
    board = board.with_panel(
        number(
            "Sessions this month",
            "none",
            query(f'sum by (team) (anchorbrowser_sessions{{period="month",{TEAM}}})', "{{team}}"),
            "Browser sessions started so far this month (UTC), per team.",
        )
    )
    board = board.with_panel(
        series(
            "Credits per day",
            "none",
            query(
                f"sum by (team) (increase(anchorbrowser_credits_used_total{{{TEAM}}}[1d]))",
                "{{team}}",
            ),
            help_text="Credits used in each day, from the month's counter (resets handled).",
        )
    )
    board = board.with_panel(
        series(
            "Session time per day",
            "s",
            query(
                f"sum by (team) (increase(anchorbrowser_session_time_seconds_total{{{TEAM}}}[1d]))",
                "{{team}}",
            ),
            help_text="The sessions' total time in each day.",
        )
    )
    board = board.with_row(row("Budgets"))
    board = board.with_panel(
        series(
            "Credits: forecast at the month's end, against the limit",
            "none",
            query(f"anchorbrowser_credits_budget_forecast{{{TEAM}}}", "{{team}} forecast"),
            query(f"anchorbrowser_credits_budget_forecast_low{{{TEAM}}}", "{{team}} low"),
            query(f"anchorbrowser_credits_budget_forecast_high{{{TEAM}}}", "{{team}} high"),
            query(f"anchorbrowser_credits_budget_limit{{{TEAM}}}", "{{team}} limit"),
            help_text="The forecast with its 90% range, and the budget's limit.",
        )
    )
    board = board.with_panel(
        series(
            "Forecast over budget",
            "percentunit",
            query(f"anchorbrowser_budget_forecast_ratio{{{TEAM}}}", "{{team}} {{metric}}"),
            help_text="The forecast at the month's end over the budget: over 100% is over.",
        )
    )
    board = board.with_panel(
        series(
            "Pace",
            "none",
            query(f"anchorbrowser_budget_pace{{{TEAM}}}", "{{team}} {{metric}}"),
            help_text="Used over the budget, divided by the share of the month gone: 1 is on "
            "track, 1.5 spends half again as fast as the budget allows.",
        )
    )
    board = board.with_panel(
        series(
            "Days until the budget runs out",
            "d",
            query(
                f"(anchorbrowser_budget_exhaustion_timestamp_seconds{{{TEAM}}} - time()) / 86400",
                "{{team}} {{metric}}",
            ),
            help_text="At the forecast's pace; absent when not within the month.",
        )
    )
    board = board.with_panel(
        series(
            "Plan: credits used against the included credits",
            "none",
            query(f"anchorbrowser_plan_credits_used{{{TEAM}}}", "{{team}} used ({{tier}})"),
            query(f"anchorbrowser_plan_included_credits{{{TEAM}}}", "{{team}} included"),
            query(f"anchorbrowser_plan_cost_limit_credits{{{TEAM}}}", "{{team}} cost limit"),
            help_text="From GET /v1/billing (exporter --plan): this billing period's credits "
            "as the plan states them, its included credits and its cost limit.",
        )
    )
    board = board.with_panel(
        series(
            "Cost this month",
            "none",
            query(f'anchorbrowser_cost{{period="month",{TEAM}}}', "{{team}} ({{currency}})"),
            help_text="The month's credits priced with the exporter's price list "
            "(--credit-price), in the currency labelled.",
        )
    )
    board = board.with_row(row("Who spent it (exporter --by tag --by api_key)"))
    board = board.with_panel(
        series(
            "Credits this month by API key",
            "none",
            query(
                f'topk(10, anchorbrowser_api_key_credits_used{{period="month",{TEAM}}})',
                "{{api_key}} ({{team}})",
            ),
            help_text="The month's credits so far by the API key that started the sessions "
            "(the top keys, the rest as (other)); they add up to the month's credits.",
        )
    )
    board = board.with_panel(
        series(
            "Credits this month by tag",
            "none",
            query(
                f'topk(10, anchorbrowser_tag_credits_used{{period="month",{TEAM}}})',
                "{{tag}} ({{team}})",
            ),
            help_text="The month's credits so far by session tag. A session with several "
            "tags counts under each: tags overlap, so never add them up.",
        )
    )
    board = board.with_row(row("Exporter health"))
    board = board.with_panel(
        series(
            "Up",
            "none",
            query(f"anchor_history_up{{{SCOPE}}}", "{{instance}}"),
            help_text="1 after a good refresh; 0 before the first and when stale.",
        )
    )
    board = board.with_panel(
        series(
            "Since the last good refresh",
            "s",
            query(
                f"time() - anchor_history_last_success_timestamp_seconds{{{SCOPE}}} "
                f"and anchor_history_last_success_timestamp_seconds{{{SCOPE}}} > 0",
                "{{instance}}",
            ),
            help_text="How old the served figures are.",
        )
    )
    board = board.with_panel(
        series(
            "Refreshes",
            "none",
            query(
                f"sum by (result) (increase(anchor_history_refreshes_total{{{SCOPE}}}"
                "[$__rate_interval]))",
                "{{result}}",
            ),
            query(
                f"anchor_history_refresh_duration_seconds{{{SCOPE}}}", "duration (s) {{instance}}"
            ),
            help_text="Good and failed refreshes in each interval, and how long the last one took.",
        )
    )
    return json.loads(json.dumps(board.build(), cls=JSONEncoder))


def queries(document: dict[str, Any]) -> list[str]:
    """Every PromQL expression of the dashboard, with its variables filled in."""
    found = []
    for panel in document.get("panels", []):
        for target in panel.get("targets", []) or []:
            if target.get("expr"):
                expr = target["expr"]
                for variable in sorted(_FILLED, key=len, reverse=True):
                    expr = expr.replace(variable, _FILLED[variable])
                found.append(expr)
    return found


def rules_text(exprs: list[str]) -> str:
    """The queries as recording rules, for `promtool check rules`."""
    rules = [{"record": f"dashboard:query{i}", "expr": e} for i, e in enumerate(exprs)]
    header = "# Generated by scripts/dashboard.py: the dashboard's queries, for promtool.\n"
    return header + json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}, indent=2) + "\n"


def render() -> tuple[str, str]:
    document = build()
    return json.dumps(document, indent=2, sort_keys=True) + "\n", rules_text(queries(document))


def main(argv: list[str]) -> int:
    dashboard_text, rules = render()
    if argv == ["--check"]:
        stale = [p for p, text in ((OUT, dashboard_text), (QUERIES, rules))
                 if not p.exists() or p.read_text() != text]  # fmt: skip
        if stale:
            print(f"not what scripts/dashboard.py makes: {', '.join(map(str, stale))}; run "
                  "`make dashboard`", file=sys.stderr)  # fmt: skip
            return 1
        return 0
    OUT.write_text(dashboard_text)
    QUERIES.write_text(rules)
    print(f"wrote {OUT.relative_to(ROOT)} and {QUERIES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
