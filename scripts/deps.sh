#!/usr/bin/env bash
# Installs the Debian packages Samlad needs that are missing.
#   deps.sh build   what building and running needs
#   deps.sh test    that, plus what the tests need
#   deps.sh fuzz    that, plus clang and libFuzzer for scripts/fuzz.sh
# Runs apt-get only when something is missing, so a second run is quick.
set -euo pipefail

build_pkgs=(gcc meson ninja-build pkg-config libpq-dev libcjson-dev
	libmicrohttpd-dev libgnutls28-dev libcurl4-openssl-dev libssl-dev libglpk-dev libxlsxwriter-dev zlib1g-dev
	postgresql-15 postgresql-client-15 curl python3 ca-certificates)
test_pkgs=(python3-jsonschema python3-yaml python3-aiosmtpd python3-openpyxl prometheus
	openapi-specification poppler-utils
	chromium wrk openssl)
fuzz_pkgs=(clang libclang-rt-14-dev)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
[ "${1:-build}" = fuzz ] && want+=("${test_pkgs[@]}" "${fuzz_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (whose npm then conflicts with
# it): a working npm is enough.
if [ "${1:-build}" != build ] && ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "samlad: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
