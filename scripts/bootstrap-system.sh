#!/usr/bin/env bash
# Install the Debian packages kehoach's build and tests need, if any is missing.
#
# Idempotent: a second run only checks (dpkg-query, no network) and prints one line.
# As root it calls apt-get directly; otherwise it uses sudo if there is one, or prints
# the command to run and exits 1.
set -euo pipefail

PACKAGES=(
    make
    gettext
    postgresql
    postgresql-client
    chromium
    chromium-driver
    fonts-noto-core
    fonts-dejavu-core
    python3-venv
    # Excel round trips: LibreOffice recalculates exported workbooks and converts them to
    # .xls and .ods in the tests (the headless build, without a desktop).
    libreoffice-calc-nogui
    # WeasyPrint renders PDF documents with pango; poppler reads them back in the tests.
    libpango-1.0-0
    libpangoft2-1.0-0
    poppler-utils
)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "bootstrap-system: not a Debian system (no dpkg-query); make sure these are installed:" \
        "${PACKAGES[*]}" >&2
    exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "bootstrap-system: all system packages present."
    exit 0
fi

echo "bootstrap-system: missing ${missing[*]}"

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        # Without a terminal sudo must not wait for a password that nobody can type.
        if [[ -t 0 ]]; then
            as_root=(sudo)
        else
            as_root=(sudo -n)
        fi
    else
        echo "bootstrap-system: not root and no sudo; as root, run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq
${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
echo "bootstrap-system: done."
