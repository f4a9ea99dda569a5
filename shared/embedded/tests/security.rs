#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Security properties of local mode: the key file's permissions and rotation, tamper
//! resistance of sealed entries, and that no database file ever holds a planted value in
//! any encoding we can think of.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use dlp_audit::{Action, AuditLog};
use dlp_embedded::keyfile::KEY_FILE_NAME;
use dlp_embedded::{EmbeddedError, LocalKeyFile, SqliteStore};
use dlp_vault::testkit::{sample_content, sample_entry};
use dlp_vault::{
    EncryptionContext, KeyError, PutOutcome, VaultError, VaultStore, new_entry_id, open, seal,
};

/// Synthetic values only: a Visa test number, test SSNs, a reserved-domain email.
const PLANTED: &[&str] = &[
    "4111111111111111",
    "4111 1111 1111 1111",
    "472-38-9016",
    "536-22-1120",
    "jane.doe@example.com",
];

fn ctx_of(e: &dlp_vault::VaultEntry) -> EncryptionContext {
    EncryptionContext::new(&e.part, &e.id)
}

// ---- key file -------------------------------------------------------------------------------

#[test]
fn key_file_is_created_0600() {
    let dir = tempfile::tempdir().unwrap();
    let keys = LocalKeyFile::open_or_create(dir.path().join("data")).unwrap();
    let mode = std::fs::metadata(keys.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(keys.path().file_name().unwrap(), KEY_FILE_NAME);
    // No temp file left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from(KEY_FILE_NAME)]);
}

#[test]
fn key_file_readable_by_others_is_refused() {
    for mode in [0o644, 0o640, 0o604, 0o660, 0o606] {
        let dir = tempfile::tempdir().unwrap();
        let keys = LocalKeyFile::open_or_create(dir.path()).unwrap();
        std::fs::set_permissions(keys.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        let err = LocalKeyFile::open_or_create(dir.path()).unwrap_err();
        match &err {
            EmbeddedError::KeyFileMode { mode: m, .. } => assert_eq!(*m, mode),
            other => panic!("mode {mode:o}: expected KeyFileMode, got {other}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("chmod 600"), "actionable message: {msg}");
        // The message must not quote key material.
        let file = std::fs::read_to_string(keys.path()).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&file).unwrap();
        let hex = doc["keys"][0]["key_hex"].as_str().unwrap();
        assert!(!msg.contains(hex));
    }
}

#[test]
fn malformed_key_files_are_refused_without_quoting_them() {
    let cases = [
        "not json at all 0123456789abcdef",
        r#"{"format":"other","version":1,"current":"a","keys":[]}"#,
        r#"{"format":"dlp-local-keyring","version":1,"current":"a","keys":[]}"#,
        r#"{"format":"dlp-local-keyring","version":1,"current":"a","keys":[{"id":"a","created_at_ms":1,"key_hex":"zz"}]}"#,
    ];
    for text in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = LocalKeyFile::open_or_create(dir.path()).unwrap_err();
        assert!(
            matches!(err, EmbeddedError::KeyFileInvalid { .. }),
            "{text}: {err}"
        );
        assert!(!err.to_string().contains("0123456789abcdef"));
    }
}

#[tokio::test]
async fn rotation_keeps_old_entries_openable() {
    let dir = tempfile::tempdir().unwrap();
    let keys = LocalKeyFile::open_or_create(dir.path()).unwrap();
    let first_id = keys.current_key_id();
    let old = sample_entry("ws1", "c1", "p-old", 1, 2);
    let content = sample_content(&["4111111111111111"]);
    let old_blob = seal(&keys, &ctx_of(&old), &content).await.unwrap();
    assert_eq!(old_blob.key_id, first_id);

    let second_id = keys.rotate().unwrap();
    assert_ne!(second_id, first_id);
    assert_eq!(keys.current_key_id(), second_id);
    assert_eq!(keys.key_ids(), vec![first_id.clone(), second_id.clone()]);
    let new = sample_entry("ws1", "c1", "p-new", 1, 2);
    let new_blob = seal(&keys, &ctx_of(&new), &content).await.unwrap();
    assert_eq!(new_blob.key_id, second_id, "new entries use the new key");

    // Both open, also after a restart (reloaded from the file, still 0600).
    let reopened = LocalKeyFile::open_or_create(dir.path()).unwrap();
    assert_eq!(reopened.current_key_id(), second_id);
    let mode = std::fs::metadata(reopened.path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "rotation keeps the file private");
    assert_eq!(
        open(&reopened, &ctx_of(&old), &old_blob).await.unwrap(),
        content
    );
    assert_eq!(
        open(&reopened, &ctx_of(&new), &new_blob).await.unwrap(),
        content
    );

    // Claiming the other key id does not open it.
    let mut swapped = old_blob.clone();
    swapped.key_id = second_id.clone();
    assert!(matches!(
        open(&reopened, &ctx_of(&old), &swapped).await,
        Err(VaultError::Key(KeyError::Unwrap))
    ));
    let mut unknown = old_blob.clone();
    unknown.key_id = "local-unknown".into();
    assert!(matches!(
        open(&reopened, &ctx_of(&old), &unknown).await,
        Err(VaultError::Key(KeyError::Refused(_)))
    ));
}

// ---- tampering ------------------------------------------------------------------------------

#[tokio::test]
async fn tampered_blobs_and_foreign_contexts_do_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let keys = LocalKeyFile::open_or_create(dir.path()).unwrap();
    let a = sample_entry("ws1", "c1", "p1", 1, 2);
    let b = sample_entry("ws1", "c1", "p2", 1, 2);
    let content = sample_content(PLANTED);
    let blob = seal(&keys, &ctx_of(&a), &content).await.unwrap();
    assert_eq!(open(&keys, &ctx_of(&a), &blob).await.unwrap(), content);

    let mut errors = Vec::new();
    // Every single-bit flip of the ciphertext (including the tag).
    for i in 0..blob.ciphertext.len() {
        let mut t = blob.clone();
        t.ciphertext[i] ^= 1 << (i % 8);
        errors.push(
            open(&keys, &ctx_of(&a), &t)
                .await
                .expect_err("tampered ciphertext opened"),
        );
    }
    for i in 0..12 {
        let mut t = blob.clone();
        t.nonce[i] ^= 0x40;
        errors.push(
            open(&keys, &ctx_of(&a), &t)
                .await
                .expect_err("tampered nonce opened"),
        );
    }
    for i in 0..blob.wrapped_key.len() {
        let mut t = blob.clone();
        t.wrapped_key[i] ^= 0x02;
        errors.push(
            open(&keys, &ctx_of(&a), &t)
                .await
                .expect_err("tampered wrapped key opened"),
        );
    }
    // Another entry's context, and each field of the context altered.
    errors.push(
        open(&keys, &ctx_of(&b), &blob)
            .await
            .expect_err("opened under another entry"),
    );
    let base = ctx_of(&a);
    let variants = [
        EncryptionContext {
            workspace_id: "ws2".into(),
            ..base.clone()
        },
        EncryptionContext {
            conversation_id: "c2".into(),
            ..base.clone()
        },
        EncryptionContext {
            part_id: "p9".into(),
            ..base.clone()
        },
        EncryptionContext {
            entry_id: new_entry_id(1).0,
            ..base.clone()
        },
    ];
    for v in &variants {
        errors.push(
            open(&keys, v, &blob)
                .await
                .expect_err("opened under an altered context"),
        );
    }
    // A blob moved onto another entry (its wrapped key with another entry's ciphertext).
    let blob_b = seal(&keys, &ctx_of(&b), &content).await.unwrap();
    let mut mixed = blob.clone();
    mixed.ciphertext = blob_b.ciphertext.clone();
    mixed.nonce = blob_b.nonce;
    errors.push(
        open(&keys, &ctx_of(&a), &mixed)
            .await
            .expect_err("mixed blob opened"),
    );

    for e in &errors {
        let text = format!("{e} {e:?}");
        for p in PLANTED {
            assert!(!text.contains(p), "an error quotes a planted value");
        }
    }
    let dbg = format!("{content:?} {blob:?}");
    for p in PLANTED {
        assert!(!dbg.contains(p), "Debug output shows a planted value");
    }
}

// ---- leak scan ------------------------------------------------------------------------------

/// Every encoding of `value` we search for: plain UTF-8, UTF-16 (LE/BE), hex (both cases),
/// and base64 (standard and URL-safe) at each of the three byte alignments, reduced to the
/// characters determined by the value alone.
fn encodings(value: &str) -> Vec<(String, Vec<u8>)> {
    let v = value.as_bytes();
    let mut out = vec![
        ("plain".to_owned(), v.to_vec()),
        (
            "utf16le".to_owned(),
            value.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
        ),
        (
            "utf16be".to_owned(),
            value.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
        ),
        ("hex".to_owned(), hex::encode(v).into_bytes()),
        ("HEX".to_owned(), hex::encode_upper(v).into_bytes()),
    ];
    for (name, engine) in [("base64", &STANDARD), ("base64url", &URL_SAFE)] {
        for k in 0..3usize {
            let mut buf = vec![b'x'; k];
            buf.extend_from_slice(v);
            let full = engine.encode(&buf);
            let start = k.div_ceil(3) * 4;
            let end = ((k + v.len()) / 3) * 4;
            if end > start + 8 {
                out.push((format!("{name}@{k}"), full.as_bytes()[start..end].to_vec()));
            }
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// (file, value, encoding) for every planted value found in any file in `dir`.
fn scan_dir(dir: &Path, values: &[&str]) -> Vec<(String, String, String)> {
    let mut hits = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        for v in values {
            for (enc, needle) in encodings(v) {
                if find(&bytes, &needle) {
                    hits.push((
                        path.file_name().unwrap().to_string_lossy().into_owned(),
                        (*v).to_owned(),
                        enc,
                    ));
                }
            }
        }
    }
    assert!(files > 0, "scan found no files in {}", dir.display());
    hits
}

/// Seal `n` entries carrying the planted values into a SQLite store in `dir`, plus audit
/// events about them, and optionally a control value stored in clear.
async fn fill(dir: &Path, control_in_clear: Option<&str>) -> SqliteStore {
    let keys = LocalKeyFile::open_or_create(dir.join("keys")).unwrap();
    let store = SqliteStore::open(dir.join("db").join("dlp.db")).unwrap();
    for i in 0..50 {
        let mut e = sample_entry(
            "ws1",
            &format!("conv-{}", i % 5),
            &format!("part-{i}"),
            1_000 + i,
            2_000 + i,
        );
        e.masked_text = "card •••• 1111, ssn [US_SSN], email [EMAIL_ADDRESS]".into();
        if let (Some(c), 1) = (control_in_clear, i) {
            e.masked_text = format!("oops {c}");
        }
        e.sealed = seal(&keys, &ctx_of(&e), &sample_content(PLANTED))
            .await
            .unwrap();
        assert_eq!(store.put_if_absent(&e).await.unwrap(), PutOutcome::Inserted);
        let mut ev = dlp_audit::testkit::sample_event(
            1_000 + i,
            "system:scan-redact",
            Action::FindingDetected,
            Some(&e.part.conversation_id),
        );
        ev.entry_ids = vec![e.id.0.clone()];
        store.append(ev).await.unwrap();
        if i % 3 == 0 {
            store.delete(&e.id).await.unwrap();
        }
    }
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_files_never_hold_planted_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = fill(dir.path(), None).await;
    let db_dir = dir.path().join("db");
    // Before a checkpoint the pages sit in the WAL; after it, in the main file.
    let wal = db_dir.join("dlp.db-wal");
    assert!(
        wal.exists() && std::fs::metadata(&wal).unwrap().len() > 0,
        "WAL in use"
    );
    let hits = scan_dir(&db_dir, PLANTED);
    assert!(
        hits.is_empty(),
        "planted values in database files before checkpoint: {hits:?}"
    );
    store.checkpoint().await.unwrap();
    for f in ["dlp.db", "dlp.db-wal", "dlp.db-shm"] {
        assert!(db_dir.join(f).exists(), "{f} should exist to be scanned");
    }
    let hits = scan_dir(&db_dir, PLANTED);
    assert!(
        hits.is_empty(),
        "planted values in database files after checkpoint: {hits:?}"
    );
    // The key directory holds only the keyring.
    let hits = scan_dir(&dir.path().join("keys"), PLANTED);
    assert!(
        hits.is_empty(),
        "planted values in the key directory: {hits:?}"
    );
}

/// The scanner itself must be able to find a value SQLite stores in clear; otherwise the
/// test above could pass by not looking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leak_scan_detects_a_value_stored_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let control = "4929-0000-0000-6";
    let store = fill(dir.path(), Some(control)).await;
    store.checkpoint().await.unwrap();
    let hits = scan_dir(&dir.path().join("db"), &[control]);
    assert!(
        hits.iter().any(|(_, _, enc)| enc == "plain"),
        "control value not found: {hits:?}"
    );
    // And the encodings really are encodings of the value.
    let encs = encodings("4111111111111111");
    assert!(
        encs.iter()
            .any(|(n, e)| n == "base64@0" && e.as_slice() == &b"NDExMTExMTExMTExMTEx"[..])
    );
}
