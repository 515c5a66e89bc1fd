#!/usr/bin/env bash
# Installs Debian's python3-torch when /usr/bin/python3 cannot import torch: the PyTorch export parity
# test (HfExportParityTest) runs the exported modeling_roundhouse.py with it (it skips without it).
set -euo pipefail
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch
/usr/bin/python3 -c 'import torch; print("python3-torch", torch.__version__)'
