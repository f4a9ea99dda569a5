//! Envelope encryption of vault entries.
//!
//! Owns: sealing a [`SealedContent`] into a [`SealedBlob`] (one fresh data key per entry from
//! the [`KeyProvider`], AES-256-GCM with a random 96-bit nonce, the entry's
//! [`EncryptionContext`] as associated data), opening it again, the binary encoding of the
//! sealed plaintext, the local key-wrapping format shared by the embedded key providers, and
//! entry ids.
//!
//! Must never: keep a plaintext key or plaintext buffer beyond the call (every such buffer is
//! `Zeroizing` and sized up front so no reallocation leaves a stray copy behind), put input
//! values in errors, or log anything.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::model::{
    EncryptionContext, EntryId, SealedBlob, SealedContent, SealedFinding, UnixMillis,
};
use crate::ports::{KeyError, KeyProvider};

/// AES-GCM authentication tag length.
const TAG_LEN: usize = 16;
/// First byte of the encoded [`SealedContent`]: the plaintext format version. Version 2 adds
/// a flags byte to each finding; content none of whose findings has a flag set is written as
/// version 1, which readers of either version open.
const CONTENT_V1: u8 = 1;
const CONTENT_V2: u8 = 2;
/// Finding flag (version 2): [`SealedFinding::from_message_before`].
const FLAG_FROM_MESSAGE_BEFORE: u8 = 1;
/// Domain separation for locally wrapped data keys (see [`wrap_data_key`]).
const WRAP_V1: u8 = 1;
const WRAP_AAD_TAG: &[u8] = b"dlp-local-wrap-v1";
/// Wrapped key layout: version (1) ‖ nonce (12) ‖ ciphertext of the key (32) ‖ tag (16).
pub const WRAPPED_KEY_LEN: usize = 1 + 12 + 32 + TAG_LEN;

/// Errors of sealing and opening. None of them carries content or key material.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The key provider failed (unwrap refused, unavailable, misconfigured).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Authentication failed: the ciphertext, nonce or encryption context was altered, or
    /// the data key is not this entry's.
    #[error("sealed blob could not be opened under the given encryption context")]
    Open,
    /// The blob authenticated but its plaintext is not a valid encoding (format version
    /// unknown, truncated). Indicates a bug or a future format, never tampering.
    #[error("sealed content is malformed")]
    Malformed,
    /// The content is too large to encode (a field over 4 GiB).
    #[error("sealed content too large")]
    TooLarge,
    /// The AEAD refused to encrypt (only possible for absurd sizes).
    #[error("encryption failed")]
    Seal,
}

/// Seal `content` for the entry identified by `ctx`: asks `keys` for a fresh data key bound
/// to `ctx`, encrypts with AES-256-GCM under a random nonce with `ctx.aad()` as associated
/// data, and returns the blob to store. The plaintext data key and the encoded plaintext are
/// zeroized before returning.
pub async fn seal(
    keys: &dyn KeyProvider,
    ctx: &EncryptionContext,
    content: &SealedContent,
) -> Result<SealedBlob, VaultError> {
    let data_key = keys.generate_data_key(ctx).await?;
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);

    let mut buf = encode_content(content)?;
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.plaintext.as_slice()));
    cipher
        .encrypt_in_place(Nonce::from_slice(&nonce), &ctx.aad(), &mut *buf)
        .map_err(|_| VaultError::Seal)?;
    // The buffer now holds ciphertext ‖ tag; moving it out leaves an empty (zeroized) Vec.
    let ciphertext = std::mem::take(&mut *buf);
    Ok(SealedBlob {
        key_id: data_key.key_id.clone(),
        wrapped_key: data_key.wrapped.clone(),
        nonce,
        ciphertext,
    })
}

/// Open a blob made by [`seal`] under the same `ctx`. Fails with [`VaultError::Key`] when the
/// provider will not unwrap the data key for `ctx` (wrong entry, tampered wrapped key) and
/// with [`VaultError::Open`] when the ciphertext, nonce or context does not authenticate.
pub async fn open(
    keys: &dyn KeyProvider,
    ctx: &EncryptionContext,
    blob: &SealedBlob,
) -> Result<SealedContent, VaultError> {
    let key = keys
        .decrypt_data_key(&blob.key_id, &blob.wrapped_key, ctx)
        .await?;
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.as_slice()));
    let mut buf = Zeroizing::new(blob.ciphertext.clone());
    cipher
        .decrypt_in_place(Nonce::from_slice(&blob.nonce), &ctx.aad(), &mut *buf)
        .map_err(|_| VaultError::Open)?;
    decode_content(&buf)
}

