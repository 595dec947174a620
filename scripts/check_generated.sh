#!/usr/bin/env bash
# Prove generated/ is exactly what the pinned generator makes from openapi.yaml.
# Generates into a temporary folder, so the working tree is left as it was, and
# compares file by file: changed, added and removed files all fail, by name.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
scripts/generate.sh "$tmp" >/dev/null
if diff -ru --exclude=__pycache__ generated/anchorbrowser_api "$tmp/anchorbrowser_api" >"$tmp/diff.txt"; then
  echo "check-generated: generated/ matches openapi.yaml"
  exit 0
fi
echo "check-generated: generated/ is stale; run 'make generate' and commit it." >&2
echo "Files that would change:" >&2
(cd "$tmp" && diff -rq --exclude=__pycache__ "$OLDPWD/generated/anchorbrowser_api" anchorbrowser_api) |
  sed -e "s|^Files $PWD/generated/\([^ ]*\) and .* differ|  changed: generated/\1|" \
      -e "s|^Only in anchorbrowser_api\(.*\): \(.*\)|  added:   generated/anchorbrowser_api\1/\2|" \
      -e "s|^Only in $PWD/generated/\(.*\): \(.*\)|  removed: generated/\1/\2|" >&2 || true
echo >&2
sed "s|$tmp/||g" "$tmp/diff.txt" | head -200 >&2
exit 1
