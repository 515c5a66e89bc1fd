#!/usr/bin/env bash
# Installs the JavaScript reference tokenizers (host/bench/scripts/tokenizer-peer, from its lockfile) that
# TokenizerPeerTest compares Roundhouse's tokenizers against. Without node/npm the test skips.
set -euo pipefail
cd "$(dirname "$0")/../host/bench/scripts/tokenizer-peer"
if command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
else
  echo "tokenizer-peer: npm not found; TokenizerPeerTest will be skipped" >&2
fi
