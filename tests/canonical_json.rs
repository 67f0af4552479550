//! The stored form of a record (issue 14): the store writes a record's
//! JSON without building a `serde_json::Value`, and must write exactly
//! what `to_value(&record)?.to_string()` wrote, because every stored
//! record, its snapshot hash in the history and every re-import's
//! "unchanged" rest on that text. A property over maximal records of
//! every kind (every field set, every enum variant, Azerbaijani, Russian
//! and NFD text, offsets other than UTC).

#[path = "support/records_gen.rs"]
mod records_gen;

use proptest::prelude::*;
use records_gen::set;
use serde_json::{Map, Value};
use vekil::model::Record;

/// What the history recorded for a new record: each field of its value
/// that is not empty (null, false, "", [], {}), as `{"new": …}`.
fn created(v: &Value) -> String {
    let empty = |v: &Value| match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) | Value::Bool(true) => false,
    };
    let mut out = Map::new();
    for (k, x) in v.as_object().expect("an object") {
        if !empty(x) {
            out.insert(k.clone(), serde_json::json!({ "new": x }));
        }
    }
    Value::Object(out).to_string()
}

fn check<T: Record>(record: T) -> Result<(), TestCaseError> {
    let (stored, json, new) = vekil::store::stored_form(record).expect("stored form");
    let value = serde_json::to_value(&stored).expect("value");
    prop_assert_eq!(&json, &value.to_string());
    prop_assert_eq!(new, created(&value));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_kind_is_stored_as_its_json_value_writes_it(s in set()) {
        check(s.client)?;
        check(s.case)?;
        check(s.hearing)?;
        check(s.deadline)?;
        check(s.incident)?;
        check(s.evidence)?;
        check(s.facility)?;
    }
}