/// A new sortable entry id (ULID) for an entry created at `now_ms`. Negative times clamp to
/// the epoch.
pub fn new_entry_id(now_ms: UnixMillis) -> EntryId {
    let ts = u64::try_from(now_ms).unwrap_or(0);
    // A ULID's random part is 80 bits.
    let random = rand::random::<u128>() & ((1u128 << 80) - 1);
    EntryId(ulid::Ulid::from_parts(ts, random).to_string())
}

/// Wrap `data_key` under a local master key with AES-256-GCM. The associated data binds the
/// master key id and the entry's encryption context, so the wrapped key only unwraps for the
/// same entry under the same master key. Layout: see [`WRAPPED_KEY_LEN`].
///
/// Used by the embedded key providers (local key file, in-memory); KMS does its own wrapping.
pub fn wrap_data_key(
    master: &[u8; 32],
    master_key_id: &str,
    ctx: &EncryptionContext,
    data_key: &[u8; 32],
) -> Result<Vec<u8>, KeyError> {
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut out = Vec::with_capacity(WRAPPED_KEY_LEN);
    out.push(WRAP_V1);
    out.extend_from_slice(&nonce);
    let mut body = Zeroizing::new(Vec::with_capacity(32 + TAG_LEN));
    body.extend_from_slice(data_key);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(master));
    cipher
        .encrypt_in_place(
            Nonce::from_slice(&nonce),
            &wrap_aad(master_key_id, ctx),
            &mut *body,
        )
        .map_err(|_| KeyError::Refused("data key wrap failed".into()))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Inverse of [`wrap_data_key`]. Any alteration of the wrapped bytes, the key id or the
/// context is [`KeyError::Unwrap`].
pub fn unwrap_data_key(
    master: &[u8; 32],
    master_key_id: &str,
    ctx: &EncryptionContext,
    wrapped: &[u8],
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    if wrapped.len() != WRAPPED_KEY_LEN || wrapped[0] != WRAP_V1 {
        return Err(KeyError::Unwrap);
    }
    let nonce = &wrapped[1..13];
    let mut body = Zeroizing::new(Vec::with_capacity(32 + TAG_LEN));
    body.extend_from_slice(&wrapped[13..]);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(master));
    cipher
        .decrypt_in_place(
            Nonce::from_slice(nonce),
            &wrap_aad(master_key_id, ctx),
            &mut *body,
        )
        .map_err(|_| KeyError::Unwrap)?;
    let mut key = Zeroizing::new([0u8; 32]);
    if body.len() != 32 {
        return Err(KeyError::Unwrap);
    }
    key.copy_from_slice(&body);
    Ok(key)
}

fn wrap_aad(master_key_id: &str, ctx: &EncryptionContext) -> Vec<u8> {
    let ctx_aad = ctx.aad();
    let mut aad = Vec::with_capacity(WRAP_AAD_TAG.len() + 4 + master_key_id.len() + ctx_aad.len());
    aad.extend_from_slice(WRAP_AAD_TAG);
    aad.extend_from_slice(&(master_key_id.len() as u32).to_be_bytes());
    aad.extend_from_slice(master_key_id.as_bytes());
    aad.extend_from_slice(&ctx_aad);
    aad
}

// ---- plaintext encoding -------------------------------------------------------------------
//
// Binary, big-endian, length-prefixed; version byte first:
//   u8 version (1 or 2)
//   str original_text
//   u32 finding count, then per finding:
//     str entity, str rule_id, u64 start, u64 end, u32 score (f32 bits), str masked,
//     and in version 2 a u8 of flags (bit 0: from the message before; other bits rejected)
// where str = u32 byte length ‖ UTF-8 bytes. The exact size is computed first so the
// zeroizing buffer never reallocates (a reallocation would leave an unzeroized copy).

/// The version `content` is written in: 2 only when a finding has a flag to keep.
fn content_version(content: &SealedContent) -> u8 {
    if content.findings.iter().any(|f| f.from_message_before) {
        CONTENT_V2
    } else {
        CONTENT_V1
    }
}

fn encoded_len(content: &SealedContent) -> usize {
    let flags = usize::from(content_version(content) == CONTENT_V2);
    let mut n = 1 + 4 + content.original_text.len() + 4;
    for f in &content.findings {
        n += 4 + f.entity.len() + 4 + f.rule_id.len() + 8 + 8 + 4 + 4 + f.masked.len() + flags;
    }
    n
}

