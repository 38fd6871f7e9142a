#!/bin/sh
# meson's entry to browser-test.js: Node.js may be installed after the build
# was configured (tools/quickstart.sh test installs npm, hence nodejs, later),
# so it is looked for when the test runs. Prints TAP.
command -v node >/dev/null 2>&1 || { echo "1..0 # SKIP no node (apt-get install nodejs)"; exit 0; }
exec node "$(dirname "$0")/browser-test.js" "$@"
