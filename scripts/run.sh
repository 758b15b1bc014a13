#!/usr/bin/env bash
# Start Coalition Feedback on this machine: web server and queue worker, SQLite database,
# demo data on first run. Needs only Python 3.11+. Stop with Ctrl-C.
#
#   ./scripts/run.sh                 # http://127.0.0.1:5000
#   PORT=8080 ./scripts/run.sh       # another port
#   LOG_TO_CONSOLE=1 ./scripts/run.sh  # server and worker logs in this terminal, not in files
#
# Settings come from the environment (see README, "Configuration"); SMS_BACKEND defaults to
# console here, so no text message ever leaves the machine. The server's and the worker's
# logs (JSON lines) go to instance/logs/web.log and worker.log, so the terminal keeps a short
# banner: the address, the demo login and where the logs are.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

export SMS_BACKEND="${SMS_BACKEND:-console}"
PORT="${PORT:-5000}"
HOST="${HOST:-127.0.0.1}"

INSTANCE_DIR="${INSTANCE_PATH:-$PROJECT_DIR/instance}"
LOG_DIR="$INSTANCE_DIR/logs"
mkdir -p "$LOG_DIR"

setup_project
# Migration and seeding chatter goes to setup.log; on failure, its end is shown here.
if ! { python -m flask --app wsgi db upgrade && python -m flask --app wsgi seed-demo --if-empty; } \
    >"$LOG_DIR/setup.log" 2>&1; then
    tail -n 30 "$LOG_DIR/setup.log" >&2
    echo "Preparing the database failed; the whole log is in $LOG_DIR/setup.log" >&2
    exit 1
fi

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

if [ "${LOG_TO_CONSOLE:-}" = 1 ]; then
    WEB_LOG=/dev/stderr
    WORKER_LOG=/dev/stderr
    LOGS_WHERE="in this terminal (LOG_TO_CONSOLE=1)"
else
    WEB_LOG="$LOG_DIR/web.log"
    WORKER_LOG="$LOG_DIR/worker.log"
    LOGS_WHERE="$WEB_LOG and $WORKER_LOG"
fi

python -m flask --app wsgi worker >>"$WORKER_LOG" 2>&1 &
WORKER_PID=$!
# Access log without query strings (%U): survey links carry no personal data, but be safe.
gunicorn --bind "$HOST:$PORT" --workers "${WEB_CONCURRENCY:-2}" "${GUNICORN_OPTS[@]}" \
    --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(L)ss' wsgi:app \
    >>"$WEB_LOG" 2>&1 &
WEB_PID=$!

for _ in $(seq 1 60); do
    if python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "http://$HOST:$PORT/healthz" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$WEB_PID" 2>/dev/null; then
        [ "$WEB_LOG" = /dev/stderr ] || tail -n 30 "$WEB_LOG" >&2
        echo "The web server did not start; see $WEB_LOG" >&2
        exit 1
    fi
    sleep 0.5
done
echo
echo "  Coalition Feedback is running at http://$HOST:$PORT/"
echo "  Staff pages:    http://$HOST:$PORT/staff/"
python -m flask --app wsgi seed-demo --print-login
if [ "$SMS_BACKEND" = console ]; then
    echo "  SMS simulator:  http://$HOST:$PORT/dev/sms"
fi
echo "  Logs:           $LOGS_WHERE"
echo "  Press Ctrl-C to stop."
echo
wait "$WEB_PID"
