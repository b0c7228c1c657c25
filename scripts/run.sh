#!/usr/bin/env bash
# Install and run Comptoir on SQLite with demo data: bash scripts/run.sh [port]
source "$(dirname "$0")/setup.sh"
PORT="${1:-${PORT:-5000}}"
export COMPTOIR_ENV="${COMPTOIR_ENV:-development}"
flask --app app db upgrade
flask --app app demo
cat <<MSG

  Comptoir is running: http://localhost:$PORT/
  (on a phone on the same Wi-Fi: http://$(hostname -I 2>/dev/null | awk '{print $1}'):$PORT/)

  Demo logins (password demo1234):
MSG
flask --app app logins
echo
# The worker sends the customer notices and webhook calls (here, with no SMTP_HOST, it writes them in its log).
flask --app app worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT
flask --app app run --host 0.0.0.0 --port "$PORT"
