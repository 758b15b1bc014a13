# Shared set-up for scripts/run.sh and scripts/test.sh (sourced, not run).
#
# Finds Python 3.11+, creates the virtual environment if it is missing, installs the project
# (only when pyproject.toml changed since the last install), and compiles the catalogs.
# Settings: PYTHON (interpreter to use), VENV_DIR (default .venv in the project),
# SKIP_INSTALL=1 (use VENV_DIR as it is: for a venv shared with another checkout).

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PROJECT_DIR"
VENV_DIR="${VENV_DIR:-$PROJECT_DIR/.venv}"

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
            2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Python 3.11 or newer is needed; install it or set PYTHON=/path/to/python3." >&2
    return 1
}

# setup_project [dev]: venv, install (with the dev extra when asked), compiled catalogs.
setup_project() {
    local extra="${1:-}"
    if [ ! -x "$VENV_DIR/bin/python" ]; then
        local python
        python="$(find_python)"
        echo "Creating the virtual environment in $VENV_DIR ..."
        if ! "$python" -m venv "$VENV_DIR"; then
            echo "Could not create a virtual environment. On Debian/Ubuntu: apt-get install python3-venv" >&2
            return 1
        fi
    fi
    export PATH="$VENV_DIR/bin:$PATH"
    if [ "${SKIP_INSTALL:-}" = 1 ]; then
        python -m flask --app wsgi translate compile
        return 0
    fi
    local stamp_file="$VENV_DIR/.coalition-feedback-installed"
    local wanted
    # The stamp names the pyproject.toml content and this checkout (the install is editable).
    wanted="$("$VENV_DIR/bin/python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')@$PROJECT_DIR"
    local have=""
    [ -f "$stamp_file" ] && have="$(cat "$stamp_file")"
    # An install with the dev extra also serves the run command.
    if [ "$have" != "$wanted:dev" ] && [ "$have" != "$wanted:$extra" ]; then
        echo "Installing Coalition Feedback${extra:+ with the $extra tools} (first run takes a few minutes) ..."
        "$VENV_DIR/bin/python" -m pip install --quiet --upgrade pip
        if [ -n "$extra" ]; then
            "$VENV_DIR/bin/python" -m pip install --quiet -e ".[$extra]"
        else
            "$VENV_DIR/bin/python" -m pip install --quiet -e .
        fi
        echo "$wanted:$extra" > "$stamp_file"
    fi
    python -m flask --app wsgi translate compile
}
