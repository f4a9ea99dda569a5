//! The local master key file: the embedded-mode `KeyProvider`.
//!
//! Owns the keyring file in the data directory, `master-keys.json` (mode 0600):
//!
//! ```json
//! {
//!   "format": "dlp-local-keyring",
//!   "version": 1,
//!   "current": "local-01JEXAMPLE0000000000000000",
//!   "keys": [
//!     { "id": "local-01JEXAMPLE0000000000000000", "created_at_ms": 1733353713007,
//!       "key_hex": "<64 hex chars: a 256-bit AES key>" }
//!   ]
//! }
//! ```
//!
//! Data keys are wrapped under the `current` key with AES-256-GCM, the key id and the
//! entry's encryption context as associated data (`dlp_vault::crypto::wrap_data_key`); the
//! entry records the key id. Rotation adds a key and makes it current; old keys stay so old
//! entries still open. The file is created on first use with mode 0600 (and rewritten via a
//! 0600 temp file and an atomic rename); a file that group or others may read is refused.
//!
//! Must never: write key material anywhere but this file, print it, or start with a file
//! others can read. It does not protect against other processes of the same user, and
//! rotation assumes one process owns the data directory (`dlp serve`).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use async_trait::async_trait;
use dlp_vault::crypto::{unwrap_data_key, wrap_data_key};
use dlp_vault::{DataKey, EncryptionContext, KeyError, KeyProvider};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::error::EmbeddedError;

pub const KEY_FILE_NAME: &str = "master-keys.json";
const FORMAT: &str = "dlp-local-keyring";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct FileKey {
    id: String,
    created_at_ms: i64,
    key_hex: String,
}

impl Drop for FileKey {
    fn drop(&mut self) {
        self.key_hex.zeroize();
    }
}

#[derive(Serialize, Deserialize)]
struct FileRing {
    format: String,
    version: u32,
    current: String,
    keys: Vec<FileKey>,
}

struct Key {
    id: String,
    created_at_ms: i64,
    material: Zeroizing<[u8; 32]>,
}

struct Ring {
    current: String,
    keys: Vec<Key>,
}

impl Ring {
    fn get(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }
}

/// `KeyProvider` over a local keyring file. Cheap to share behind an `Arc`.
pub struct LocalKeyFile {
    path: PathBuf,
    ring: RwLock<Ring>,
}

impl std::fmt::Debug for LocalKeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKeyFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn new_key(now: i64) -> Key {
    let mut material = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(material.as_mut_slice());
    let ulid = ulid::Ulid::from_parts(u64::try_from(now).unwrap_or(0), rand::random::<u128>());
    Key {
        id: format!("local-{ulid}"),
        created_at_ms: now,
        material,
    }
}

impl LocalKeyFile {
    /// Open `dir/master-keys.json`, creating the directory and a new keyring (mode 0600)
    /// when the file does not exist. Refuses a file readable or writable by group or others.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Self, EmbeddedError> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|e| EmbeddedError::io(dir, e))?;
        let path = dir.join(KEY_FILE_NAME);
        match fs::symlink_metadata(&path) {
            Ok(_) => Self::open(&path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let first = new_key(now_ms());
                let ring = Ring {
                    current: first.id.clone(),
                    keys: vec![first],
                };
                match write_ring(&path, &ring, true) {
                    Ok(()) => Ok(Self {
                        path,
                        ring: RwLock::new(ring),
                    }),
                    // Another process created it first: use theirs.
                    Err(EmbeddedError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        Self::open(&path)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(EmbeddedError::io(&path, e)),
        }
    }

    /// Open an existing keyring file (no creation).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, EmbeddedError> {
        let path = path.as_ref().to_owned();
        check_mode(&path)?;
        let mut raw = Zeroizing::new(Vec::new());
        File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut raw))
            .map_err(|e| EmbeddedError::io(&path, e))?;
        let invalid = |reason: &str| EmbeddedError::KeyFileInvalid {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        // serde_json's messages could quote file content (key material): replace them.
        let file: FileRing =
            serde_json::from_slice(&raw).map_err(|_| invalid("not a keyring JSON document"))?;
        if file.format != FORMAT || file.version != VERSION {
            return Err(invalid("unknown format or version"));
        }
        let mut keys = Vec::with_capacity(file.keys.len());
        for k in &file.keys {
            let mut material = Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(&k.key_hex, material.as_mut_slice())
                .map_err(|_| invalid("a key is not 64 hex characters"))?;
            if k.id.is_empty() || keys.iter().any(|x: &Key| x.id == k.id) {
                return Err(invalid("empty or duplicate key id"));
            }
            keys.push(Key {
                id: k.id.clone(),
                created_at_ms: k.created_at_ms,
                material,
            });
        }
        let ring = Ring {
            current: file.current.clone(),
            keys,
        };
        if ring.get(&ring.current).is_none() {
            return Err(invalid("current key id not in the keyring"));
        }
        Ok(Self {
            path,
            ring: RwLock::new(ring),
        })
    }

