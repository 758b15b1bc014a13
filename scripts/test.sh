#!/usr/bin/env bash
# Set up like scripts/run.sh (with the test tools) and run the whole test suite.
#
#   ./scripts/test.sh                                  # SQLite, one temporary file per test
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test ./scripts/test.sh
#   ./scripts/test.sh tests/test_auth.py -x           # extra arguments go to pytest
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

setup_project dev
exec python -m pytest "$@"
