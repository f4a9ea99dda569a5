//! `dlp token`, `dlp audit verify|export` and `dlp purge` through the real binary on a local
//! data dir.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use dlp_audit::{Action, AuditLog};
use dlp_embedded::SqliteStore;
use dlp_service::governance_config::{local_db_path, local_jwt};

fn dlp(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dlp"))
        .args(args)
        .env_remove("DLP_JWT_SECRET")
        .env_remove("DLP_DATA_DIR")
        .output()
        .unwrap()
}

#[test]
fn token_is_verifiable_with_the_data_dir_secret() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = dlp(&[
        "token",
        "--sub",
        "alice@example.com",
        "--role",
        "reviewer",
        "--ttl",
        "15m",
        "--data-dir",
        d,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = local_jwt(dir.path()).unwrap().verify(&token, now).unwrap();
    assert_eq!(claims["sub"], "alice@example.com");
    assert_eq!(claims["roles"], serde_json::json!(["reviewer"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    // Bad ttl: refused, exit 2.
    let out = dlp(&[
        "token",
        "--sub",
        "a",
        "--role",
        "auditor",
        "--ttl",
        "3d",
        "--data-dir",
        d,
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn audit_verify_export_and_purge_on_the_local_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // No database yet: a clear error, not a fresh empty one.
    assert_eq!(
        dlp(&["audit", "verify", "--data-dir", d]).status.code(),
        Some(2)
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = SqliteStore::open(local_db_path(dir.path())).unwrap();
    rt.block_on(async {
        for i in 0..20i64 {
            let mut e = dlp_audit::testkit::sample_event(
                1_796_400_000_000 + i * 60_000,
                "user:bob@example.com",
                Action::FindingRevealed,
                Some("conv-1"),
            );
            e.reason = Some(if i == 3 {
                "=HYPERLINK(\"x\")".into()
            } else {
                format!("case {i}")
            });
            store.append(e).await.unwrap();
        }
    });
    drop(store);

    let out = dlp(&["audit", "verify", "--data-dir", d]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["verified"], 20);

    // Export a window: 10 of the 20 events, formulas escaped.
    let out = dlp(&[
        "audit",
        "export",
        "--since",
        "1796400000000",
        "--until",
        "2026-12-04T16:10:00Z",
        "--data-dir",
        d,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("id,time,time_ms,actor,action,"));
    assert_eq!(csv.matches("\r\n").count(), 11, "{csv}");
    assert!(csv.contains(r#","'=HYPERLINK(""x"")","#));
    assert_eq!(
        dlp(&["audit", "export", "--since", "yesterday", "--data-dir", d])
            .status
            .code(),
        Some(2)
    );

    // Dry-run purge on an empty vault: nothing due.
    let out = dlp(&["purge", "--dry-run", "--data-dir", d]);
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["entries"], 0);

    // Tamper with one event: verify exits 1 and names it.
    let db = rusqlite::Connection::open(local_db_path(dir.path())).unwrap();
    let id: String = db
        .query_row(
            "SELECT event_id FROM audit_events ORDER BY time LIMIT 1 OFFSET 5",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "UPDATE audit_events SET actor = 'user:mallory' WHERE event_id = ?1",
        [&id],
    )
    .unwrap();
    drop(db);
    let out = dlp(&["audit", "verify", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_break"]["event_id"], id.as_str());
    assert_eq!(v["first_break"]["reason"], "hash_mismatch");
}
