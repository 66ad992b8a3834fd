#!/bin/sh
# Runs the model contract tests with a Python that has PyTorch: $PYTHON if set, else the first of
# python3 and Debian's /usr/bin/python3 (where `apt-get install python3-torch` puts it) that imports torch.
set -eu
cd "$(dirname "$0")"
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import torch, torchvision, pytest" 2>/dev/null; then
      PYTHON=$candidate
      break
    fi
  done
fi
if [ -z "${PYTHON:-}" ]; then
  echo "No Python with torch, torchvision and pytest found. Install them (Debian: apt-get install python3-torch python3-torchvision python3-pytest; elsewhere: pip install -r model/requirements.txt pytest) or set PYTHON." >&2
  exit 1
fi
exec "$PYTHON" -m pytest -q -p no:cacheprovider "$@" .
