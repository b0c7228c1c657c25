# Shared by run.sh and test.sh: a virtual environment with the Python packages, and compiled catalogues.
# Sourced, not run: it leaves VENV and PATH set for the caller.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${COMPTOIR_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> Creating the virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac   # COMPTOIR_VENV may name one elsewhere
export PATH="$VENV/bin:$PATH"
pybabel compile -d translations --statistics 2>&1 | grep -v '^compiling' || true
