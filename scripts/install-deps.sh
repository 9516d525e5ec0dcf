#!/usr/bin/env bash
# Installs what building and testing sysnoop needs, from Debian's packages only.
# Idempotent: does nothing when every package is already there.
set -euo pipefail

# libclang-rt-14-dev: clang's sanitizer and libFuzzer runtimes (make sanitize, make fuzz).
pkgs=(clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libzstd-dev libc6-dev make gcc
      python3 util-linux iproute2 libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
