#!/usr/bin/env bash
# `npm test`'s pretest step: the Debian packages the tests drive. Browser tests run Debian's Chromium through
# playwright-core, tests/training runs on Debian's CPU torch, and the sweep queue test starts Debian's redis-server.
# Missing ones are installed with apt when this runs as root with apt-get; otherwise it stops with one line saying
# what to install. Nothing is downloaded when all are present.
set -euo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium_path" ] || missing+=(chromium)
# find_spec rather than `import torch`: the check costs milliseconds, not seconds.
/usr/bin/python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)' >/dev/null 2>&1 || missing+=(python3-torch)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${HYPERSD_PREREQS_INSTALLED:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "test prerequisites missing: ${missing[*]} (apt-get install failed; install them and run npm test again)" >&2
    exit 1
  fi
  # Checked again: a package that installed but gave no executable is still a stop.
  exec env HYPERSD_PREREQS_INSTALLED=1 bash "$0"
fi

if [ "${HYPERSD_PREREQS_INSTALLED:-}" = 1 ]; then
  echo "test prerequisites still missing after apt-get install: ${missing[*]}" >&2
else
  echo "test prerequisites missing: ${missing[*]} (Debian packages; run: sudo apt-get install -y ${missing[*]})" >&2
fi
exit 1
