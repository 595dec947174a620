#!/usr/bin/env bash
# Install the FinOps Foundation's FOCUS validator into .tools/focus-validator, on
# the Python 3.12 it needs (found with `uv python find`, never downloaded). Where
# this machine has none, say so loudly and leave it out: the tests that run it
# are then skipped, each saying why. Quick when it is already installed.
#   scripts/install_focus_validator.sh UV
set -euo pipefail
uv=$1
target=.tools/focus-validator
requirements=scripts/focus-validator-requirements.txt
if [ -f "$target/.installed" ] && [ "$target/.installed" -nt "$requirements" ]; then
    exit 0
fi
export UV_PYTHON_DOWNLOADS=never
python=$("$uv" python find 3.12 2>/dev/null) || python=""
if [ -z "$python" ] && command -v pyenv >/dev/null; then
    # pyenv's shims answer only for the versions selected: select them all, so uv
    # sees the 3.12 that pyenv holds.
    versions=$(pyenv versions --bare | tr '\n' ':')
    python=$(PYENV_VERSION=${versions%:} "$uv" python find 3.12 2>/dev/null) || python=""
fi
if [ -z "$python" ]; then
    echo "WARNING: no Python 3.12 on this machine (uv python find 3.12 found none):" \
         "the FOCUS validator is not installed and its tests will be SKIPPED" >&2
    exit 0
fi
rm -rf "$target"
"$uv" venv --quiet --python "$python" "$target"
VIRTUAL_ENV=$target "$uv" pip install --quiet -r "$requirements"
touch "$target/.installed"
