#!/usr/bin/env bash
# The test command behind `make test`: the whole pytest suite in the project's venv.
# pytest's "no tests ran" (exit 5) is a failure here, never a silent pass.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/python" -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
    echo "error: pytest ran no tests" >&2
    exit 1
fi
exit $rc
