#!/usr/bin/env bash
# The Lambda numbers of issue 5: stripped size of each deployable binary (cargo lambda,
# arm64, release profile: what `sam build` ships) and process start to ready (native release
# build, runtime API played by scripts/lambda_startup.py, moto for the init-time secret).
#
#   scripts/lambda-numbers.sh [RUNS]        (RUNS per function, default 20)
#
# Two release builds of the four functions: about 25 minutes from scratch on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-20}
target=${CARGO_TARGET_DIR:-target}
functions=(webhook-ingest scan-redact retention-purge audit-query)
pkgs=()
for f in "${functions[@]}"; do pkgs+=(-p "$f"); done

venv="$root/.venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
export PATH="$venv/bin:$PATH"

echo "==> cargo lambda build --release --arm64"
cargo lambda build --release --arm64 "${pkgs[@]}"
echo
printf '%-16s %12s %8s\n' function bytes MiB
for f in "${functions[@]}"; do
  bin="$target/lambda/$f/bootstrap"
  size=$(stat -c %s "$bin")
  printf '%-16s %12d %8.2f   %s\n' "$f" "$size" "$(echo "$size / 1048576" | bc -l)" "$(file -b "$bin" | cut -d, -f1-2)"
done

echo
echo "==> cargo build --release (native, for the start-to-ready runs)"
cargo build --release "${pkgs[@]}"

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
echo
"$venv/bin/python" scripts/lambda_startup.py "http://127.0.0.1:$port" "$target/release" "$runs"
