//! Lenient readers over `serde_json::Value`: Intercom sends ids as strings or numbers,
//! timestamps as numbers or numeric strings, and adds or drops fields between versions. These
//! helpers turn whatever arrives into the shape we need, or `None`, and never fail.

use serde_json::Value;

/// An id given as a string or an integer; `null`, empty or anything else is `None`.
pub(crate) fn id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => n
            .as_u64()
            .map(|u| u.to_string())
            .or_else(|| n.as_i64().map(|i| i.to_string())),
        _ => None,
    }
}

/// A unix timestamp given as an integer or a numeric string.
pub(crate) fn timestamp(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-negative count given as an integer or a numeric string.
pub(crate) fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string; other types are `None`.
pub(crate) fn string(v: Option<&Value>) -> Option<String> {
    v?.as_str().map(str::to_owned)
}

/// A boolean; anything but `true` is `false`.
pub(crate) fn flag(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}
