//! The JSON incident log (`docs/formats/incident-log.md`, schema
//! `docs/schema/incident-log.v2.schema.json`). Version 2 names an
//! evidence note's incidents as a list (`incident_ids`); version 1 had one
//! `incident_id`, and the importer still reads it.
//!
//! Records keep the vault's ids and revision numbers, so an NGO that
//! imports a later export updates what it already has instead of adding
//! duplicates. Each record has the same flat shape as `Stored<T>` (and as
//! `vekil incident add --json`), minus the fields the profile removed.
//!
//! The log is written one record at a time: serde's pretty serializer is
//! handed sequences that read the set's incidents and notes as it goes
//! ([`Streamed`]), so the bytes are exactly those of the whole log
//! serialised at once, without the log ever being in memory.

use super::redact::Out;
use super::{ExportError, ExportSet, Result};
use crate::model::Incident;
use serde::ser::{Error as _, SerializeSeq, SerializeStruct, Serializer as _};
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::io::Write;

/// The `format` value of every incident log.
pub const FORMAT: &str = "vekil-incident-log";
/// The version this build writes (it reads this one and every earlier one).
pub const VERSION: u32 = 2;

#[derive(Serialize)]
struct Source<'a> {
    vault_id: &'a str,
    signing_key_id: Option<&'a str>,
}

/// Told of each incident as it is written, so that another writer (the
/// CSV table of a bundle) can use the same reading.
pub(crate) type AlsoIncident<'a> = &'a mut dyn FnMut(&Out<Incident>) -> Result<()>;

/// A JSON array whose elements come from a reading of the set. A failed
/// reading stops the serializer with a short message and leaves its own
/// error in `failure`, which the caller returns instead.
pub(crate) struct Streamed<'a, F> {
    pub(crate) each: RefCell<F>,
    pub(crate) failure: &'a RefCell<Option<ExportError>>,
}

/// Hands each element, as a JSON value, to the sequence being written.
pub(crate) type Emit<'e> = &'e mut dyn FnMut(&Value) -> Result<()>;

impl<F: FnMut(Emit<'_>) -> Result<()>> Serialize for Streamed<'_, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut serde_failure: Option<S::Error> = None;
        let read = (self.each.borrow_mut())(&mut |v: &Value| {
            seq.serialize_element(v).map_err(|e| {
                serde_failure = Some(e);
                ExportError::Serialise {
                    what: "a record".into(),
                    reason: "the writer stopped".into(),
                }
            })
        });
        if let Some(e) = serde_failure {
            return Err(e);
        }
        if let Err(e) = read {
            let text = e.to_string();
            *self.failure.borrow_mut() = Some(e);
            return Err(S::Error::custom(text));
        }
        seq.end()
    }
}

/// Writes the log. `signing_key_id` is the minisign key id (16 hex
/// digits) when the log goes into a signed bundle.
pub fn write(set: &ExportSet, signing_key_id: Option<&str>, out: impl Write) -> Result<()> {
    write_with(set, signing_key_id, out, &mut || {}, None)
}

/// [`write`], calling `step` for each record written and `also` with each
/// incident.
pub(crate) fn write_with(
    set: &ExportSet,
    signing_key_id: Option<&str>,
    out: impl Write,
    step: &mut dyn FnMut(),
    mut also: Option<AlsoIncident<'_>>,
) -> Result<()> {
    let failure = RefCell::new(None);
    let step = RefCell::new(step);
    let mut out = std::io::BufWriter::new(out);
    let written = (|| -> std::result::Result<(), serde_json::Error> {
        let mut ser = serde_json::Serializer::pretty(&mut out);
        let mut log = (&mut ser).serialize_struct("Log", 10)?;
        log.serialize_field("format", FORMAT)?;
        log.serialize_field("version", &VERSION)?;
        log.serialize_field(
            "generated_at",
            &set.generated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )?;
        log.serialize_field("profile", set.profile.as_str())?;
        log.serialize_field("recipients", &set.recipients)?;
        log.serialize_field(
            "source",
            &Source {
                vault_id: &set.vault_id,
                signing_key_id,
            },
        )?;
        fn kept<T: crate::model::Record>(
            items: &[Out<T>],
            step: &RefCell<&mut dyn FnMut()>,
            emit: Emit<'_>,
        ) -> Result<()> {
            for o in items {
                (step.borrow_mut())();
                emit(&o.to_value()?)?;
            }
            Ok(())
        }
        log.serialize_field(
            "clients",
            &Streamed {
                each: RefCell::new(|emit: Emit<'_>| kept(&set.clients, &step, emit)),
                failure: &failure,
            },
        )?;
        log.serialize_field(
            "cases",
            &Streamed {
                each: RefCell::new(|emit: Emit<'_>| kept(&set.cases, &step, emit)),
                failure: &failure,
            },
        )?;
        log.serialize_field(
            "incidents",
            &Streamed {
                each: RefCell::new(|emit: Emit<'_>| {
                    set.each_incident(&mut |o| {
                        (step.borrow_mut())();
                        if let Some(also) = also.as_mut() {
                            also(o)?;
                        }
                        emit(&o.to_value()?)
                    })
                }),
                failure: &failure,
            },
        )?;
        log.serialize_field(
            "evidence",
            &Streamed {
                each: RefCell::new(|emit: Emit<'_>| {
                    set.each_evidence(&mut |o| {
                        (step.borrow_mut())();
                        emit(&o.to_value()?)
                    })
                }),
                failure: &failure,
            },
        )?;
        SerializeStruct::end(log)
    })();
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    written.map_err(|e| ExportError::Serialise {
        what: "the incident log".into(),
        reason: e.to_string(),
    })?;
    out.write_all(b"\n")
        .and_then(|_| out.flush())
        .map_err(super::io_err("incident log"))
}
