"""make update-spec SPEC=path-or-URL: adopt a new spec and see at once whether the facade holds.

Shows the drift report, writes the new spec to openapi.yaml, regenerates
generated/, then runs the whole suite (contract tests included). A spec that
cannot be fetched or parsed is a clear error, and the bundled spec is untouched.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spec_drift import diff_specs, report
from spec_tools import SpecError, load_spec, parse_spec, read_spec_text

ROOT = Path(__file__).resolve().parent.parent


def replace_spec(source: str, target: Path) -> str:
    """Write the spec at ``source`` over ``target`` and return the drift report.

    Nothing is written unless the new spec was read and parsed as OpenAPI.
    """
    text = read_spec_text(source)
    new = parse_spec(text, source)
    drift = report(diff_specs(load_spec(str(target)), new), str(target), source)
    target.write_text(text, encoding="utf-8")
    return drift


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0]:
        print("usage: make update-spec SPEC=path-or-URL", file=sys.stderr)
        return 2
    try:
        drift = replace_spec(argv[0], ROOT / "openapi.yaml")
    except SpecError as error:
        print(f"update-spec: error: {error}; openapi.yaml is untouched", file=sys.stderr)
        return 2
    sys.stdout.write(drift)
    print("openapi.yaml updated; regenerating and running the suite ...", flush=True)
    for target in ("generate", "test"):
        code = subprocess.call(["make", "--no-print-directory", target], cwd=ROOT)
        if code:
            print(
                f"update-spec: `make {target}` failed: the facade does not hold yet",
                file=sys.stderr,
            )
            return code
    print("update-spec: the facade holds; review and commit openapi.yaml and generated/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
