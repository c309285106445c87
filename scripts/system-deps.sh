#!/usr/bin/env bash
# Installs the Debian packages qiangji needs: PostgreSQL (tests), Chromium (browser tests),
# Noto CJK fonts + HarfBuzz subsetting (Chinese PDFs), poppler-utils (pdftotext in tests).
# Only as root and only what is missing; otherwise says what to install.
set -euo pipefail
needed=(postgresql chromium fonts-noto-cjk libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
# `system-deps.sh bench`: also the load generator of benchmarks/bench_leaderboard.py.
[ "${1:-}" = "bench" ] && needed+=(wrk)
missing=()
for p in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "qiangji: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "qiangji: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