fn put_str(out: &mut Vec<u8>, s: &str) -> Result<(), VaultError> {
    let len = u32::try_from(s.len()).map_err(|_| VaultError::TooLarge)?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Encode into a zeroizing buffer with room for the AEAD tag.
fn encode_content(content: &SealedContent) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let mut out = Zeroizing::new(Vec::with_capacity(encoded_len(content) + TAG_LEN));
    let version = content_version(content);
    out.push(version);
    put_str(&mut out, &content.original_text)?;
    let count = u32::try_from(content.findings.len()).map_err(|_| VaultError::TooLarge)?;
    out.extend_from_slice(&count.to_be_bytes());
    for f in &content.findings {
        put_str(&mut out, &f.entity)?;
        put_str(&mut out, &f.rule_id)?;
        out.extend_from_slice(&(f.start as u64).to_be_bytes());
        out.extend_from_slice(&(f.end as u64).to_be_bytes());
        out.extend_from_slice(&f.score.to_bits().to_be_bytes());
        put_str(&mut out, &f.masked)?;
        if version == CONTENT_V2 {
            out.push(if f.from_message_before {
                FLAG_FROM_MESSAGE_BEFORE
            } else {
                0
            });
        }
    }
    Ok(out)
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], VaultError> {
        if self.buf.len() < n {
            return Err(VaultError::Malformed);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, VaultError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, VaultError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn string(&mut self) -> Result<String, VaultError> {
        let len = self.u32()? as usize;
        let bytes = self.take(len)?;
        // Validate in place, then copy once into the owned String (which the caller's
        // SealedContent zeroizes on drop): no intermediate copy.
        let s = std::str::from_utf8(bytes).map_err(|_| VaultError::Malformed)?;
        Ok(s.to_owned())
    }
}

fn decode_content(buf: &[u8]) -> Result<SealedContent, VaultError> {
    let mut r = Reader { buf };
    let version = r.take(1)?[0];
    if version != CONTENT_V1 && version != CONTENT_V2 {
        return Err(VaultError::Malformed);
    }
    let original_text = r.string()?;
    // Build the result before anything else can fail, so the text is zeroized on error too.
    let mut content = SealedContent {
        findings: Vec::new(),
        original_text,
    };
    let count = r.u32()? as usize;
    // Each finding takes at least 32 bytes; cap the preallocation by what the buffer holds.
    content.findings.reserve(count.min(r.buf.len() / 32));
    for _ in 0..count {
        let entity = r.string()?;
        let rule_id = r.string()?;
        let start = usize::try_from(r.u64()?).map_err(|_| VaultError::Malformed)?;
        let end = usize::try_from(r.u64()?).map_err(|_| VaultError::Malformed)?;
        let score = f32::from_bits(r.u32()?);
        let masked = r.string()?;
        let flags = if version == CONTENT_V2 {
            r.take(1)?[0]
        } else {
            0
        };
        if flags & !FLAG_FROM_MESSAGE_BEFORE != 0 {
            return Err(VaultError::Malformed);
        }
        content.findings.push(SealedFinding {
            entity,
            rule_id,
            start,
            end,
            score,
            masked,
            from_message_before: flags & FLAG_FROM_MESSAGE_BEFORE != 0,
        });
    }
    if !r.buf.is_empty() {
        return Err(VaultError::Malformed);
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartRef;
    use crate::ports::DataKey;
    use async_trait::async_trait;

    /// A minimal provider over the local wrapping format (the real ones live in
    /// `shared/embedded`).
    struct TestKeys([u8; 32]);

    #[async_trait]
    impl KeyProvider for TestKeys {
        async fn generate_data_key(&self, ctx: &EncryptionContext) -> Result<DataKey, KeyError> {
            let mut plaintext = Zeroizing::new([0u8; 32]);
            rand::rngs::OsRng.fill_bytes(plaintext.as_mut_slice());
            let wrapped = wrap_data_key(&self.0, "test-1", ctx, &plaintext)?;
            Ok(DataKey {
                key_id: "test-1".into(),
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
            if key_id != "test-1" {
                return Err(KeyError::Refused("unknown key id".into()));
            }
            unwrap_data_key(&self.0, key_id, ctx, wrapped)
        }
    }

    fn ctx(part: &str, entry: &str) -> EncryptionContext {
        EncryptionContext::new(
            &PartRef {
                workspace_id: "ws1".into(),
                conversation_id: "c1".into(),
                part_id: part.into(),
            },
            &EntryId(entry.into()),
        )
    }

    fn content() -> SealedContent {
        SealedContent {
            findings: vec![SealedFinding {
                entity: "CREDIT_CARD".into(),
                rule_id: "credit-card".into(),
                start: 8,
                end: 24,
                score: 0.93,
                masked: "card •••• 1111".into(),
                from_message_before: false,
            }],
            original_text: "my card 4111111111111111 thanks".into(),
        }
    }

    #[test]
    fn encoding_round_trips_and_has_exact_size() {
        let c = content();
        let buf = encode_content(&c).unwrap();
        assert_eq!(buf.len(), encoded_len(&c));
        assert_eq!(buf.capacity(), encoded_len(&c) + TAG_LEN);
        assert_eq!(decode_content(&buf).unwrap(), c);
    }

    /// Content with a finding from the message before: version 2, a flags byte per finding.
    fn flagged() -> SealedContent {
        let mut c = content();
        let mut second = c.findings[0].clone();
        second.from_message_before = true;
        c.findings.push(second);
        c
    }

    #[test]
    fn content_without_flags_stays_version_1_and_flags_need_version_2() {
        let c = content();
        let v1 = encode_content(&c).unwrap();
        assert_eq!(v1[0], CONTENT_V1);
        let f = flagged();
        let v2 = encode_content(&f).unwrap();
        assert_eq!(v2[0], CONTENT_V2);
        assert_eq!(v2.len(), encoded_len(&f));
        assert_eq!(decode_content(&v2).unwrap(), f);
        // Bytes written before version 2 existed: the version 1 layout, spelled out.
        let mut old = vec![1u8];
        let put = |b: &mut Vec<u8>, s: &str| {
            b.extend_from_slice(&(s.len() as u32).to_be_bytes());
            b.extend_from_slice(s.as_bytes());
        };
        put(&mut old, "my card 4111111111111111 thanks");
        old.extend_from_slice(&1u32.to_be_bytes());
        put(&mut old, "CREDIT_CARD");
        put(&mut old, "credit-card");
        old.extend_from_slice(&8u64.to_be_bytes());
        old.extend_from_slice(&24u64.to_be_bytes());
        old.extend_from_slice(&0.93f32.to_bits().to_be_bytes());
        put(&mut old, "card •••• 1111");
        assert_eq!(decode_content(&old).unwrap(), c);
        assert_eq!(&v1[..], &old[..]);
        // A flag this version does not know, or a version it does not know, is malformed.
        let mut unknown = v2.to_vec();
        let last = unknown.len() - 1;
        unknown[last] |= 0x80;
        assert!(matches!(
            decode_content(&unknown),
            Err(VaultError::Malformed)
        ));
        let mut v3 = v2.to_vec();
        v3[0] = 3;
        assert!(matches!(decode_content(&v3), Err(VaultError::Malformed)));
    }

    #[test]
    fn truncated_or_trailing_encoding_is_malformed() {
        for c in [content(), flagged()] {
            let buf = encode_content(&c).unwrap();
            for cut in 0..buf.len() {
                assert!(matches!(
                    decode_content(&buf[..cut]),
                    Err(VaultError::Malformed)
                ));
            }
            let mut long = buf.to_vec();
            long.push(0);
            assert!(matches!(decode_content(&long), Err(VaultError::Malformed)));
        }
    }

    #[tokio::test]
    async fn seal_open_round_trip_and_context_binding() {
        let keys = TestKeys([7u8; 32]);
        let a = ctx("p1", "E1");
        let blob = seal(&keys, &a, &content()).await.unwrap();
        assert_eq!(open(&keys, &a, &blob).await.unwrap(), content());
        // Another entry's identity: the wrapped key does not unwrap.
        let b = ctx("p2", "E2");
        assert!(matches!(
            open(&keys, &b, &blob).await,
            Err(VaultError::Key(KeyError::Unwrap))
        ));
        // Nonce altered: the AEAD rejects.
        let mut t = blob.clone();
        t.nonce[0] ^= 1;
        assert!(matches!(open(&keys, &a, &t).await, Err(VaultError::Open)));
        // Ciphertext altered at every position: rejected.
        for i in 0..blob.ciphertext.len() {
            let mut t = blob.clone();
            t.ciphertext[i] ^= 0x80;
            assert!(matches!(open(&keys, &a, &t).await, Err(VaultError::Open)));
        }
        // Wrapped key altered.
        let mut t = blob.clone();
        t.wrapped_key[20] ^= 1;
        assert!(matches!(
            open(&keys, &a, &t).await,
            Err(VaultError::Key(KeyError::Unwrap))
        ));
    }

    #[tokio::test]
    async fn each_seal_uses_fresh_key_and_nonce() {
        let keys = TestKeys([9u8; 32]);
        let a = ctx("p1", "E1");
        let x = seal(&keys, &a, &content()).await.unwrap();
        let y = seal(&keys, &a, &content()).await.unwrap();
        assert_ne!(x.nonce, y.nonce);
        assert_ne!(x.wrapped_key, y.wrapped_key);
        assert_ne!(x.ciphertext, y.ciphertext);
    }

    #[test]
    fn entry_ids_sort_by_time() {
        let a = new_entry_id(1_000);
        let b = new_entry_id(2_000);
        assert_eq!(a.as_str().len(), 26);
        assert!(a < b);
        assert_ne!(new_entry_id(1_000), new_entry_id(1_000));
        assert_eq!(new_entry_id(-5).as_str().len(), 26);
    }
}
