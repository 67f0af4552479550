//! Text at intake: every string of every record is stored in Unicode NFC.
//!
//! The same name reaches Vekil composed ("ə" as one code point, as most
//! keyboards type it) or decomposed ("e" + U+0259's parts, as macOS and
//! some phones send it, or as text pasted from a PDF). The two look the
//! same and are canonically equivalent, but compare, sort, group and
//! count as different strings: before this, one facility typed both ways
//! was two rows in the statistics, and a filter typed one way missed the
//! records typed the other. Normalising once, where every write passes
//! (insert, update, and records merged from a bundle), means nothing
//! downstream has to remember to: lists, filters, statistics, exports and
//! the re-identification check all see one form. NFC changes no character
//! a reader can see; NFD text is composed, nothing else is touched.
//!
//! The common case costs one scan of the record's JSON text: text that
//! is already NFC (by the quick check, which allocates nothing) is stored
//! as serialised.

use crate::error::{Error, Result};
use crate::model::{Record, ValidationError};
use serde_json::Value;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Whether `s` is certainly NFC already.
fn is_nfc(s: &str) -> bool {
    is_nfc_quick(s.chars()) == IsNormalized::Yes
}

/// Normalises every string in `v` (object keys included) to NFC; returns
/// whether anything changed.
fn nfc_value(v: &mut Value) -> bool {
    match v {
        Value::String(s) => {
            if is_nfc(s) {
                return false;
            }
            let n: String = s.nfc().collect();
            let changed = n != *s;
            *s = n;
            changed
        }
        Value::Array(a) => a.iter_mut().fold(false, |c, x| nfc_value(x) | c),
        Value::Object(o) => {
            let mut changed = false;
            if o.keys().any(|k| !is_nfc(k)) {
                let old = std::mem::take(o);
                for (k, x) in old {
                    o.insert(k.nfc().collect(), x);
                }
                changed = true;
            }
            o.values_mut().fold(changed, |c, x| nfc_value(x) | c)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `data` in NFC, with its JSON value and text, ready to store. When the
/// text is already NFC (nearly always), `data` comes back unchanged.
pub(crate) fn encode<T: Record>(data: T) -> Result<(T, Value, String)> {
    let mut value = serde_json::to_value(&data).map_err(encode_error)?;
    let json = value.to_string();
    if is_nfc(&json) || !nfc_value(&mut value) {
        return Ok((data, value, json));
    }
    let data: T = serde_json::from_value(value.clone()).map_err(encode_error)?;
    let json = value.to_string();
    Ok((data, value, json))
}

fn encode_error(e: serde_json::Error) -> Error {
    Error::Invalid(ValidationError::new(
        "",
        format!("cannot be stored in normal form: {e}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Client, FacilityEntry};

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    #[test]
    fn decomposed_text_in_any_field_is_composed() {
        let mut c = Client::new(nfd("Rəşad Məmmədov"), "C-001");
        c.notes = nfd("Qardaşı İlqar: «Müstəntiq icazə vermədi»");
        c.charges = vec![nfd("CM 233 (Şəki)")];
        assert_ne!(c.full_name, "Rəşad Məmmədov");
        let (c, value, json) = encode(c).unwrap();
        assert_eq!(c.full_name, "Rəşad Məmmədov");
        assert_eq!(c.notes, "Qardaşı İlqar: «Müstəntiq icazə vermədi»");
        assert_eq!(c.charges, ["CM 233 (Şəki)"]);
        assert_eq!(json, serde_json::to_value(&c).unwrap().to_string());
        assert_eq!(value, serde_json::to_value(&c).unwrap());
    }

    #[test]
    fn composed_text_passes_unchanged() {
        let mut f = FacilityEntry::new("Kürdəxanı İstintaq Təcridxanası");
        f.spellings = vec!["Кюрдаханы".into(), "Kurdakhany".into()];
        let (back, _, out) = encode(f.clone()).unwrap();
        assert_eq!(back, f);
        assert_eq!(out, serde_json::to_value(&f).unwrap().to_string());
    }

    proptest::proptest! {
        /// Whatever form a name arrives in, it is stored as its NFC, and
        /// the composed and decomposed forms store the same bytes.
        #[test]
        fn any_form_is_stored_as_its_nfc(
            s in "[a-zəıİşğçöüÇÖÜŞĞƏа-яёйЁЙ \u{0301}\u{0308}\u{0327}\u{0306}]{0,40}"
        ) {
            let want: String = s.nfc().collect();
            let (a, _, ja) = encode(Client::new(s.clone(), "C-1")).unwrap();
            let (b, _, jb) = encode(Client::new(nfd(&s), "C-1")).unwrap();
            proptest::prop_assert_eq!(&a.full_name, &want);
            proptest::prop_assert_eq!(&b.full_name, &want);
            proptest::prop_assert_eq!(ja, jb);
        }
    }

    /// Cyrillic й and ё decompose under NFD; NFC puts them back, so a
    /// Russian name typed on a phone is stored as typed on a keyboard.
    #[test]
    fn cyrillic_short_i_and_yo_are_recomposed() {
        let c = Client::new(nfd("Сергей Журавлёв"), "C-002");
        assert_eq!(c.full_name.chars().count(), 17);
        let (c, _, _) = encode(c).unwrap();
        assert_eq!(c.full_name, "Сергей Журавлёв");
        assert_eq!(c.full_name.chars().count(), 15);
    }
}
