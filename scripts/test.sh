#!/usr/bin/env bash
# Runs every check and test of the repository on a fresh machine.
#
# Installs what the tests need (Python tools into .venv: moto's server for the AWS adapters,
# cfn-lint for template.yaml), starts moto on a free loopback port, then runs fmt, clippy
# and the whole cargo test suite. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '\n==> %s\n' "$*"; }

# ---- Python tools -----------------------------------------------------------------------
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
log "installing Python test tools"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
export PATH="$venv/bin:$PATH"
# The Lambda tests drive the function binaries through `cargo lambda watch/invoke` (pip package
# cargo-lambda, installed above into .venv/bin): fail here, clearly, if it cannot run.
cargo lambda --version >/dev/null || { echo "cargo lambda is not runnable from $venv/bin"; exit 1; }

# ---- moto (AWS emulator) on loopback ----------------------------------------------------
moto_port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log "starting moto_server on 127.0.0.1:$moto_port"
moto_log="$root/target/moto.log"
mkdir -p "$root/target"
# moto's server, with DynamoDB requests applied one at a time as real DynamoDB would (see
# scripts/moto_server.py: two conditional writes on one item must not both pass).
"$venv/bin/python" scripts/moto_server.py -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$moto_port/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then echo "moto_server died:"; cat "$moto_log"; exit 1; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$moto_port/moto-api/" >/dev/null || { echo "moto_server did not start"; cat "$moto_log"; exit 1; }
# Tests that need AWS read this and fail loudly (never skip) when it is missing.
export DLP_TEST_AWS_ENDPOINT="http://127.0.0.1:$moto_port"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true

# ---- Static checks ------------------------------------------------------------------------
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
if [ -f template.yaml ]; then
  log "cfn-lint template.yaml"
  cfn-lint template.yaml
fi

# ---- Tests -------------------------------------------------------------------------------
log "cargo test"
cargo test --workspace --locked
