#!/bin/sh
# Install the dashboard's npm packages (Chart.js for the page, puppeteer-core
# for its browser test) into tools/dashboard/node_modules, exactly as
# package-lock.json pins them; nothing is done when they are there already.
# Never downloads a browser (the test drives Debian's /usr/bin/chromium).
# Installs Debian's npm first if it is missing (as root).
set -eu
cd "$(dirname "$0")"
if cmp -s package-lock.json node_modules/.vnn-lock 2>/dev/null; then
    exit 0
fi
command -v npm >/dev/null 2>&1 || ../ci/deps.sh npm
echo "tools/dashboard: npm ci (Chart.js, puppeteer-core)"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json node_modules/.vnn-lock
