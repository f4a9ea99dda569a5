//! Table and index definitions: the single source of truth for the item layouts the adapters
//! use. `template.yaml` declares the same tables (a test parses it and compares), and
//! [`create_table`] creates them for tests and local setups. See `docs/dynamodb.md`.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, Projection, ProjectionType, ScalarAttributeType,
    SseSpecification, SseType, TimeToLiveSpecification,
};

/// A key attribute: name and DynamoDB scalar type (`"S"` or `"N"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyAttr {
    pub name: &'static str,
    pub kind: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: &'static str,
    pub hash: KeyAttr,
    pub range: Option<KeyAttr>,
    /// `"KEYS_ONLY"` or `"ALL"`.
    pub projection: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// The table's logical id in `template.yaml`.
    pub logical_id: &'static str,
    pub hash: KeyAttr,
    pub range: Option<KeyAttr>,
    pub indexes: &'static [IndexSpec],
    /// The attribute DynamoDB TTL reads (epoch seconds). Backstop only.
    pub ttl_attribute: &'static str,
}

const fn s(name: &'static str) -> KeyAttr {
    KeyAttr { name, kind: "S" }
}
const fn n(name: &'static str) -> KeyAttr {
    KeyAttr { name, kind: "N" }
}

/// Attribute names shared between the specs and the adapters.
pub(crate) mod attr {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const TTL: &str = "ttl";
    // vault indexes
    pub const CONV_PK: &str = "conv_pk";
    pub const CONV_SK: &str = "conv_sk";
    pub const CREATED_PK: &str = "created_pk";
    pub const CREATED_SK: &str = "created_sk";
    pub const EXPIRES_PK: &str = "expires_pk";
    pub const EXPIRES_SK: &str = "expires_sk";
    // audit indexes
    pub const TIME_SK: &str = "time_sk";
    pub const ACTOR_PK: &str = "actor_pk";
    pub const ACTION_PK: &str = "action_pk";
    pub const CONVERSATION_PK: &str = "conversation_pk";
}

/// Index names.
pub(crate) mod index {
    pub const VAULT_BY_CONVERSATION: &str = "by_conversation";
    pub const VAULT_BY_CREATED: &str = "by_created";
    pub const VAULT_BY_EXPIRY: &str = "by_expiry";
    pub const AUDIT_BY_TIME: &str = "by_time";
    pub const AUDIT_BY_ACTOR: &str = "by_actor";
    pub const AUDIT_BY_ACTION: &str = "by_action";
    pub const AUDIT_BY_CONVERSATION: &str = "by_conversation";
}

/// Vault entries (`pk = E#<entry id>`) and part locks (`pk = P#<ws>#<conv>#<part>`).
/// Indexes project keys only: the sealed blob is never copied into an index.
pub const VAULT_TABLE: TableSpec = TableSpec {
    logical_id: "VaultTable",
    hash: s(attr::PK),
    range: None,
    indexes: &[
        IndexSpec {
            name: index::VAULT_BY_CONVERSATION,
            hash: s(attr::CONV_PK),
            range: Some(s(attr::CONV_SK)),
            projection: "KEYS_ONLY",
        },
        IndexSpec {
            name: index::VAULT_BY_CREATED,
            hash: s(attr::CREATED_PK),
            range: Some(s(attr::CREATED_SK)),
            projection: "KEYS_ONLY",
        },
        IndexSpec {
            name: index::VAULT_BY_EXPIRY,
            hash: s(attr::EXPIRES_PK),
            range: Some(s(attr::EXPIRES_SK)),
            projection: "KEYS_ONLY",
        },
    ],
    ttl_attribute: attr::TTL,
};

/// Idempotency keys and counters (`pk = <key>`).
pub const IDEMPOTENCY_TABLE: TableSpec = TableSpec {
    logical_id: "IdempotencyTable",
    hash: s(attr::PK),
    range: None,
    indexes: &[],
    ttl_attribute: attr::TTL,
};

