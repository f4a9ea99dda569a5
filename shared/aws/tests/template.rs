//! template.yaml declares exactly the tables the adapters use: this test reads the template
//! and compares every DynamoDB table with the crate's table specs (key schema, attribute
//! definitions, indexes and projections, TTL attribute, billing, SSE with the project key,
//! point-in-time recovery), and checks `create_table` builds the same thing on moto.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use dlp_aws::tables::{ALL_TABLES, IndexSpec, KeyAttr, TableSpec};
use serde_yaml::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    let text = std::fs::read_to_string(path).expect("template.yaml at the repository root");
    serde_yaml::from_str(&text).expect("template.yaml parses as YAML")
}

fn get<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.get(k).unwrap_or_else(|| panic!("missing {k}"))
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    get(v, k)
        .as_str()
        .unwrap_or_else(|| panic!("{k} is not a string"))
}

fn key_schema(v: &Value) -> Vec<(String, String)> {
    v.as_sequence()
        .expect("KeySchema list")
        .iter()
        .map(|e| {
            (
                str_of(e, "AttributeName").to_owned(),
                str_of(e, "KeyType").to_owned(),
            )
        })
        .collect()
}

fn spec_schema(hash: KeyAttr, range: Option<KeyAttr>) -> Vec<(String, String)> {
    let mut out = vec![(hash.name.to_owned(), "HASH".to_owned())];
    out.extend(range.map(|r| (r.name.to_owned(), "RANGE".to_owned())));
    out
}

fn index_tuple(ix: &IndexSpec) -> (String, Vec<(String, String)>, String) {
    (
        ix.name.to_owned(),
        spec_schema(ix.hash, ix.range),
        ix.projection.to_owned(),
    )
}

