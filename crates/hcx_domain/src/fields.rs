//! Reading a JSON object into a validated type while collecting every problem,
//! so that a bad record is reported whole: each field that is wrong, and why.

use std::fmt;

use serde_json::{Map, Value};

/// One reason a field was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's path, e.g. `value.amount` or `requirements[1].days`.
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

/// Every reason a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Invalid(vec![FieldError::new(field, reason)])
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

/// Parses one JSON value into a `T`, or says why not.
pub type Parse<T> = fn(&Value) -> Result<T, String>;

/// A JSON object being read field by field.
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
    prefix: String,
    errors: Vec<FieldError>,
}

impl Fields {
    /// Starts reading `value`, which must be an object; `prefix` names it in errors.
    pub fn new(value: Value, prefix: &str) -> Result<Self, Invalid> {
        match value {
            Value::Object(map) => Ok(Fields {
                map,
                prefix: prefix.to_owned(),
                errors: Vec::new(),
            }),
            other => Err(Invalid::one(
                prefix,
                format!("expected an object, found {}", kind_of(&other)),
            )),
        }
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    pub fn error(&mut self, name: &str, reason: impl Into<String>) {
        let field = self.path(name);
        self.errors.push(FieldError::new(field, reason));
    }

    /// Takes a field that must be present and not null.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match self.map.remove(name) {
            None | Some(Value::Null) => {
                self.error(name, "is required");
                None
            }
            Some(v) => self.check(name, parse(&v)),
        }
    }

    /// Takes a field that may be absent or null.
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check(name, parse(&v)),
        }
    }

    /// Takes an array field (absent means empty), parsing each item and
    /// refusing duplicates.
    pub fn list<T: PartialEq>(
        &mut self,
        name: &str,
        parse: impl Fn(&Value) -> Result<T, String>,
    ) -> Vec<T> {
        let items = match self.map.remove(name) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.error(
                    name,
                    format!("expected an array, found {}", kind_of(&other)),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match parse(item) {
                Ok(v) if out.contains(&v) => self.error(&format!("{name}[{i}]"), "is repeated"),
                Ok(v) => out.push(v),
                Err(reason) => self.error(&format!("{name}[{i}]"), reason),
            }
        }
        out
    }

    /// Like [`Fields::list`] but at least one item is needed.
    pub fn non_empty_list<T: PartialEq>(
        &mut self,
        name: &str,
        parse: impl Fn(&Value) -> Result<T, String>,
    ) -> Vec<T> {
        let present = self.map.get(name).is_some_and(|v| !v.is_null());
        let out = self.list(name, parse);
        if out.is_empty()
            && !self
                .errors
                .iter()
                .any(|e| e.field.starts_with(&self.path(name)))
        {
            self.error(
                name,
                if present {
                    "must not be empty"
                } else {
                    "is required"
                },
            );
        }
        out
    }

    /// Reads a nested object field with its own `Fields`, merging its errors.
    pub fn nested<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> Option<T> {
        let value = match self.map.remove(name) {
            None | Some(Value::Null) => return None,
            Some(v) => v,
        };
        let path = self.path(name);
        self.read_object(value, &path, read)
    }

    /// Reads an array of objects, each with its own `Fields`.
    pub fn nested_list<T>(
        &mut self,
        name: &str,
        read: impl Fn(&mut Fields) -> Option<T>,
    ) -> Vec<T> {
        let items = match self.map.remove(name) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.error(
                    name,
                    format!("expected an array, found {}", kind_of(&other)),
                );
                return Vec::new();
            }
        };
        let base = self.path(name);
        items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| self.read_object(item, &format!("{base}[{i}]"), &read))
            .collect()
    }

    fn read_object<T>(
        &mut self,
        value: Value,
        path: &str,
        read: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> Option<T> {
        match Fields::new(value, path) {
            Ok(mut inner) => {
                let out = read(&mut inner);
                inner.refuse_unknown();
                let failed = !inner.errors.is_empty();
                self.errors.append(&mut inner.errors);
                if failed { None } else { out }
            }
            Err(Invalid(mut errors)) => {
                self.errors.append(&mut errors);
                None
            }
        }
    }

    /// Drops the fields not yet read, when the record is refused for a reason that makes them moot.
    pub fn ignore_rest(&mut self) {
        self.map.clear();
    }

    fn check<T>(&mut self, name: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|reason| self.error(name, reason)).ok()
    }

    fn refuse_unknown(&mut self) {
        let mut unknown: Vec<String> = self.map.keys().cloned().collect();
        unknown.sort();
        for name in unknown {
            // A blank name, shown as it is, would leave the error naming no field.
            let shown = if name.trim().is_empty() {
                format!("{name:?}")
            } else {
                name
            };
            self.error(&shown, "is not a known field");
        }
        self.map.clear();
    }

    /// Ends reading: refuses unknown fields, and returns `built` only if
    /// nothing was wrong.
    pub fn finish<T>(mut self, built: Option<T>) -> Result<T, Invalid> {
        self.refuse_unknown();
        match built {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ if !self.errors.is_empty() => Err(Invalid(self.errors)),
            _ => Err(Invalid::one(&self.prefix, "could not be read")),
        }
    }
}

