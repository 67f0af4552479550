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
use std::ops::Range;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Whether `s` is certainly NFC already: what `is_nfc_quick` says,
/// asked only of the runs of characters that are not plain starters. A
/// starter that NFC keeps (combining class 0, quick check "yes": ASCII,
/// the Latin letters ə ı İ ş ğ, Cyrillic, most of the BMP) changes
/// nothing in the quick check but to reset it, as the start of a text
/// does, so those are passed over with one table lookup: a record's JSON
/// is nearly all such characters, and the quick check's two lookups per
/// character were a tenth of a re-import's time (docs/benchmarks.md,
/// section 2).
fn is_nfc(s: &str) -> bool {
    let plain = plain_starters();
    let mut run = None;
    for (i, c) in s.char_indices() {
        if is_plain(plain, c) {
            if let Some(start) = run.take() {
                if !quick_yes(&s[start..i]) {
                    return false;
                }
            }
        } else if run.is_none() {
            run = Some(i);
        }
    }
    run.is_none_or(|start| quick_yes(&s[start..]))
}

fn quick_yes(s: &str) -> bool {
    is_nfc_quick(s.chars()) == IsNormalized::Yes
}

/// Whether `c` is a plain starter (see [`is_nfc`]): below U+0300 all
/// are; in the rest of the BMP, as the table says; above it, taken as not.
fn is_plain(plain: &[u64; 1024], c: char) -> bool {
    let c = c as u32;
    c < 0x300
        || plain
            .get((c >> 6) as usize)
            .is_some_and(|w| w >> (c & 63) & 1 == 1)
}

/// One bit per BMP character: combining class 0 and NFC quick check
/// "yes", as `unicode_normalization` (the same tables as the check) says.
fn plain_starters() -> &'static [u64; 1024] {
    static PLAIN: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    PLAIN.get_or_init(|| {
        let mut t = Box::new([0u64; 1024]);
        for c in (0..0x1_0000u32).filter_map(char::from_u32) {
            if unicode_normalization::char::canonical_combining_class(c) == 0
                && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
            {
                let n = c as usize;
                t[n >> 6] |= 1 << (n & 63);
            }
        }
        t
    })
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

/// A record ready to store: in NFC, with its stored JSON.
pub(crate) struct Encoded<T> {
    /// The record.
    pub(crate) data: T,
    /// Its stored JSON.
    pub(crate) text: StoredText,
}

/// A record's stored JSON ([`super::canonical`]).
pub(crate) struct StoredText {
    /// The text.
    pub(crate) json: String,
    /// Where each top-level field's key (unquoted) and value lie in `json`.
    fields: Vec<(Range<usize>, Range<usize>)>,
}

/// A record's JSON value, for comparing it with another revision: made
/// on demand, because a new or unchanged record does not need one.
pub(crate) fn value_of<T: Record>(data: &T) -> Result<Value> {
    serde_json::to_value(data).map_err(encode_error)
}

impl StoredText {
    fn of(c: super::canonical::Canonical) -> Self {
        Self {
            json: c.json,
            fields: c.fields,
        }
    }

    /// What the history records of it as a new record: the text of
    /// `revisions::diff(None, value)` (each field that is not empty, as
    /// `{"new": …}`), written from the stored JSON.
    pub(crate) fn created(&self) -> String {
        let mut out = String::with_capacity(self.json.len() + 10 * self.fields.len());
        out.push('{');
        for (key, value) in &self.fields {
            let value = &self.json[value.clone()];
            // `revisions::is_empty`, on the text.
            if matches!(value, "null" | "false" | "\"\"" | "[]" | "{}") {
                continue;
            }
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&self.json[key.start - 1..key.end + 1]);
            out.push_str(":{\"new\":");
            out.push_str(value);
            out.push('}');
        }
        out.push('}');
        out
    }
}

/// `data` in NFC, with its stored JSON, ready to store. When the text is
/// already NFC (nearly always), `data` comes back unchanged and no JSON
/// value is built.
pub(crate) fn encode<T: Record>(data: T) -> Result<Encoded<T>> {
    let c = super::canonical::to_canonical(&data).map_err(|e| encode_failed(&e))?;
    if is_nfc(&c.json) {
        return Ok(Encoded {
            data,
            text: StoredText::of(c),
        });
    }
    let mut value = serde_json::to_value(&data).map_err(encode_error)?;
    if !nfc_value(&mut value) {
        return Ok(Encoded {
            data,
            text: StoredText::of(c),
        });
    }
    let data: T = serde_json::from_value(value.clone()).map_err(encode_error)?;
    // The normalised value's own text, as before.
    let c = super::canonical::to_canonical(&value).map_err(|e| encode_failed(&e))?;
    Ok(Encoded {
        data,
        text: StoredText::of(c),
    })
}

fn encode_error(e: serde_json::Error) -> Error {
    encode_failed(&e)
}

