#!/usr/bin/env bash
# Regenerate the low-level client from openapi.yaml into DEST/anchorbrowser_api.
# The output folder is deleted first: openapi-python-client's --overwrite only
# clears api/ and models/, so a removed module would otherwise linger.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:?usage: generate.sh DEST_DIR}"
bin="$PWD/.venv/bin"
rm -rf "$dest/anchorbrowser_api"
mkdir -p "$dest"
# The generator's post-hooks call `ruff`: put the pinned one first on PATH.
PATH="$bin:$PATH" "$bin/openapi-python-client" generate \
  --path openapi.yaml \
  --config openapi-python-client.yaml \
  --meta none \
  --fail-on-warning \
  --output-path "$dest/anchorbrowser_api" >/dev/null
echo "generated $dest/anchorbrowser_api from openapi.yaml"
