#!/bin/sh
# Runs a training script with a Python that has torch: Debian's python3-torch lives in /usr/bin/python3, which a
# pyenv or venv python3 earlier on PATH does not see.
for py in "${HYPERSHAPES_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$py" ] && "$py" -c 'import torch' 2>/dev/null && exec "$py" "$@"
done
echo "no Python with torch found: apt-get install -y python3-torch (or set HYPERSHAPES_PYTHON)" >&2
exit 1