    /// Add a new key and make it current; returns its id. Old keys are kept so entries they
    /// wrapped still open. The file is replaced atomically.
    pub fn rotate(&self) -> Result<String, EmbeddedError> {
        let mut ring = self.ring.write().unwrap_or_else(|e| e.into_inner());
        let key =
            new_key(now_ms().max(ring.keys.iter().map(|k| k.created_at_ms).max().unwrap_or(0)));
        let id = key.id.clone();
        let previous = std::mem::replace(&mut ring.current, id.clone());
        ring.keys.push(key);
        if let Err(e) = write_ring(&self.path, &ring, false) {
            ring.keys.pop();
            ring.current = previous;
            return Err(e);
        }
        Ok(id)
    }

    /// The id new data keys are wrapped under.
    pub fn current_key_id(&self) -> String {
        self.ring
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .current
            .clone()
    }

    /// Every key id in the ring, oldest first.
    pub fn key_ids(&self) -> Vec<String> {
        let ring = self.ring.read().unwrap_or_else(|e| e.into_inner());
        ring.keys.iter().map(|k| k.id.clone()).collect()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
fn check_mode(path: &Path) -> Result<(), EmbeddedError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).map_err(|e| EmbeddedError::io(path, e))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(EmbeddedError::KeyFileMode {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(path: &Path) -> Result<(), EmbeddedError> {
    Err(EmbeddedError::KeyFileInvalid {
        path: path.to_owned(),
        reason: "file permissions cannot be checked on this platform".into(),
    })
}

/// Write the ring to a fresh 0600 temp file beside `path`, fsync, rename over `path`, fsync
/// the directory. `create_new` refuses to replace an existing file (first creation races).
fn write_ring(path: &Path, ring: &Ring, create_new: bool) -> Result<(), EmbeddedError> {
    let file = FileRing {
        format: FORMAT.into(),
        version: VERSION,
        current: ring.current.clone(),
        keys: ring
            .keys
            .iter()
            .map(|k| FileKey {
                id: k.id.clone(),
                created_at_ms: k.created_at_ms,
                key_hex: hex::encode(k.material.as_slice()),
            })
            .collect(),
    };
    let json = Zeroizing::new(serde_json::to_vec_pretty(&file).map_err(|_| {
        EmbeddedError::KeyFileInvalid {
            path: path.to_owned(),
            reason: "could not encode keyring".into(),
        }
    })?);
    drop(file);
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{KEY_FILE_NAME}.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        if create_new {
            // Link instead of rename: fails if another process created the file meanwhile.
            fs::hard_link(&tmp, path)?;
            fs::remove_file(&tmp)?;
        } else {
            fs::rename(&tmp, path)?;
        }
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| EmbeddedError::io(path, e))
}

#[async_trait]
impl KeyProvider for LocalKeyFile {
    async fn generate_data_key(&self, ctx: &EncryptionContext) -> Result<DataKey, KeyError> {
        let ring = self.ring.read().unwrap_or_else(|e| e.into_inner());
        let master = ring
            .get(&ring.current)
            .ok_or_else(|| KeyError::Refused("current key missing from keyring".into()))?;
        let mut plaintext = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(plaintext.as_mut_slice());
        let wrapped = wrap_data_key(&master.material, &master.id, ctx, &plaintext)?;
        Ok(DataKey {
            key_id: master.id.clone(),
            plaintext,
            wrapped,
        })
    }

    async fn decrypt_data_key(
        &self,
        key_id: &str,
        wrapped: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        let ring = self.ring.read().unwrap_or_else(|e| e.into_inner());
        let master = ring.get(key_id).ok_or_else(|| {
            KeyError::Refused(format!("key id {key_id} is not in the local keyring"))
        })?;
        unwrap_data_key(&master.material, &master.id, ctx, wrapped)
    }
}
