# Sourced by model/build.sh and tests/model/run.sh: one rule for which Python runs the model code.
# $PYTHON if set; else the first of python3 and Debian's /usr/bin/python3 (where
# `apt-get install python3-torch` puts PyTorch) that imports the modules named in $1.
find_python() {
  if [ -n "${PYTHON:-}" ]; then
    return 0
  fi
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import $1" 2>/dev/null; then
      PYTHON=$candidate
      return 0
    fi
  done
  echo "No Python with $1 found. Install them (Debian: apt-get install python3-torch python3-torchvision python3-pytest;" \
    "elsewhere: pip install -r model/requirements.txt pytest) or set PYTHON." >&2
  exit 1
}
