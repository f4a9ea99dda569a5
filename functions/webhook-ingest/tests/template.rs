//! `template.yaml` against the code: the Globals environment mirrors `dlp_settings::env`, the
//! pipeline functions are built by cargo-lambda with unique binary names that are workspace
//! packages, the queue's maxReceiveCount is the attempts setting, and the vault key lets
//! scan-redact make data keys but never decrypt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use dlp_settings::{defaults, env};
use serde_yaml::Value;

fn template() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    &t["Resources"][id]
}

/// `!Ref X` → "X"; `!GetAtt X.Y` → "X.Y".
fn tag_target(v: &Value) -> Option<(String, String)> {
    match v {
        Value::Tagged(t) => Some((t.tag.to_string(), t.value.as_str()?.to_owned())),
        _ => None,
    }
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(v) => v.iter().map(|a| a.as_str().unwrap().to_owned()).collect(),
        other => panic!("unexpected Action {other:?}"),
    }
}

#[test]
fn globals_environment_mirrors_the_settings_names() {
    let t = template();
    assert_eq!(t["Globals"]["Function"]["Runtime"], "provided.al2023");
    assert_eq!(t["Globals"]["Function"]["Architectures"][0], "arm64");
    let vars = t["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .unwrap();
    let names: BTreeSet<&str> = vars.keys().map(|k| k.as_str().unwrap()).collect();
    for name in &names {
        assert!(
            env::ALL.contains(name),
            "{name} is not a dlp_settings::env name"
        );
    }
    // Local-stack names (secrets come from Secrets Manager in AWS) and test-only overrides
    // must not be set in the cloud; everything else must.
    let local_only = [
        env::INTERCOM_ACCESS_TOKEN,
        env::INTERCOM_CLIENT_SECRET,
        env::DLP_ADMIN_ID,
        env::DLP_NOTIFICATION_WEBHOOK_URL,
        env::DLP_DATA_DIR,
        env::DLP_AWS_ENDPOINT,
        env::DLP_POLICY_FILE,
    ];
    for name in env::ALL {
        if local_only.contains(name) {
            assert!(
                !names.contains(name),
                "{name} must not be in template Globals"
            );
        } else {
            assert!(names.contains(name), "{name} missing from template Globals");
        }
    }
}

#[test]
fn pipeline_functions_are_cargo_lambda_builds_with_unique_binaries() {
    let t = template();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut binaries = BTreeSet::new();
    for (id, r) in t["Resources"].as_mapping().unwrap() {
        if r["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        assert_eq!(r["Metadata"]["BuildMethod"], "rust-cargolambda", "{id:?}");
        let bin = r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        assert!(binaries.insert(bin.to_owned()), "binary {bin} used twice");
        let manifest = std::fs::read_to_string(root.join("functions").join(bin).join("Cargo.toml"))
            .unwrap_or_else(|_| panic!("functions/{bin} is not a package"));
        assert!(
            manifest.contains(&format!("name = \"{bin}\"")),
            "package name = folder name"
        );
    }
    assert!(binaries.contains("webhook-ingest") && binaries.contains("scan-redact"));
}

#[test]
fn queue_redrive_matches_the_attempts_setting() {
    let t = template();
    let param = &t["Parameters"]["MaxReceiveCount"];
    assert_eq!(
        param["Default"].as_u64(),
        Some(u64::from(defaults::MAX_ATTEMPTS))
    );
    let redrive = &resource(&t, "ScanQueue")["Properties"]["RedrivePolicy"];
    assert_eq!(
        tag_target(&redrive["maxReceiveCount"]),
        Some(("!Ref".into(), "MaxReceiveCount".into()))
    );
    let vars = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        tag_target(&vars[env::DLP_MAX_ATTEMPTS]),
        Some(("!Ref".into(), "MaxReceiveCount".into()))
    );
    for q in ["ScanQueue", "ScanDeadLetterQueue"] {
        assert_eq!(
            tag_target(&resource(&t, q)["Properties"]["KmsMasterKeyId"]),
            Some(("!GetAtt".into(), "InfraKey.Arn".into())),
            "{q} is encrypted with the infrastructure key"
        );
    }
    let events = &resource(&t, "ScanRedactFunction")["Properties"]["Events"]["ScanJobs"];
    assert_eq!(events["Type"], "SQS");
    assert_eq!(
        events["Properties"]["FunctionResponseTypes"][0],
        "ReportBatchItemFailures"
    );
}

#[test]
fn scan_redact_may_generate_vault_data_keys_but_never_decrypt() {
    let t = template();
    let statements = resource(&t, "VaultKey")["Properties"]["KeyPolicy"]["Statement"]
        .as_sequence()
        .unwrap();
    let to_scan: Vec<&Value> = statements
        .iter()
        .filter(|s| {
            tag_target(&s["Principal"]["AWS"])
                == Some(("!GetAtt".into(), "ScanRedactFunctionRole.Arn".into()))
        })
        .collect();
    assert_eq!(to_scan.len(), 1);
    assert_eq!(actions(to_scan[0]), ["kms:GenerateDataKey"]);
    // The functions' own policies never name the vault key.
    for f in ["ScanRedactFunction", "WebhookIngestFunction"] {
        let policies = &resource(&t, f)["Properties"]["Policies"];
        for p in policies.as_sequence().unwrap() {
            for s in p["Statement"].as_sequence().unwrap() {
                let target = tag_target(&s["Resource"]);
                assert_ne!(
                    target.as_ref().map(|t| t.1.as_str()),
                    Some("VaultKey.Arn"),
                    "{f} names the vault key"
                );
                if actions(s).iter().any(|a| a.starts_with("kms:")) {
                    assert_eq!(
                        target,
                        Some(("!GetAtt".into(), "InfraKey.Arn".into())),
                        "{f}: KMS only on the infrastructure key"
                    );
                }
            }
        }
    }
}