fn encode_failed(e: &dyn std::fmt::Display) -> Error {
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
        let e = encode(c).unwrap();
        let (value, json, c) = (value_of(&e.data).unwrap(), e.text.json, e.data);
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
        let e = encode(f.clone()).unwrap();
        assert_eq!(e.data, f);
        assert_eq!(e.text.json, serde_json::to_value(&f).unwrap().to_string());
    }

    /// What [`is_nfc`] passes over without its table: every character
    /// below U+0300 is a starter whose quick check says "yes"; and the
    /// table marks Azerbaijani and Russian letters, not combining marks.
    #[test]
    fn characters_below_u0300_are_nfc_starters() {
        for c in (0..0x300u32).filter_map(char::from_u32) {
            assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0);
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        }
        let plain = plain_starters();
        for c in "əıİşğçöüƏŞĞабвгдежзийклмнопрстуфхцчшщъыьэюяёЁЙ".chars()
        {
            assert!(is_plain(plain, c), "{c:?}");
        }
        for c in [
            '\u{0301}', '\u{0308}', '\u{0306}', '\u{0483}', '\u{1161}', '\u{212b}',
        ] {
            assert!(!is_plain(plain, c), "{c:?}");
        }
    }

    proptest::proptest! {
        /// The quick check on the runs from U+0300 up says what the quick
        /// check on the whole text says, for Azerbaijani, Russian, marks
        /// in and out of order, and anything else.
        #[test]
        fn is_nfc_agrees_with_the_quick_check(
            s in proptest::prop_oneof![
                "[a-zəıİşğçöüÇÖÜŞĞƏа-яёйЁЙ \"\\\\{}:,\u{0300}-\u{036f}\u{0483}\u{0591}\u{1100}\u{1161}\u{ac00}\u{2126}\u{212b}\u{f900}\u{1d15e}\u{2f800}]{0,40}",
                "\\PC{0,40}",
                ".{0,40}",
            ]
        ) {
            proptest::prop_assert_eq!(is_nfc(&s), is_nfc_quick(s.chars()) == IsNormalized::Yes);
            let nfd: String = s.nfd().collect();
            proptest::prop_assert_eq!(is_nfc(&nfd), is_nfc_quick(nfd.chars()) == IsNormalized::Yes);
        }

        /// Whatever form a name arrives in, it is stored as its NFC, and
        /// the composed and decomposed forms store the same bytes.
        #[test]
        fn any_form_is_stored_as_its_nfc(
            s in "[a-zəıİşğçöüÇÖÜŞĞƏа-яёйЁЙ \u{0301}\u{0308}\u{0327}\u{0306}]{0,40}"
        ) {
            let want: String = s.nfc().collect();
            let a = encode(Client::new(s.clone(), "C-1")).unwrap();
            let b = encode(Client::new(nfd(&s), "C-1")).unwrap();
            proptest::prop_assert_eq!(&a.data.full_name, &want);
            proptest::prop_assert_eq!(&b.data.full_name, &want);
            proptest::prop_assert_eq!(&a.text.json, &b.text.json);
            proptest::prop_assert_eq!(a.text.created(), b.text.created());
        }
    }

    /// Cyrillic й and ё decompose under NFD; NFC puts them back, so a
    /// Russian name typed on a phone is stored as typed on a keyboard.
    #[test]
    fn cyrillic_short_i_and_yo_are_recomposed() {
        let c = Client::new(nfd("Сергей Журавлёв"), "C-002");
        assert_eq!(c.full_name.chars().count(), 17);
        let c = encode(c).unwrap().data;
        assert_eq!(c.full_name, "Сергей Журавлёв");
        assert_eq!(c.full_name.chars().count(), 15);
    }

    /// A new record's history entry leaves out every empty field, as the
    /// diff of its JSON value does: records with most fields empty.
    #[test]
    fn a_new_records_history_entry_is_the_diff_of_its_value() {
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-10T00:00:00+04:00").unwrap();
        let client = Client::new("Лейла Гасанова", "C-002");
        let incident = crate::model::Incident::quick(
            uuid::Uuid::nil(),
            "Kürdəxanı İstintaq Təcridxanası",
            at,
            crate::model::IncidentType::AccessDenied,
        );
        fn check<T: Record>(r: T) {
            let e = encode(r).unwrap();
            let value = value_of(&e.data).unwrap();
            let want = super::super::revisions::diff(None, Some(&value)).to_string();
            assert_eq!(e.text.created(), want);
            assert_eq!(e.text.json, value.to_string());
        }
        check(client);
        check(incident);
        check(FacilityEntry::new("Gəncə İVS"));
        let every_kind_of_empty = serde_json::json!({
            "a": {}, "b": 1, "c": "", "d": [], "e": null, "f": false, "g": true, "h": 0,
            "i": {"x": null}, "j": [null], "k": "ə"
        });
        let text =
            StoredText::of(super::super::canonical::to_canonical(&every_kind_of_empty).unwrap());
        let want = super::super::revisions::diff(None, Some(&every_kind_of_empty)).to_string();
        assert_eq!(text.created(), want);
    }
}
