//! The JSON a record is stored as: compact, each object's keys in order.
//!
//! That is what `serde_json::to_value(&record)?.to_string()` writes (a
//! `Value`'s objects are ordered maps), and what every stored record, its
//! snapshot hash in the history and every bundle comparison rest on. Going
//! through a `Value` builds a map, a string for every key and value, and
//! frees them all again: at 100,000 incidents that was a quarter of a
//! re-import and a large part of every save (docs/benchmarks.md, section
//! 2). This serializer writes the same text directly: each object's values
//! are written into a scratch buffer, then copied out in key order;
//! strings and numbers are written by serde_json itself, so they are
//! escaped and formatted exactly as before. `tests/canonical_json.rs`
//! holds it to `to_value(..).to_string()` for records of every kind.

use serde::ser::{self, Serialize};
use std::ops::Range;

/// Why a value has no stored form (a map key that is not text, a number
/// JSON cannot hold).
#[derive(Debug)]
pub(crate) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        Self(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

/// A value's stored form, and where each of its top-level fields lies in
/// it (for a struct or map; empty otherwise), in key order.
pub(crate) struct Canonical {
    /// The JSON text.
    pub(crate) json: String,
    /// (key, value) byte ranges in `json`, the key without its quotes'
    /// escaping undone (field names are plain).
    pub(crate) fields: Vec<(Range<usize>, Range<usize>)>,
}

/// `v`'s stored form.
pub(crate) fn to_canonical<T: Serialize + ?Sized>(v: &T) -> Result<Canonical> {
    let mut out = Vec::with_capacity(1024);
    let mut fields = vec![];
    v.serialize(Canon {
        out: &mut out,
        top: Some(&mut fields),
    })?;
    let json = String::from_utf8(out).map_err(|e| Error(e.to_string()))?;
    Ok(Canonical { json, fields })
}

/// Writes one value; `top` collects the field ranges of the outermost
/// object.
struct Canon<'a> {
    out: &'a mut Vec<u8>,
    top: Option<&'a mut Vec<(Range<usize>, Range<usize>)>>,
}

impl Canon<'_> {
    fn nested(out: &mut Vec<u8>) -> Canon<'_> {
        Canon { out, top: None }
    }
}

/// Writes a string or number as serde_json writes it.
fn plain<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<()> {
    serde_json::to_writer(out, v).map_err(|e| Error(e.to_string()))
}

