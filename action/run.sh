#!/usr/bin/env bash
# Entry point of the action's scan step (action.yml runs exactly this; so does
# tests/action.rs). The logic lives in faultline_action.py next to it.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=""
for candidate in python3 python; do
  # On Windows, python3 may be a stub that only opens the Store: check it runs.
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import sys; sys.exit(sys.version_info < (3, 6))" 2>/dev/null; then
    py="$candidate"
    break
  fi
done
if [ -z "$py" ]; then
  echo "::error title=faultline failed::python3 is needed to run the faultline action"
  exit 2
fi
exec "$py" "$here/faultline_action.py"
