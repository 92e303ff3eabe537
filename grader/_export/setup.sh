#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu),
# with this zip unpacked in /autograder/source. It makes a Python 3.11+ virtual
# environment in /autograder/venv and installs mlday into it from the bundled project,
# and it installs bubblewrap so that mlday can sandbox learners' code at the strict
# level. Bubblewrap is best effort: where the container does not allow it, mlday grades
# at the basic level (see 'mlday doctor' in the build log). The build has network
# access; grading itself needs none.
set -euo pipefail

ROOT=${AUTOGRADER_ROOT:-/autograder}
SOURCE=$ROOT/source
VENV=$ROOT/venv
export DEBIAN_FRONTEND=noninteractive

apt-get update || echo "setup.sh: apt-get update failed; trying with the package lists there are" >&2
apt-get install -y --no-install-recommends bubblewrap \
  || echo "setup.sh: bubblewrap is not installed; mlday will use a weaker sandbox level" >&2

# The first Python 3.11 or newer on PATH.
find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

PYTHON=$(find_python || true)
if [ -z "$PYTHON" ]; then
  # Ubuntu 22.04 ships 3.10 as python3, and 3.11 as a package of its own.
  apt-get install -y --no-install-recommends python3.11 python3.11-venv \
    || { apt-get install -y --no-install-recommends software-properties-common \
         && add-apt-repository -y ppa:deadsnakes/ppa \
         && apt-get update \
         && apt-get install -y --no-install-recommends python3.11 python3.11-venv; }
  PYTHON=$(find_python)
fi

# Debian and Ubuntu ship the venv module in a package of its own (python3.X-venv).
if ! "$PYTHON" -m venv "$VENV"; then
  apt-get install -y --no-install-recommends "$(basename "$PYTHON")-venv" python3-venv || true
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install "$SOURCE"

MLDAY_ROOT=$SOURCE "$VENV/bin/mlday" doctor || true
