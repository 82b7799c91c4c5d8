#!/usr/bin/env bash
# The dashboard's browser test drives Debian's Chromium through ChromeDriver. Install both from
# Debian's packages when they are missing and we are root; otherwise say what to install and fail
# (the browser test never skips).
set -euo pipefail
chromium=${TIMO_CHROMIUM:-/usr/bin/chromium}
driver=${TIMO_CHROMEDRIVER:-/usr/bin/chromedriver}
say() { echo "[chromium] $*" >&2; }
if [ -x "$chromium" ] && [ -x "$driver" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium and chromium-driver from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
    say "ready: $("$chromium" --version)"
else
    say "Chromium ($chromium) and ChromeDriver ($driver) are needed for the dashboard's browser test."
    say "Install the Debian packages chromium and chromium-driver (or set TIMO_CHROMIUM / TIMO_CHROMEDRIVER)."
    exit 1
fi
