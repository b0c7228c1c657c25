#!/usr/bin/env bash
# The whole suite at each instant that has broken date code before (tests/instants.py, NAMED):
#   bash scripts/test-dates.sh            every named instant, one after the other
#   bash scripts/test-dates.sh INSTANT…   the instants given (ISO 8601 with offset)
# Each run is the README's test command with COMPTOIR_TEST_START set; a summary line per instant ends it.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  instants=("$@")
else
  mapfile -t instants < <(python3 -m tests.instants --named)
fi
logs=$(mktemp -d "${TMPDIR:-/tmp}/comptoir-dates.XXXXXX")
summary=()
failed=0
for instant in "${instants[@]}"; do
  log="$logs/$(echo "$instant" | tr ':+' '-_').log"
  echo "==> COMPTOIR_TEST_START=$instant (log: $log)"
  if COMPTOIR_TEST_START="$instant" bash scripts/test.sh >"$log" 2>&1; then
    summary+=("passed  $instant  $(grep -o 'in [0-9]* min [0-9]* s' "$log" | tail -n 1)")
  else
    failed=1
    summary+=("FAILED  $instant  (see $log)")
    grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/    /'
  fi
done
echo
printf '%s\n' "${summary[@]}"
exit "$failed"
