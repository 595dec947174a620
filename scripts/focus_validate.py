"""Run the FinOps Foundation's FOCUS validator 2.2.1 on a file, as `make
focus-validate` does: FOCUS 1.2.0.1's rules, offline (--block-download), with the
applicability criteria that hold for AnchorBrowser, from the validator's own
folder (it opens focus_validator/rules/currency_codes.csv relative to where it
runs), and no override file. It gives no verdict of its own that can be trusted
(it exits 0 even when it crashed), so a missing or short report is a failure
here, and so is any failed rule.

    python scripts/focus_validate.py usage-focus.csv [--json]

Prints each failed rule; exits 0 when every rule ran and passed, 1 otherwise.
One pair of rules is reported apart (CONTRADICTORY): the validator's rule model
gives InvoiceId-C-004-C ("MUST be null when the charge is not associated with an
invoice") and InvoiceId-C-005-C ("MUST NOT be null when it is") no condition, so
it checks both on every row and one of the two fails on any file with a row,
whatever InvoiceId holds. tests/test_focus.py proves that from the model itself.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR = ROOT / ".tools" / "focus-validator"
VERSION = "1.2.0.1"
# What applies to AnchorBrowser: accounts and team sub-accounts are named, usage is
# measured and unit-priced from a public price list, in a virtual currency
# (credits), and sessions carry tags. (No regions, zones, resources, commitment
# discounts, capacity reservations or negotiated prices.)
CRITERIA = (
    "ACCOUNT_NAMING_SUPPORTED", "USAGE_MEASUREMENT_SUPPORTED", "UNIT_PRICING_SUPPORTED",
    "SUB_ACCOUNT_SUPPORTED", "VIRTUAL_CURRENCY_SUPPORTED", "TAGGING_SUPPORTED",
    "PUBLIC_PRICE_LIST_SUPPORTED",
)  # fmt: skip
# The 1.2.0.1 rule set has 578 rules under these criteria: fewer checked means it
# stopped part-way.
MIN_RULES = 500
CONTRADICTORY = ("InvoiceId-C-004-C", "InvoiceId-C-005-C")


class ValidatorFailed(Exception):
    """The validator did not run its rules to the end (it crashed, or read nothing)."""


def installed() -> bool:
    return (VALIDATOR / "bin" / "focus-validator").exists()


def failed_rules(data: Path) -> tuple[int, list[str]]:
    """(rules checked, the names of those that failed); ValidatorFailed if it crashed."""
    site = next((VALIDATOR / "lib").glob("python3*/site-packages"), None)
    if site is None or not installed():
        raise ValidatorFailed(f"no validator in {VALIDATOR}: run `make focus-validator`")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.xml"
        words = [str(VALIDATOR / "bin" / "focus-validator"), "--validate-version", VERSION,
                 "--applicability-criteria", ",".join(CRITERIA), "--block-download",
                 "--data-file", str(data.resolve()), "--output-type", "unittest",
                 "--output-destination", str(report)]  # fmt: skip
        done = subprocess.run(words, cwd=site, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or "Traceback" in done.stderr or not report.exists():
            raise ValidatorFailed(
                f"the validator did not finish (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-2000:]}"
            )
        cases = list(ET.parse(report).getroot().iter("testcase"))
    if len(cases) < MIN_RULES:
        raise ValidatorFailed(f"the validator checked {len(cases)} rules, not the whole set")
    return len(cases), sorted(c.get("name", "") for c in cases if c.find("failure") is not None)


def rule_id(name: str) -> str:
    """``InvoiceId-C-005-C :: Nullability`` -> ``InvoiceId-C-005-C``."""
    return name.split(" ::")[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="a FOCUS export: .csv or .parquet")
    parser.add_argument("--json", action="store_true", help="the verdict as JSON")
    args = parser.parse_args(argv)
    if not args.file.exists():
        print(f"focus-validate: {args.file} does not exist", file=sys.stderr)
        return 2
    try:
        checked, failed = failed_rules(args.file)
    except ValidatorFailed as error:
        print(f"focus-validate: {args.file}: {error}", file=sys.stderr)
        return 1
    contradictory = [n for n in failed if rule_id(n) in CONTRADICTORY]
    failed = [n for n in failed if n not in contradictory]
    if len(contradictory) > 1:  # both at once is the data's fault, not the model's
        failed += contradictory
        contradictory = []
    if args.json:
        print(json.dumps({"file": str(args.file), "checked": checked, "failed": failed,
                          "contradictory": contradictory}))  # fmt: skip
    else:
        for name in failed:
            print(f"FAILED {name}")
        for name in contradictory:
            print(f"(failed, as it must on any file: {name}; see InvoiceId in the README)")
        passed = checked - len(failed) - len(contradictory)
        print(f"{args.file}: {passed} of {checked} FOCUS {VERSION} rules passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
