#!/usr/bin/env bash
# Create .venv (Python 3.11) and install kehoach with its dev extras into it.
#
# Reinstalls only when pyproject.toml is newer than the stamp .venv/.installed, so a
# second run does nothing and prints one line.
set -euo pipefail

cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.installed

if [[ ! -x $VENV/bin/python ]]; then
    python=$(command -v python3.11 || command -v python3 || true)
    if [[ -z $python ]]; then
        echo "bootstrap-venv: neither python3.11 nor python3 found" >&2
        exit 1
    fi
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        # Debian's python3 ships venv separately (python3-venv).
        echo "bootstrap-venv: installing python3-venv"
        if [[ $(id -u) -eq 0 ]]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends python3-venv
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends python3-venv
        fi
    fi
    echo "bootstrap-venv: creating $VENV with $("$python" --version 2>&1)"
    "$python" -m venv "$VENV"
    rm -f "$STAMP"
fi

# -nt is also true when the stamp does not exist.
if [[ pyproject.toml -nt $STAMP ]]; then
    echo "bootstrap-venv: installing kehoach[dev] into $VENV"
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --no-input -e '.[dev]'
    touch "$STAMP"
else
    echo "bootstrap-venv: $VENV is up to date."
fi
