"""Money in the everyday command: a cost per period, exact, in the currency asked,
with included credits counted from the start of the billing month."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from anchor_history import HistoryClient
from test_cli import run

PRICES = ("--credit-price", "0.01", "--included-credits", "2000", "--overage-credit-price", "0.02")


def priced(credits: Decimal) -> Decimal:
    """What the month's first ``credits`` cost under PRICES."""
    return min(credits, Decimal(2000)) * Decimal("0.01") + max(
        credits - 2000, Decimal(0)
    ) * Decimal("0.02")


def month_credits(box, start: datetime, end: datetime) -> Decimal:
    with HistoryClient(box.api_key, box.base_url) as client:
        total = client.fetch(start, end, "month", "credits_used").summary.credits_used
    return Decimal(repr(total))


def test_a_cost_per_period_exact_and_counted_from_the_billing_month(anchor_sandbox) -> None:
    """A window from the 11th: the credits of the 1st to the 10th already used part
    of the month's included credits."""
    month = datetime(2026, 10, 1, tzinfo=UTC)
    words = ("--from", "2026-10-11", "--to", "2026-10-31", "-m", "credits_used", "-f", "json")
    result = run(anchor_sandbox, *words, *PRICES)
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)["points"]
    assert {p["currency"] for p in points} == {"USD"}
    assert all(isinstance(p["cost"], str) for p in points)  # a decimal string, never a float
    cost = sum(Decimal(p["cost"]) for p in points)
    before = month_credits(anchor_sandbox, month, month + timedelta(days=10))
    whole = month_credits(anchor_sandbox, month, month + timedelta(days=31))
    assert cost == priced(whole) - priced(before)
    assert "cost: the first 2,000 credits of each billing month (UTC) at 0.01 USD" in (
        result.stderr
    )


def test_the_table_shows_money_rounded_to_the_currency_and_a_total(anchor_sandbox) -> None:
    words = ("--from", "2026-10-01", "--to", "2026-10-31", "-g", "week", "-m", "credits_used")
    table = run(anchor_sandbox, *words, "-f", "table", "--credit-price", "1", "--currency", "JPY")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[-2:] == ["cost", "(JPY)"]
    total = lines[-2].split()
    assert total[0] == "total"
    assert "." not in total[-1]  # yen have no minor unit
    as_json = json.loads(run(anchor_sandbox, *words, "-f", "json", "--credit-price", "1",
                             "--currency", "JPY").stdout)  # fmt: skip
    exact = sum(Decimal(p["cost"]) for p in as_json["points"])
    assert total[-1] == f"{exact.quantize(Decimal(1)):,}"


def test_prices_from_a_config_file_and_bad_prices(anchor_sandbox, tmp_path: Path) -> None:
    config = tmp_path / "pricing.toml"
    config.write_text('[pricing]\ncurrency = "EUR"\ncredit_price = "0.5"\n')
    result = run(anchor_sandbox, "--from", "3d", "-m", "credits_used", "--pricing", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].endswith(",EUR")
    config.write_text('[pricing]\ncurrency = "EUR"\ncredit_price = 0.5\n')
    floated = run(anchor_sandbox, "--from", "3d", "--pricing", str(config))
    assert floated.returncode == 2
    # The file's key is named, not a --credit-price flag that was never typed.
    assert f"--pricing {config}: [pricing] credit_price = 0.5: 0.5 is a float" in floated.stderr
    assert "give it as a decimal string" in floated.stderr
    assert "--credit-price" not in floated.stderr
    bad = run(anchor_sandbox, "--from", "3d", "--credit-price", "0.01", "--currency", "XXY")
    assert bad.returncode == 2
    assert "--currency: 'XXY' is not an ISO 4217 code" in bad.stderr
    half = run(anchor_sandbox, "--from", "3d", "--credit-price", "0.01", "--included-credits", "5")
    assert half.returncode == 2
    assert "--included-credits and --overage-credit-price go together" in half.stderr


