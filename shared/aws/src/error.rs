//! SDK error classification. Every SDK error becomes one of a few classes; the adapters turn
//! a class into their port's error. Messages carry the AWS error code (or a transport class)
//! and the operation name, never request or item contents.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// What an SDK failure means for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// Throttling, timeouts, connection failures, 5xx, transaction conflicts: retry later.
    Transient(String),
    /// A condition expression failed (single-item write).
    ConditionFailed,
    /// The request or the stored data was refused as malformed (a bug, or an item too big).
    Rejected(String),
    /// Misconfiguration: unknown table or key, access denied, disabled key.
    Refused(String),
    /// The service named an error this crate does not know; treated as not retryable.
    Other(String),
}

/// Codes that mean "try again later" for DynamoDB and KMS alike.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionConflictException",
    "TransactionInProgressException",
    "LimitExceededException",
    "KMSInternalException",
    "DependencyTimeoutException",
];

const REFUSED_CODES: &[&str] = &[
    "ResourceNotFoundException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "NotFoundException",
    "DisabledException",
    "KMSInvalidStateException",
    "InvalidKeyUsageException",
    "KeyUnavailableException",
];

pub(crate) fn classify<E>(op: &str, err: &SdkError<E>) -> Class
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::TimeoutError(_) => Class::Transient(format!("{op}: timeout")),
        SdkError::DispatchFailure(_) => Class::Transient(format!("{op}: dispatch failure")),
        SdkError::ResponseError(_) => Class::Transient(format!("{op}: unreadable response")),
        SdkError::ConstructionFailure(_) => Class::Rejected(format!("{op}: request construction")),
        SdkError::ServiceError(ctx) => {
            let code = ctx.err().code().unwrap_or("");
            classify_code(op, code, status_of(err))
        }
        _ => Class::Other(format!("{op}: unknown SDK error")),
    }
}

fn status_of<E>(err: &SdkError<E>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

pub(crate) fn classify_code(op: &str, code: &str, status: Option<u16>) -> Class {
    if code == "ConditionalCheckFailedException" {
        return Class::ConditionFailed;
    }
    if TRANSIENT_CODES.contains(&code) || status.is_some_and(|s| s >= 500) {
        return Class::Transient(format!("{op}: {code}"));
    }
    if REFUSED_CODES.contains(&code) {
        return Class::Refused(format!("{op}: {code}"));
    }
    if code == "ValidationException" || code == "SerializationException" {
        return Class::Rejected(format!("{op}: {code}"));
    }
    if code.is_empty() {
        return Class::Other(format!("{op}: unnamed service error"));
    }
    Class::Other(format!("{op}: {code}"))
}

impl Class {
    pub(crate) fn into_store(self) -> dlp_vault::StoreError {
        use dlp_vault::StoreError;
        match self {
            Class::Transient(m) => StoreError::Unavailable(m),
            // Misconfiguration is not fixed by retrying, but the port has no "refused" class;
            // Unavailable keeps the job from being dropped while an operator fixes it.
            Class::Refused(m) => StoreError::Unavailable(m),
            Class::ConditionFailed => {
                StoreError::Conflict("ConditionalCheckFailedException".into())
            }
            Class::Rejected(m) | Class::Other(m) => StoreError::Invalid(m),
        }
    }

    pub(crate) fn into_audit(self) -> dlp_audit::AuditError {
        use dlp_audit::AuditError;
        match self {
            Class::Transient(m) | Class::Refused(m) => AuditError::Unavailable(m),
            Class::ConditionFailed => {
                AuditError::Unavailable("ConditionalCheckFailedException".into())
            }
            Class::Rejected(m) | Class::Other(m) => AuditError::Invalid(m),
        }
    }
}

/// Map an SDK error straight to a vault-store error.
pub(crate) fn store_err<E>(op: &str, err: &SdkError<E>) -> dlp_vault::StoreError
where
    E: ProvideErrorMetadata,
{
    classify(op, err).into_store()
}

pub(crate) fn audit_err<E>(op: &str, err: &SdkError<E>) -> dlp_audit::AuditError
where
    E: ProvideErrorMetadata,
{
    classify(op, err).into_audit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_classes() {
        let cases = [
            ("ThrottlingException", None, "transient"),
            ("ProvisionedThroughputExceededException", None, "transient"),
            ("TransactionConflictException", None, "transient"),
            ("Whatever", Some(503), "transient"),
            ("ConditionalCheckFailedException", None, "condition"),
            ("ValidationException", None, "rejected"),
            ("ResourceNotFoundException", None, "refused"),
            ("AccessDeniedException", None, "refused"),
            ("SomethingNew", Some(400), "other"),
        ];
        for (code, status, want) in cases {
            let got = match classify_code("Op", code, status) {
                Class::Transient(_) => "transient",
                Class::ConditionFailed => "condition",
                Class::Rejected(_) => "rejected",
                Class::Refused(_) => "refused",
                Class::Other(_) => "other",
            };
            assert_eq!(got, want, "{code}");
        }
    }

    #[test]
    fn messages_carry_code_and_operation_only() {
        match classify_code("PutItem", "ThrottlingException", None) {
            Class::Transient(m) => assert_eq!(m, "PutItem: ThrottlingException"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