/// Names a JSON value's type for error messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Longest free text accepted in one field.
pub const MAX_TEXT_LEN: usize = 20_000;

/// A non-empty string, trimmed, without control characters (other than line breaks and tabs).
pub fn text(v: &Value) -> Result<String, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("expected a string, found {}", kind_of(v)))?;
    plain_text(s)
}

/// [`text`] for a string already in hand.
pub fn plain_text(s: &str) -> Result<String, String> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    if trimmed.len() > MAX_TEXT_LEN {
        return Err(format!("must be at most {MAX_TEXT_LEN} bytes"));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

/// A string parsed by a code type's own parser.
pub fn code<T>(parse: fn(&str) -> Result<T, String>) -> impl Fn(&Value) -> Result<T, String> {
    move |v| match v.as_str() {
        Some(s) => parse(s),
        None => Err(format!("expected a string, found {}", kind_of(v))),
    }
}

/// A whole number within `0..=max`.
pub fn count(max: u64) -> impl Fn(&Value) -> Result<u32, String> {
    move |v| match v.as_u64() {
        Some(n) if n <= max => Ok(n as u32),
        Some(_) => Err(format!("must be at most {max}")),
        None => Err(format!(
            "expected a whole number of at least 0, found {}",
            describe(v)
        )),
    }
}

/// An ISO 8601 calendar date (`2027-03-31`).
pub fn date(v: &Value) -> Result<time::Date, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("expected a date string, found {}", kind_of(v)))?;
    parse_date(s)
}

pub fn parse_date(s: &str) -> Result<time::Date, String> {
    time::Date::parse(
        s.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| format!("{s:?} is not a date in the form YYYY-MM-DD"))
}

/// A value drawn from a fixed set of names.
pub fn one_of<T: Copy>(
    options: &'static [(&'static str, T)],
) -> impl Fn(&Value) -> Result<T, String> {
    move |v| {
        let s = v
            .as_str()
            .ok_or_else(|| format!("expected a string, found {}", kind_of(v)))?;
        name_in(options, s)
    }
}

/// The value named `name` in a fixed set, or an error listing every name allowed.
pub fn name_in<T: Copy>(options: &[(&'static str, T)], name: &str) -> Result<T, String> {
    options
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            format!("{name:?} is not one of {}", names.join(", "))
        })
}

fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => kind_of(other).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_problem_is_collected_with_its_path() {
        let mut f = Fields::new(
            json!({"a": 1, "b": [1, "x"], "c": {"d": "e"}, "zz": true}),
            "",
        )
        .unwrap();
        let a = f.required("a", text);
        let b = f.list("b", count(10));
        let c = f.nested("c", |inner| inner.required("d", count(5)));
        let missing = f.required("m", text);
        let err = f
            .finish((a.is_some() && c.is_some() && missing.is_some()).then_some(b))
            .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b[1]", "c.d", "m", "zz"]);
        assert!(err.0[4].reason.contains("not a known field"));
    }

    #[test]
    fn repeated_list_items_are_refused() {
        let mut f = Fields::new(json!({"b": [1, 1]}), "").unwrap();
        let b = f.list("b", count(10));
        assert_eq!(f.finish(Some(b)).unwrap_err().0[0].field, "b[1]");
    }

    #[test]
    fn text_is_trimmed_and_never_empty() {
        assert_eq!(text(&json!("  x ")).unwrap(), "x");
        assert!(text(&json!("   ")).is_err());
        assert!(text(&json!("a\u{0007}b")).is_err());
        assert!(text(&json!(3)).unwrap_err().contains("number"));
    }

    #[test]
    fn dates_are_iso_calendar_dates() {
        assert!(date(&json!("2027-03-31")).is_ok());
        assert!(date(&json!("2027-02-30")).is_err());
        assert!(date(&json!("31/03/2027")).is_err());
    }
}