def test_a_budget_in_money(anchor_sandbox) -> None:
    from anchor_history.insights.budgets import Budget, evaluate
    from anchor_history.insights.forecast import Forecast
    from anchor_history.models import History, HistoryQuery, HistorySummary
    from anchor_history.pricing import parse_price_list

    nov = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    as_of = datetime(2026, 11, 20, tzinfo=UTC)
    history = History((), HistorySummary(), HistoryQuery(nov[0], as_of, "hour", ("credits_used",)))
    prices = parse_price_list("USD", "0.01", "1000", "0.02")
    (result,) = evaluate(
        history, [Budget("cost", 5.0)], period=nov, as_of=as_of, prices=prices
    ).budgets
    assert isinstance(result.forecast, Forecast)
    assert result.money is not None
    assert (result.money.used, result.money.limit, result.status) == (Decimal(0), Decimal(5), "ok")

    words = ("check", "--as-of", "2026-10-20T12:00:00Z", "--budget", "cost=10", "-f", "json")
    result_json = json.loads(run(anchor_sandbox, *words, *PRICES).stdout)
    (budget,) = result_json["budgets"]
    used_credits = month_credits(
        anchor_sandbox, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 20, 12, tzinfo=UTC)
    )
    assert Decimal(budget["used"]) == priced(used_credits)
    assert (budget["currency"], budget["limit"], budget["status"]) == ("USD", "10", "over")
    assert budget["pricing"].startswith("the first 2,000 credits of each billing month")
    assert [a["crossed"] for a in budget["alerts"]] == [True, True, True]
    table = run(anchor_sandbox, "check", *words[1:-2], *PRICES)
    assert re.search(r"^cost \(USD\) +10\.00 +[\d,]+\.\d\d ", table.stdout, re.MULTILINE)
    assert "cost: the first 2,000 credits" in table.stdout
    unpriced = run(anchor_sandbox, "check", "--budget", "cost=10")
    assert unpriced.returncode == 2
    assert "needs a price: --credit-price" in unpriced.stderr
    weekly = run(anchor_sandbox, "check", "--budget", "cost=10", "--period", "week", *PRICES)
    assert weekly.returncode == 2
    assert "a budget in money is over the billing month" in weekly.stderr


def test_compare_prices_both_spans(anchor_sandbox) -> None:
    words = ("compare", "--period", "month", "--as-of", "2026-10-20T00:00:00Z", "-f", "json")
    document = json.loads(run(anchor_sandbox, *words, *PRICES).stdout)
    cost = document["cost"]
    october, september = (datetime(2026, m, 1, tzinfo=UTC) for m in (10, 9))
    now = month_credits(anchor_sandbox, october, october + timedelta(days=19))
    before = month_credits(anchor_sandbox, september, september + timedelta(days=19))
    assert (Decimal(cost["current"]), Decimal(cost["previous"])) == (priced(now), priced(before))
    assert Decimal(cost["change"]["absolute"]) == priced(now) - priced(before)
    assert cost["currency"] == "USD"
    table = run(anchor_sandbox, *words[:-2], *PRICES).stdout
    assert re.search(r"^cost \(USD\) +[\d,]+\.\d\d +[\d,]+\.\d\d +[▲▼=]", table, re.MULTILINE)


def test_the_reports_headlines_are_in_the_currency_too(anchor_sandbox, tmp_path) -> None:
    out = tmp_path / "october.html"
    words = ("report", "-o", str(out), "--from", "2026-10", "--to", "2026-10")
    result = run(anchor_sandbox, *words, "-m", "credits_used", *PRICES)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    october = datetime(2026, 10, 1, tzinfo=UTC)
    total = priced(month_credits(anchor_sandbox, october, october + timedelta(days=31)))
    assert '<div class="name">cost (USD)</div>' in text
    assert f'<div class="value">{total.quantize(Decimal("0.01")):,}</div>' in text
    assert "% on 2026-09-01 to 2026-09-30 (UTC)" in text
