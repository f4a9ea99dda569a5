#!/usr/bin/env python3
"""Process start to ready of the Lambda binaries (issue 5: <= 30 ms excluding network).

Plays the Lambda runtime API on a loopback port and starts each function binary the way the
Lambda service does (AWS_LAMBDA_RUNTIME_API plus the function's environment from
template.yaml's Globals), pointed at moto for the one network call made at init (the
Secrets Manager secret of webhook-ingest and scan-redact). "Ready" is the moment the binary
asks for its first event (GET /2018-06-01/runtime/invocation/next): configuration read,
SDK clients built, rule set compiled, secret fetched. The network part is the secret fetch
time the binary logs itself (`secret_ms` in its "initialised" line), reported apart.

usage: lambda_startup.py MOTO_URL BIN_DIR [RUNS]
"""

import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import boto3

FUNCTIONS = ["webhook-ingest", "scan-redact", "retention-purge", "audit-query"]


class RuntimeApi(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.ready = threading.Event()
        self.ready_at = None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server naming)
        if self.path.endswith("/runtime/invocation/next"):
            if self.server.ready_at is None:
                self.server.ready_at = time.perf_counter()
                self.server.ready.set()
            # Hold the long poll: the measurement ends here and the process is killed.
            time.sleep(5)
        self.send_response(404)
        self.end_headers()

    def do_POST(self):  # noqa: N802
        # An init error report (the binary failed to start): record it as not ready.
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length).decode(errors="replace")
        self.server.init_error = body
        self.server.ready.set()
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def environment(moto, secret_id):
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_FUNCTION_NAME": "startup-bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "DLP_AWS_ENDPOINT": moto,
        "AWS_ENDPOINT_URL": moto,
        "RUST_LOG": "info",
        # template.yaml Globals
        "DLP_MODE": "detect",
        "DLP_INTERCOM_URL": "https://api.intercom.io",
        "DLP_INTERCOM_VERSION": "2.14",
        "DLP_INTERCOM_RATE_PER_MINUTE": "3000",
        "DLP_WEBHOOK_MAX_BYTES": "1048576",
        "DLP_JOB_INLINE_MAX_BYTES": "262144",
        "DLP_MAX_ATTEMPTS": "5",
        "DLP_TAG_NAME": "dlp:sensitive",
        "DLP_INTERCOM_APP_URL": "https://app.intercom.com",
        "DLP_DRY_RUN": "false",
        "DLP_AUDIT_CHAINS": "8",
        "DLP_SECRET_ID": secret_id,
        "DLP_QUEUE_URL": f"{moto}/123456789012/startup-scan",
        "DLP_VAULT_TABLE": "startup-vault",
        "DLP_IDEMPOTENCY_TABLE": "startup-idempotency",
        "DLP_AUDIT_TABLE": "startup-audit",
        "DLP_VAULT_KEY_ID": "arn:aws:kms:us-east-1:123456789012:key/startup",
        "DLP_PURGE_RESERVE_SECS": "5",
    }


def one_start(binary, env):
    api = RuntimeApi()
    api.init_error = None
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{api.server_address[1]}")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    ok = api.ready.wait(30)
    elapsed_ms = (api.ready_at - t0) * 1e3 if api.ready_at else None
    proc.kill()
    out, _ = proc.communicate()
    api.shutdown()
    api.server_close()
    log = out.decode(errors="replace")
    if not ok or elapsed_ms is None:
        sys.exit(f"{binary} did not become ready: {api.init_error or ''}\n{log}")
    m = re.search(r"secret_ms=([0-9.]+)", log)
    secret_ms = float(m.group(1)) if m else 0.0
    return elapsed_ms, secret_ms


def main():
    moto, bin_dir = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    sm = boto3.client(
        "secretsmanager",
        endpoint_url=moto,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    secret_id = f"startup-bench-{os.getpid()}-{time.time_ns()}"
    sm.create_secret(
        Name=secret_id,
        SecretString=json.dumps(
            {
                "intercom_access_token": "startup-token",
                "webhook_client_secrets": ["startup-client-secret"],
                "admin_id": "991267645",
            }
        ),
    )
    env = environment(moto, secret_id)
    print(f"{'function':<16} {'runs':>4} {'ready p50':>10} {'p95':>8} "
          f"{'secret p50':>11} {'ready-secret p50':>17} {'p95':>8}")
    for name in FUNCTIONS:
        binary = os.path.join(bin_dir, name)
        one_start(binary, env)  # warm the page cache
        totals, locals_ = [], []
        for _ in range(runs):
            total, secret = one_start(binary, env)
            totals.append(total)
            locals_.append(total - secret)
        secrets = [t - l for t, l in zip(totals, locals_)]
        q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1]  # noqa: E731
        print(f"{name:<16} {runs:>4} {statistics.median(totals):>8.1f}ms {q(totals, 95):>6.1f}ms "
              f"{statistics.median(secrets):>9.1f}ms {statistics.median(locals_):>15.1f}ms "
              f"{q(locals_, 95):>6.1f}ms")


if __name__ == "__main__":
    main()
