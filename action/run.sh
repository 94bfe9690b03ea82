#!/usr/bin/env bash
# Entry point of the action's scan step (action.yml runs exactly this; so does
# tests/action.rs). The logic lives in faultline_action.py next to it.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || command -v python || true)"
if [ -z "$py" ]; then
  echo "::error title=faultline failed::python3 is needed to run the faultline action"
  exit 2
fi
exec "$py" "$here/faultline_action.py"
