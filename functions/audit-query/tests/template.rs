//! `template.yaml` against the governance design: only audit-query may decrypt with the vault
//! key, and only under the vault's encryption context; retention-purge never touches the vault
//! key; the review API sits behind a JWT authorizer whose issuer and audience are parameters;
//! the purge schedule is a parameter defaulting to daily.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_yaml::Value;

fn template() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `!Ref X` → ("!Ref", "X"); `!GetAtt X.Y` → ("!GetAtt", "X.Y").
fn tag(v: &Value) -> Option<(String, String)> {
    match v {
        Value::Tagged(t) => Some((t.tag.to_string(), t.value.as_str()?.to_owned())),
        _ => None,
    }
}

fn actions(s: &Value) -> Vec<String> {
    match &s["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Sequence(v) => v.iter().map(|a| a.as_str().unwrap().to_owned()).collect(),
        other => panic!("unexpected Action {other:?}"),
    }
}

#[test]
fn only_audit_query_decrypts_with_the_vault_key_under_its_context() {
    let t = template();
    let statements = t["Resources"]["VaultKey"]["Properties"]["KeyPolicy"]["Statement"]
        .as_sequence()
        .unwrap();
    let decrypting: Vec<&Value> = statements
        .iter()
        .filter(|s| {
            actions(s)
                .iter()
                .any(|a| a == "kms:Decrypt" || a == "kms:*")
        })
        .collect();
    assert_eq!(decrypting.len(), 1, "exactly one statement may decrypt");
    let s = decrypting[0];
    assert_eq!(
        tag(&s["Principal"]["AWS"]),
        Some(("!GetAtt".into(), "AuditQueryFunctionRole.Arn".into()))
    );
    assert_eq!(actions(s), ["kms:Decrypt"]);
    let keys: Vec<&str> = s["Condition"]["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["conversation_id", "entry_id", "part_id", "workspace_id"]
    );
    assert_eq!(
        s["Condition"]["Null"]["kms:EncryptionContext:entry_id"],
        "false"
    );

    // No function policy names the vault key; KMS only on the infrastructure key.
    for f in ["AuditQueryFunction", "RetentionPurgeFunction"] {
        for p in t["Resources"][f]["Properties"]["Policies"]
            .as_sequence()
            .unwrap()
        {
            for s in p["Statement"].as_sequence().unwrap() {
                if actions(s).iter().any(|a| a.starts_with("kms:")) {
                    assert_eq!(
                        tag(&s["Resource"]),
                        Some(("!GetAtt".into(), "InfraKey.Arn".into())),
                        "{f}"
                    );
                    assert_eq!(actions(s), ["kms:Decrypt"], "{f}");
                }
            }
        }
    }
}

#[test]
fn review_api_has_a_parameterised_jwt_authorizer_and_all_routes() {
    let t = template();
    let auth = &t["Resources"]["ReviewApi"]["Properties"]["Auth"];
    assert_eq!(auth["DefaultAuthorizer"], "OidcJwt");
    let jwt = &auth["Authorizers"]["OidcJwt"]["JwtConfiguration"];
    assert_eq!(
        tag(&jwt["issuer"]),
        Some(("!Ref".into(), "JwtIssuer".into()))
    );
    assert_eq!(
        tag(&jwt["audience"][0]),
        Some(("!Ref".into(), "JwtAudience".into()))
    );
    assert!(t["Parameters"]["JwtIssuer"].is_mapping());
    let mut routes: Vec<String> = t["Resources"]["AuditQueryFunction"]["Properties"]["Events"]
        .as_mapping()
        .unwrap()
        .values()
        .map(|e| {
            assert_eq!(e["Type"], "HttpApi");
            assert_eq!(
                tag(&e["Properties"]["ApiId"]),
                Some(("!Ref".into(), "ReviewApi".into()))
            );
            format!(
                "{} {}",
                e["Properties"]["Method"].as_str().unwrap(),
                e["Properties"]["Path"].as_str().unwrap()
            )
        })
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        [
            "GET /v1/audit/events",
            "GET /v1/audit/export",
            "GET /v1/audit/verify",
            "GET /v1/findings",
            "GET /v1/findings/{id}",
            "POST /v1/findings/{id}/reveal",
        ]
    );
    let env = &t["Resources"]["AuditQueryFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        tag(&env["DLP_ROLES_CLAIM"]),
        Some(("!Ref".into(), "RolesClaim".into()))
    );
    assert_eq!(
        tag(&env["DLP_REVEALS_PER_HOUR"]),
        Some(("!Ref".into(), "RevealsPerHour".into()))
    );
}

#[test]
fn purge_runs_on_a_parameterised_daily_schedule() {
    let t = template();
    assert_eq!(t["Parameters"]["PurgeSchedule"]["Default"], "rate(1 day)");
    let ev = &t["Resources"]["RetentionPurgeFunction"]["Properties"]["Events"]["Schedule"];
    assert_eq!(ev["Type"], "Schedule");
    assert_eq!(
        tag(&ev["Properties"]["Schedule"]),
        Some(("!Ref".into(), "PurgeSchedule".into()))
    );
    for f in ["AuditQuery", "RetentionPurge"] {
        let lg = &t["Resources"][format!("{f}LogGroup").as_str()];
        assert_eq!(lg["Type"], "AWS::Logs::LogGroup");
        assert_eq!(
            tag(&lg["Properties"]["RetentionInDays"]),
            Some(("!Ref".into(), "LogRetentionDays".into()))
        );
    }
}