fn check_table(resources: &Value, spec: &TableSpec) {
    let t = get(resources, spec.logical_id);
    let id = spec.logical_id;
    assert_eq!(str_of(t, "Type"), "AWS::DynamoDB::Table", "{id}");
    let p = get(t, "Properties");
    assert_eq!(
        str_of(p, "BillingMode"),
        "PAY_PER_REQUEST",
        "{id}: on-demand"
    );
    assert_eq!(
        key_schema(get(p, "KeySchema")),
        spec_schema(spec.hash, spec.range),
        "{id}: key schema"
    );

    let defs: BTreeSet<(String, String)> = get(p, "AttributeDefinitions")
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| {
            (
                str_of(d, "AttributeName").to_owned(),
                str_of(d, "AttributeType").to_owned(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = spec
        .attribute_definitions()
        .into_iter()
        .map(|a| (a.name.to_owned(), a.kind.to_owned()))
        .collect();
    assert_eq!(defs, want, "{id}: attribute definitions");

    let got_ix: Vec<_> = match p.get("GlobalSecondaryIndexes") {
        None => Vec::new(),
        Some(list) => list
            .as_sequence()
            .unwrap()
            .iter()
            .map(|ix| {
                (
                    str_of(ix, "IndexName").to_owned(),
                    key_schema(get(ix, "KeySchema")),
                    str_of(get(ix, "Projection"), "ProjectionType").to_owned(),
                )
            })
            .collect(),
    };
    let want_ix: Vec<_> = spec.indexes.iter().map(index_tuple).collect();
    assert_eq!(got_ix, want_ix, "{id}: global secondary indexes");
    assert!(p.get("LocalSecondaryIndexes").is_none(), "{id}: no LSIs");

    let ttl = get(p, "TimeToLiveSpecification");
    assert_eq!(
        str_of(ttl, "AttributeName"),
        spec.ttl_attribute,
        "{id}: TTL attribute"
    );
    assert_eq!(
        get(ttl, "Enabled").as_bool(),
        Some(true),
        "{id}: TTL enabled"
    );

    let pitr = get(p, "PointInTimeRecoverySpecification");
    assert_eq!(
        get(pitr, "PointInTimeRecoveryEnabled").as_bool(),
        Some(true),
        "{id}: PITR"
    );

    let sse = get(p, "SSESpecification");
    assert_eq!(get(sse, "SSEEnabled").as_bool(), Some(true), "{id}: SSE");
    assert_eq!(str_of(sse, "SSEType"), "KMS", "{id}: SSE type");
    // `!GetAtt InfraKey.Arn`: the project's infrastructure key, not the AWS-owned one.
    match get(sse, "KMSMasterKeyId") {
        Value::Tagged(t) => {
            assert_eq!(t.tag, "GetAtt", "{id}: KMSMasterKeyId");
            assert_eq!(
                t.value.as_str(),
                Some("InfraKey.Arn"),
                "{id}: KMSMasterKeyId"
            );
        }
        other => panic!("{id}: KMSMasterKeyId should be !GetAtt InfraKey.Arn, is {other:?}"),
    }
}

fn actions_of(st: &Value) -> Vec<String> {
    match get(st, "Action") {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(l) => l
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        other => panic!("Action: {other:?}"),
    }
}

/// The account may administer the vault key but not use it (so IAM policies alone cannot
/// open the vault); any other principal (a function role) gets exactly one of
/// GenerateDataKey or Decrypt, and only under the vault's encryption context keys.
fn check_vault_key_policy(policy: &Value) {
    const USE: [&str; 7] = [
        "kms:*",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
        "kms:CreateGrant",
    ];
    for st in get(policy, "Statement").as_sequence().unwrap() {
        let actions = actions_of(st);
        let principal = get(get(st, "Principal"), "AWS");
        let is_root = match principal {
            Value::Tagged(t) => {
                t.tag == "Sub" && t.value.as_str().is_some_and(|s| s.ends_with(":root"))
            }
            Value::String(s) => s.ends_with(":root"),
            _ => false,
        };
        if is_root {
            for a in &actions {
                assert!(
                    !USE.contains(&a.as_str()) && !a.starts_with("kms:GenerateDataKey"),
                    "vault key policy must not let the account use the key ({a})"
                );
            }
        } else {
            assert!(
                actions == ["kms:GenerateDataKey"] || actions == ["kms:Decrypt"],
                "a function may only make or only unwrap data keys: {actions:?}"
            );
            let cond = serde_yaml::to_string(get(st, "Condition")).unwrap();
            assert!(
                cond.contains("kms:EncryptionContextKeys"),
                "vault key use must be bound to the encryption context: {cond}"
            );
        }
    }
}

#[test]
fn template_tables_match_the_crate_specs() {
    let t = template();
    assert_eq!(str_of(&t, "Transform"), "AWS::Serverless-2016-10-31");
    let resources = get(&t, "Resources");
    for spec in &ALL_TABLES {
        check_table(resources, spec);
    }
    // Exactly those tables: no table in the template that no adapter uses.
    let declared: BTreeSet<String> = resources
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some("AWS::DynamoDB::Table"))
        .map(|(k, _)| k.as_str().unwrap().to_owned())
        .collect();
    let specs: BTreeSet<String> = ALL_TABLES.iter().map(|s| s.logical_id.to_owned()).collect();
    assert_eq!(declared, specs, "DynamoDB tables in template.yaml");

    for key in ["VaultKey", "InfraKey"] {
        let k = get(resources, key);
        assert_eq!(str_of(k, "Type"), "AWS::KMS::Key", "{key}");
        assert_eq!(
            get(get(k, "Properties"), "EnableKeyRotation").as_bool(),
            Some(true),
            "{key}: rotation"
        );
    }
    check_vault_key_policy(get(
        get(get(resources, "VaultKey"), "Properties"),
        "KeyPolicy",
    ));
    let outputs = get(&t, "Outputs");
    for o in [
        "VaultTableName",
        "IdempotencyTableName",
        "AuditTableName",
        "VaultKeyArn",
        "InfraKeyArn",
    ] {
        assert!(outputs.get(o).is_some(), "output {o}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_table_builds_the_spec_on_the_emulator() {
    use aws_sdk_dynamodb::types::{PointInTimeRecoveryStatus, TimeToLiveStatus};
    let c = common::clients(None);
    let key = common::kms_key(&c).await;
    for spec in &ALL_TABLES {
        let name = common::unique("spec");
        dlp_aws::create_table(c.dynamodb(), spec, &name, Some(&key))
            .await
            .unwrap();
        let d = c
            .dynamodb()
            .describe_table()
            .table_name(&name)
            .send()
            .await
            .unwrap();
        let t = d.table().unwrap();
        let ks: Vec<(String, String)> = t
            .key_schema()
            .iter()
            .map(|k| {
                (
                    k.attribute_name().to_owned(),
                    k.key_type().as_str().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            ks,
            spec_schema(spec.hash, spec.range),
            "{}",
            spec.logical_id
        );
        let mut ix: Vec<_> = t
            .global_secondary_indexes()
            .iter()
            .map(|g| {
                (
                    g.index_name().unwrap().to_owned(),
                    g.key_schema()
                        .iter()
                        .map(|k| {
                            (
                                k.attribute_name().to_owned(),
                                k.key_type().as_str().to_owned(),
                            )
                        })
                        .collect::<Vec<_>>(),
                    g.projection()
                        .unwrap()
                        .projection_type()
                        .unwrap()
                        .as_str()
                        .to_owned(),
                )
            })
            .collect();
        ix.sort();
        let mut want: Vec<_> = spec.indexes.iter().map(index_tuple).collect();
        want.sort();
        assert_eq!(ix, want, "{}", spec.logical_id);
        assert_eq!(
            t.billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .map(|b| b.as_str()),
            Some("PAY_PER_REQUEST")
        );
        let ttl = c
            .dynamodb()
            .describe_time_to_live()
            .table_name(&name)
            .send()
            .await
            .unwrap();
        let ttl = ttl.time_to_live_description().unwrap();
        assert_eq!(ttl.attribute_name(), Some(spec.ttl_attribute));
        assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
        let backups = c
            .dynamodb()
            .describe_continuous_backups()
            .table_name(&name)
            .send()
            .await
            .unwrap();
        let pitr = backups
            .continuous_backups_description()
            .and_then(|b| b.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status());
        assert_eq!(
            pitr,
            Some(&PointInTimeRecoveryStatus::Enabled),
            "{}",
            spec.logical_id
        );
    }
}