/// Audit events (`pk = CH#<chain>`, `sk = seq`) and chain heads (`sk = 0`). Indexes project
/// all attributes: events are small, and a query then needs no second read.
pub const AUDIT_TABLE: TableSpec = TableSpec {
    logical_id: "AuditTable",
    hash: s(attr::PK),
    range: Some(n(attr::SK)),
    indexes: &[
        IndexSpec {
            name: index::AUDIT_BY_TIME,
            hash: s(attr::PK),
            range: Some(s(attr::TIME_SK)),
            projection: "ALL",
        },
        IndexSpec {
            name: index::AUDIT_BY_ACTOR,
            hash: s(attr::ACTOR_PK),
            range: Some(s(attr::TIME_SK)),
            projection: "ALL",
        },
        IndexSpec {
            name: index::AUDIT_BY_ACTION,
            hash: s(attr::ACTION_PK),
            range: Some(s(attr::TIME_SK)),
            projection: "ALL",
        },
        IndexSpec {
            name: index::AUDIT_BY_CONVERSATION,
            hash: s(attr::CONVERSATION_PK),
            range: Some(s(attr::TIME_SK)),
            projection: "ALL",
        },
    ],
    // Audit events are kept for years and never carry a TTL value; the attribute is declared
    // so that an operator can expire events past the legal retention without a schema change.
    ttl_attribute: attr::TTL,
};

pub const ALL_TABLES: [TableSpec; 3] = [VAULT_TABLE, IDEMPOTENCY_TABLE, AUDIT_TABLE];

impl TableSpec {
    /// Every attribute used in a table or index key, once, sorted by name (the
    /// `AttributeDefinitions` of the table).
    pub fn attribute_definitions(&self) -> Vec<KeyAttr> {
        let mut out = vec![self.hash];
        out.extend(self.range);
        for ix in self.indexes {
            out.push(ix.hash);
            out.extend(ix.range);
        }
        out.sort_by_key(|a| a.name);
        out.dedup();
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateTableError {
    #[error("create table failed: {0}")]
    Sdk(String),
    #[error("invalid table definition: {0}")]
    Definition(String),
}

fn key_schema(
    hash: KeyAttr,
    range: Option<KeyAttr>,
) -> Result<Vec<KeySchemaElement>, CreateTableError> {
    let mut out = vec![
        KeySchemaElement::builder()
            .attribute_name(hash.name)
            .key_type(KeyType::Hash)
            .build()
            .map_err(|e| CreateTableError::Definition(e.to_string()))?,
    ];
    if let Some(r) = range {
        out.push(
            KeySchemaElement::builder()
                .attribute_name(r.name)
                .key_type(KeyType::Range)
                .build()
                .map_err(|e| CreateTableError::Definition(e.to_string()))?,
        );
    }
    Ok(out)
}

/// Create table `name` exactly as `spec` (and `template.yaml`) define it: on-demand billing,
/// the key schema and indexes, SSE with `sse_kms_key` when given (AWS-owned key otherwise),
/// then TTL on the spec's attribute and point-in-time recovery. Returns once the table is
/// usable.
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    spec: &TableSpec,
    name: &str,
    sse_kms_key: Option<&str>,
) -> Result<(), CreateTableError> {
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(spec.hash, spec.range)?));
    for a in spec.attribute_definitions() {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(a.name)
                .attribute_type(ScalarAttributeType::from(a.kind))
                .build()
                .map_err(|e| CreateTableError::Definition(e.to_string()))?,
        );
    }
    for ix in spec.indexes {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(ix.name)
                .set_key_schema(Some(key_schema(ix.hash, ix.range)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(ix.projection))
                        .build(),
                )
                .build()
                .map_err(|e| CreateTableError::Definition(e.to_string()))?,
        );
    }
    if let Some(key) = sse_kms_key {
        req = req.sse_specification(
            SseSpecification::builder()
                .enabled(true)
                .sse_type(SseType::Kms)
                .kms_master_key_id(key)
                .build(),
        );
    }
    req.send().await.map_err(|e| sdk_error("CreateTable", &e))?;
    wait_active(client, name).await?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(spec.ttl_attribute)
                .build()
                .map_err(|e| CreateTableError::Definition(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| sdk_error("UpdateTimeToLive", &e))?;
    client
        .update_continuous_backups()
        .table_name(name)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .map_err(|e| CreateTableError::Definition(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| sdk_error("UpdateContinuousBackups", &e))?;
    Ok(())
}

fn sdk_error<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(
    op: &str,
    e: &aws_sdk_dynamodb::error::SdkError<E>,
) -> CreateTableError {
    match crate::error::classify(op, e) {
        crate::error::Class::Transient(m)
        | crate::error::Class::Rejected(m)
        | crate::error::Class::Refused(m)
        | crate::error::Class::Other(m) => CreateTableError::Sdk(m),
        crate::error::Class::ConditionFailed => CreateTableError::Sdk(format!("{op}: condition")),
    }
}

async fn wait_active(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
) -> Result<(), CreateTableError> {
    use aws_sdk_dynamodb::types::TableStatus;
    for _ in 0..600 {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTable", &e))?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Err(CreateTableError::Sdk(
        "DescribeTable: table did not become active".into(),
    ))
}
