//! Entity and rule identifiers: small string newtypes that are cheap to clone for built-in
//! names and can also hold the custom entity names a policy defines. They never carry
//! matched text.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The kind of sensitive data a finding reports (`US_SSN`, `SECRET`, or a custom entity).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Entity(Cow<'static, str>);

macro_rules! entities {
    ($($name:ident),* $(,)?) => {
        impl Entity {
            $(pub const $name: Entity = Entity(Cow::Borrowed(stringify!($name)));)*
            /// Every built-in entity, in catalog order.
            pub const BUILTIN: &'static [Entity] = &[$(Entity::$name),*];
        }
    };
}

entities!(
    US_SSN,
    US_ITIN,
    CREDIT_CARD,
    US_BANK_NUMBER,
    ABA_ROUTING_NUMBER,
    IBAN_CODE,
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    IP_ADDRESS,
    DATE_OF_BIRTH,
    US_DRIVER_LICENSE,
    US_PASSPORT,
    US_MBI,
    US_NPI,
    DEA_NUMBER,
    MEDICAL_RECORD_NUMBER,
    HEALTH_PLAN_ID,
    ICD10_CODE,
    VIN,
    PERSON,
    STREET_ADDRESS,
    SECRET,
);

impl Entity {
    /// An entity by name: the built-in constant when the name is built in, else a custom one.
    pub fn new(name: &str) -> Entity {
        Entity::BUILTIN
            .iter()
            .find(|e| e.as_str() == name)
            .cloned()
            .unwrap_or_else(|| Entity(Cow::Owned(name.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_builtin(&self) -> bool {
        Entity::BUILTIN.iter().any(|e| e == self)
    }

    /// Entity names are upper-case ASCII identifiers (`A-Z`, `0-9`, `_`), starting with a letter.
    pub fn is_valid_name(name: &str) -> bool {
        let mut chars = name.chars();
        matches!(chars.next(), Some('A'..='Z'))
            && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && name.len() <= 64
    }
}

impl fmt::Debug for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifier of the rule that produced a finding, e.g. `aws-access-key-id`. Shared, so that
/// every finding of a scan names its rule without allocating.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(Arc<str>);

impl RuleId {
    pub fn new(id: impl Into<String>) -> RuleId {
        RuleId(Arc::from(id.into()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RuleId, D::Error> {
        String::deserialize(d).map(RuleId::new)
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_round_trip() {
        for e in Entity::BUILTIN {
            assert_eq!(&Entity::new(e.as_str()), e);
            assert!(Entity::is_valid_name(e.as_str()));
        }
        assert!(!Entity::new("ACME_MEMBER").is_builtin());
        assert!(!Entity::is_valid_name("acme"));
        assert!(!Entity::is_valid_name(""));
    }
}