impl<'a> ser::Serializer for Canon<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        plain(self.out, &v)
    }
    // A `Value` holds 64-bit numbers only.
    fn serialize_i128(self, v: i128) -> Result<()> {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(n), _) => plain(self.out, &n),
            (_, Ok(n)) => plain(self.out, &n),
            _ => Err(Error("number out of range".into())),
        }
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        let n = u64::try_from(v).map_err(|_| Error("number out of range".into()))?;
        plain(self.out, &n)
    }
    // A `Value` keeps an f32 as the f64 it widens to.
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_char(self, v: char) -> Result<()> {
        plain(self.out, &v)
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        plain(self.out, v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        plain(self.out, v)
    }
    fn serialize_none(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<()> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        plain(self.out, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<()> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<()> {
        self.out.push(b'{');
        plain(self.out, variant)?;
        self.out.push(b':');
        v.serialize(Canon::nested(self.out))?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>> {
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a>> {
        self.out.push(b'{');
        plain(self.out, variant)?;
        self.out.extend_from_slice(b":[");
        Ok(Seq {
            out: self.out,
            first: true,
            variant: true,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'a>> {
        Ok(Object::new(self.out, self.top, false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'a>> {
        Ok(Object::new(self.out, self.top, false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'a>> {
        self.out.push(b'{');
        plain(self.out, variant)?;
        self.out.push(b':');
        Ok(Object::new(self.out, None, true))
    }
}

/// A sequence, written as it goes.
struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// Inside `{"variant":…}`, which needs closing too.
    variant: bool,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        v.serialize(Canon::nested(self.out))
    }

    fn close(self) -> Result<()> {
        self.out.push(b']');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        self.element(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        self.element(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        self.element(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        self.element(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

/// An object: its keys and values written into a scratch buffer, then
/// copied out in key order.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    top: Option<&'a mut Vec<(Range<usize>, Range<usize>)>>,
    /// Inside `{"variant":…}`, which needs closing too.
    variant: bool,
    /// Each key (as JSON, quoted) followed by its value.
    scratch: Vec<u8>,
    /// (key, key range, value range) in `scratch`: the key itself, to be
    /// ordered as a map of strings orders it (struct fields are static).
    entries: Vec<(std::borrow::Cow<'static, str>, Range<usize>, Range<usize>)>,
}

impl<'a> Object<'a> {
    fn new(
        out: &'a mut Vec<u8>,
        top: Option<&'a mut Vec<(Range<usize>, Range<usize>)>>,
        variant: bool,
    ) -> Self {
        Self {
            out,
            top,
            variant,
            scratch: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Writes a key.
    fn key_text(&mut self, key: std::borrow::Cow<'static, str>) -> Result<()> {
        let start = self.scratch.len();
        plain(&mut self.scratch, &*key)?;
        let end = self.scratch.len();
        self.entries.push((key, start..end, end..end));
        Ok(())
    }

    /// Writes the value of the last key.
    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        let start = self.scratch.len();
        v.serialize(Canon::nested(&mut self.scratch))?;
        let end = self.scratch.len();
        match self.entries.last_mut() {
            Some(e) => e.2 = start..end,
            None => return Err(Error("a value without a key".into())),
        }
        Ok(())
    }

    fn close(self) -> Result<()> {
        let Self {
            out,
            top,
            variant,
            scratch,
            mut entries,
        } = self;
        // By key text, as an ordered map of strings orders them; of keys
        // given twice the last stands, as a map keeps it.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<&(std::borrow::Cow<'static, str>, Range<usize>, Range<usize>)> =
            Vec::with_capacity(entries.len());
        for e in &entries {
            match kept.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => kept.push(e),
            }
        }
        out.push(b'{');
        let mut fields = Vec::with_capacity(if top.is_some() { kept.len() } else { 0 });
        for (n, (_, key, value)) in kept.into_iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            let k = out.len();
            out.extend_from_slice(&scratch[key.clone()]);
            out.push(b':');
            let v = out.len();
            out.extend_from_slice(&scratch[value.clone()]);
            if top.is_some() {
                fields.push((k + 1..k + key.len() - 1, v..out.len()));
            }
        }
        out.push(b'}');
        if variant {
            out.push(b'}');
        }
        if let Some(top) = top {
            *top = fields;
        }
        Ok(())
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<()> {
        self.key_text(key.into())?;
        self.value(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<()> {
        self.key_text(key.into())?;
        self.value(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        // A map key becomes text as a `Value`'s map makes it.
        let text = match serde_json::to_value(key).map_err(|e| Error(e.to_string()))? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(Error("a map key must be text".into())),
        };
        self.key_text(text.into())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        self.value(v)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn same(v: &Value) {
        let c = to_canonical(v).expect("canonical");
        assert_eq!(c.json, v.to_string());
    }

    #[test]
    fn values_of_every_shape_are_written_as_a_value_writes_them() {
        same(&json!(null));
        same(&json!({}));
        same(&json!([]));
        same(&json!({"z": 1, "a": [true, false, null], "m": {"b": "Rəşad", "a": "Ж\"\\\n\u{1}"}}));
        same(&json!([
            1.5,
            -0.0,
            1e300,
            12345678901234567u64,
            -9007199254740993i64
        ]));
        same(&json!({"ə": 1, "e": 2, "я": 3, "Z": 4, "": 5}));
    }

    #[test]
    fn the_top_level_fields_are_located_in_the_text() {
        let c = to_canonical(&json!({"b": [1, 2], "a": "x", "c": {}})).expect("canonical");
        let fields: Vec<(&str, &str)> = c
            .fields
            .iter()
            .map(|(k, v)| (&c.json[k.clone()], &c.json[v.clone()]))
            .collect();
        assert_eq!(fields, [("a", "\"x\""), ("b", "[1,2]"), ("c", "{}")]);
    }
}
