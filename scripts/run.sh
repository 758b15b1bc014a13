#!/usr/bin/env bash
# Start Coalition Feedback on this machine: web server and queue worker, SQLite database,
# demo data on first run. Needs only Python 3.11+. Stop with Ctrl-C.
#
#   ./scripts/run.sh                 # http://127.0.0.1:5000
#   PORT=8080 ./scripts/run.sh       # another port
#
# Settings come from the environment (see README, "Configuration"); SMS_BACKEND defaults to
# console here, so no text message ever leaves the machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

export SMS_BACKEND="${SMS_BACKEND:-console}"
PORT="${PORT:-5000}"
HOST="${HOST:-127.0.0.1}"

setup_project
python -m flask --app wsgi db upgrade
python -m flask --app wsgi seed-demo --if-empty

WORKER_PID=""
WEB_PID=""
stop_all() {
    trap - EXIT INT TERM
    [ -n "$WEB_PID" ] && kill -TERM "$WEB_PID" 2>/dev/null || true
    [ -n "$WORKER_PID" ] && kill -TERM "$WORKER_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    echo "Coalition Feedback stopped."
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

GUNICORN_OPTS=()
# gunicorn 27+ opens a control socket in ~/.gunicorn by default; two copies would share it.
if gunicorn --help 2>/dev/null | grep -q -- --no-control-socket; then
    GUNICORN_OPTS+=(--no-control-socket)
fi

python -m flask --app wsgi worker &
WORKER_PID=$!
# Access log without query strings (%U): survey links carry no personal data, but be safe.
gunicorn --bind "$HOST:$PORT" --workers "${WEB_CONCURRENCY:-2}" "${GUNICORN_OPTS[@]}" \
    --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(L)ss' wsgi:app &
WEB_PID=$!

for _ in $(seq 1 60); do
    if python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "http://$HOST:$PORT/healthz" 2>/dev/null; then
        break
    fi
    kill -0 "$WEB_PID" 2>/dev/null || exit 1
    sleep 0.5
done
echo
echo "  Coalition Feedback is running at http://$HOST:$PORT/"
echo "  Staff pages:  http://$HOST:$PORT/staff/"
python -m flask --app wsgi seed-demo --print-login
echo "  Press Ctrl-C to stop."
echo
wait "$WEB_PID"
