//! KMS key provider: per-entry data keys from `GenerateDataKey` (AES_256) bound to the
//! entry's encryption context, unwrapped with `Decrypt` under the same context and key.
//!
//! Must never: keep the plaintext data key anywhere but a `Zeroizing` buffer, or hold the
//! SDK's response (which contains it) longer than the copy takes.

use async_trait::async_trait;
use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use dlp_vault::{DataKey, EncryptionContext, KeyError, KeyProvider};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Class, classify};

/// [`KeyProvider`] on AWS KMS. `key_id` is the vault key (id, ARN or alias); decrypts use the
/// key id stored with each entry (the key ARN KMS reported when the data key was made).
#[derive(Clone, Debug)]
pub struct KmsKeyProvider {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsKeyProvider {
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
        }
    }
}

fn context_map(ctx: &EncryptionContext) -> std::collections::HashMap<String, String> {
    ctx.pairs()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn key_error<E: ProvideErrorMetadata>(op: &str, err: &aws_sdk_kms::error::SdkError<E>) -> KeyError {
    // KMS answers a wrong context, a foreign or altered ciphertext with
    // InvalidCiphertextException, and a ciphertext of another key with IncorrectKeyException.
    if let Some(code) = err.as_service_error().and_then(|e| e.code())
        && (code == "InvalidCiphertextException" || code == "IncorrectKeyException")
    {
        return KeyError::Unwrap;
    }
    match classify(op, err) {
        Class::Transient(m) => KeyError::Unavailable(m),
        Class::Refused(m) | Class::Rejected(m) | Class::Other(m) => KeyError::Refused(m),
        Class::ConditionFailed => KeyError::Refused(format!("{op}: unexpected condition")),
    }
}

/// Copy a 32-byte key out of an SDK blob into a zeroizing array, then wipe the blob's bytes.
fn take_key(blob: Option<Blob>, op: &str) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let Some(blob) = blob else {
        return Err(KeyError::Refused(format!("{op}: no plaintext in response")));
    };
    let mut bytes = blob.into_inner();
    let mut key = Zeroizing::new([0u8; 32]);
    let ok = bytes.len() == 32;
    if ok {
        key.copy_from_slice(&bytes);
    }
    bytes.zeroize();
    if ok {
        Ok(key)
    } else {
        Err(KeyError::Refused(format!("{op}: data key is not 32 bytes")))
    }
}

#[async_trait]
impl KeyProvider for KmsKeyProvider {
    async fn generate_data_key(&self, ctx: &EncryptionContext) -> Result<DataKey, KeyError> {
        let out = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .set_encryption_context(Some(context_map(ctx)))
            .send()
            .await
            .map_err(|e| key_error("GenerateDataKey", &e))?;
        let aws_sdk_kms::operation::generate_data_key::GenerateDataKeyOutput {
            ciphertext_blob,
            plaintext,
            key_id,
            ..
        } = out;
        let plaintext = take_key(plaintext, "GenerateDataKey")?;
        let wrapped = ciphertext_blob.map(Blob::into_inner).ok_or_else(|| {
            KeyError::Refused("GenerateDataKey: no ciphertext in response".into())
        })?;
        Ok(DataKey {
            // KMS reports the key ARN even when called with an alias: store that, so entries
            // open after the alias moves to a new key.
            key_id: key_id.unwrap_or_else(|| self.key_id.clone()),
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
        let out = self
            .client
            .decrypt()
            .key_id(key_id)
            .ciphertext_blob(Blob::new(wrapped))
            .set_encryption_context(Some(context_map(ctx)))
            .send()
            .await
            .map_err(|e| key_error("Decrypt", &e))?;
        take_key(out.plaintext, "Decrypt")
    }
}
