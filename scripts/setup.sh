#!/usr/bin/env bash
# Installs what shoal needs on a fresh Debian machine, as root, idempotently: system packages, npm packages, build.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(docker.io etcd-server etcd-client busybox-static iproute2 iptables util-linux procps openssl
      docker-compose docker-registry openssh-server chromium prometheus)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' start scripts are refused here ("policy-rc.d denied execution"): shoal starts what it needs itself.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: build"
npm run --silent build
echo "setup: done"
