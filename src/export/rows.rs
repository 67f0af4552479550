//! The stored rows of the records a large export writes, copied by its
//! first reading for the writers' readings.
//!
//! Past [`super::select`]'s memory budget, each writer used to read the
//! leaving records again from the vault. At 100,000 incidents most of such
//! a reading is SQLCipher's: every 4 KiB page decrypted and its MAC
//! checked once more, a third of a CSV export's time (docs/benchmarks.md,
//! section 2). So the first reading copies the row of each record that
//! leaves (its JSON as stored, its id, revision and times, and one flag of
//! what was decided for it) into a [`Spill`]: in memory up to
//! [`MEMORY_BYTES`], beyond that encrypted (age) into a nameless file
//! under a key held only in memory, like every export's temporary copy.
//! Later readings decode the rows from there. The stream cipher costs
//! about half the page decryption it replaces, and a reading cannot meet
//! a vault changed since the choice: it reads what was chosen.

use super::spill::{Spill, Spilled};
use super::{io_err, ExportError, Result};
use crate::model::{Record, Stored};
use crate::store::RawRecord;
use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

/// Bytes of rows kept in memory before the rest go, encrypted, to disk.
pub const MEMORY_BYTES: usize = 48 << 20;

const WHAT: &str = "the export's encrypted copy of the records";

/// Rows being copied.
pub(crate) struct RowsWriter {
    spill: Spill,
    count: usize,
}

/// One row's columns, as stored.
#[derive(Debug, Clone, PartialEq)]
struct Parts<'a> {
    id: &'a str,
    revision: u32,
    created_at: &'a str,
    updated_at: &'a str,
    data: &'a [u8],
}

impl RowsWriter {
    /// Copies whose bytes, past [`MEMORY_BYTES`], go to `dir`.
    pub(crate) fn new(dir: &Path) -> Self {
        Self::with_limit(dir, MEMORY_BYTES)
    }

    fn with_limit(dir: &Path, limit: usize) -> Self {
        Self {
            spill: Spill::unhashed(dir, limit),
            count: 0,
        }
    }

    /// Appends one row, with `flag`, what the first reading decided for it.
    ///
    /// Layout: length of the rest (u32), flag (u8), revision (u32), then
    /// id, created and updated times, each as a u16 length and its bytes,
    /// then the JSON; little-endian.
    pub(crate) fn push(&mut self, raw: &RawRecord<'_>, flag: bool) -> Result<()> {
        self.push_parts(
            &Parts {
                id: raw.id,
                revision: raw.revision,
                created_at: raw.created_at,
                updated_at: raw.updated_at,
                data: raw.data,
            },
            flag,
        )
    }

    /// Appends a record already decoded (one kept in memory until the
    /// records stopped fitting), as its row would read.
    pub(crate) fn push_stored<T: Record>(&mut self, s: &Stored<T>, flag: bool) -> Result<()> {
        let data = serde_json::to_vec(&s.data).map_err(|e| corrupt(e.to_string()))?;
        self.push_parts(
            &Parts {
                id: &s.id.to_string(),
                revision: s.revision,
                created_at: &s.created_at.to_rfc3339(),
                updated_at: &s.updated_at.to_rfc3339(),
                data: &data,
            },
            flag,
        )
    }

    fn push_parts(&mut self, raw: &Parts<'_>, flag: bool) -> Result<()> {
        let parts = [raw.id, raw.created_at, raw.updated_at];
        let mut lens = [[0u8; 2]; 3];
        for (l, p) in lens.iter_mut().zip(parts) {
            *l = u16::try_from(p.len())
                .map_err(|_| corrupt(format!("a column of {} bytes", p.len())))?
                .to_le_bytes();
        }
        let len = 1 + 4 + parts.iter().map(|p| 2 + p.len()).sum::<usize>() + raw.data.len();
        let len = u32::try_from(len).map_err(|_| corrupt(format!("a row of {len} bytes")))?;
        let w = &mut self.spill;
        (|| {
            w.write_all(&len.to_le_bytes())?;
            w.write_all(&[u8::from(flag)])?;
            w.write_all(&raw.revision.to_le_bytes())?;
            for (l, p) in lens.iter().zip(parts) {
                w.write_all(l)?;
                w.write_all(p.as_bytes())?;
            }
            w.write_all(raw.data)
        })()
        .map_err(io_err(WHAT))?;
        self.count += 1;
        Ok(())
    }

    /// Ends the copy.
    pub(crate) fn finish(self) -> Result<Rows> {
        Ok(Rows {
            spilled: RefCell::new(self.spill.finish()?),
            count: self.count,
        })
    }
}

/// Rows copied, to be read back as often as needed.
pub(crate) struct Rows {
    spilled: RefCell<Spilled>,
    count: usize,
}

impl Rows {
    /// Hands each row back, decoded as a `T`, with its flag, in the order
    /// they were copied; stops at the first error.
    pub(crate) fn each<T: Record>(
        &self,
        each: &mut dyn FnMut(Stored<T>, bool) -> Result<()>,
    ) -> Result<()> {
        self.each_parts(&mut |parts, flag| {
            let record = crate::store::decode::<T>(
                parts.id,
                parts.revision,
                parts.created_at,
                parts.updated_at,
                parts.data,
            )
            .map_err(corrupt)?;
            each(record, flag)
        })
    }

    fn each_parts(&self, each: &mut dyn FnMut(Parts<'_>, bool) -> Result<()>) -> Result<()> {
        let mut spilled = self
            .spilled
            .try_borrow_mut()
            .map_err(|_| ExportError::Serialise {
                what: WHAT.into(),
                reason: "it is already being read; export again".into(),
            })?;
        // Decrypting the part on disk takes about a tenth of a large CSV
        // export's writing: a second thread does it meanwhile.
        spilled.read_ahead(|r| {
            let mut row = Zeroizing::new(Vec::new());
            for _ in 0..self.count {
                let mut len = [0u8; 4];
                r.read_exact(&mut len).map_err(io_err(WHAT))?;
                let len = u32::from_le_bytes(len) as usize;
                row.clear();
                row.resize(len, 0);
                r.read_exact(&mut row).map_err(io_err(WHAT))?;
                let (flag, parts) = parse(&row)?;
                each(parts, flag)?;
            }
            Ok(())
        })
    }
}

/// One row, laid out as [`RowsWriter::push`] writes it.
fn parse(row: &[u8]) -> Result<(bool, Parts<'_>)> {
    let short = || corrupt("a row ends early".into());
    let (&flag, rest) = row.split_first().ok_or_else(short)?;
    let (revision, mut rest) = rest.split_first_chunk::<4>().ok_or_else(short)?;
    let mut text = || -> Result<&str> {
        let (n, tail) = rest.split_first_chunk::<2>().ok_or_else(short)?;
        let n = u16::from_le_bytes(*n) as usize;
        let (s, tail) = tail.split_at_checked(n).ok_or_else(short)?;
        rest = tail;
        std::str::from_utf8(s).map_err(|e| corrupt(e.to_string()))
    };
    let (id, created_at, updated_at) = (text()?, text()?, text()?);
    let data = rest;
    let parts = Parts {
        id,
        revision: u32::from_le_bytes(*revision),
        created_at,
        updated_at,
        data,
    };
    Ok((flag != 0, parts))
}

fn corrupt(why: String) -> ExportError {
    ExportError::Serialise {
        what: WHAT.into(),
        reason: format!("{why}; export again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Incident, IncidentType};
    use proptest::prelude::*;
    use std::io::{Read, Seek, SeekFrom};

    fn read_back(rows: &Rows) -> Vec<(bool, String, u32, String, String, Vec<u8>)> {
        let mut out = vec![];
        rows.each_parts(&mut |p, flag| {
            out.push((
                flag,
                p.id.to_owned(),
                p.revision,
                p.created_at.to_owned(),
                p.updated_at.to_owned(),
                p.data.to_vec(),
            ));
            Ok(())
        })
        .expect("read back");
        out
    }

    proptest! {
        /// Whatever the columns hold, in memory or on disk, each row
        /// reads back as written, in order, as often as asked.
        #[test]
        fn rows_read_back_as_written(
            rows in proptest::collection::vec(
                (
                    any::<bool>(),
                    "[a-f0-9-]{0,40}",
                    any::<u32>(),
                    "\\PC{0,40}",
                    "\\PC{0,40}",
                    proptest::collection::vec(any::<u8>(), 0..300),
                ),
                0..40,
            ),
            limit in prop_oneof![Just(0usize), Just(200), Just(1 << 20)],
        ) {
            let dir = tempfile::tempdir().expect("tmp");
            let mut w = RowsWriter::with_limit(dir.path(), limit);
            for (flag, id, revision, created_at, updated_at, data) in &rows {
                w.push_parts(&Parts { id, revision: *revision, created_at, updated_at, data: data.as_slice() }, *flag)
                    .expect("push");
            }
            let copied = w.finish().expect("finish");
            let want: Vec<_> = rows
                .iter()
                .map(|(f, i, r, c, u, d)| (*f, i.clone(), *r, c.clone(), u.clone(), d.clone()))
                .collect();
            prop_assert_eq!(read_back(&copied), want.clone());
            prop_assert_eq!(read_back(&copied), want);
            prop_assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
        }
    }

    /// Rows of real records decode to the records the vault holds, and
    /// what goes to disk is not their text.
    #[test]
    fn records_copied_to_disk_decode_as_stored_and_are_not_readable_there() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (v, c) = crate::vault::test_vault_with_client(&tmp.path().join("v"));
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-10T00:00:00+04:00").expect("t");
        for n in 0..30 {
            let mut i = Incident::quick(
                c,
                "Kürdəxanı İstintaq Təcridxanası",
                at,
                IncidentType::AccessDenied,
            );
            i.reason_given = format!("Müstəntiq icazə vermədi; Следователь запретил свидание {n}");
            v.insert(i).expect("incident");
        }
        let mut w = RowsWriter::with_limit(tmp.path(), 1_000);
        let mut n = 0;
        v.for_each_raw::<Incident, ExportError>(&Default::default(), |raw| {
            n += 1;
            w.push(raw, n % 2 == 0)
        })
        .expect("copy");
        let copied = w.finish().expect("finish");
        let stored: Vec<Stored<Incident>> = v
            .list(&crate::store::ListFilter {
                limit: Some(100),
                ..Default::default()
            })
            .expect("list");
        let mut back = vec![];
        copied
            .each::<Incident>(&mut |r, flag| {
                back.push((r, flag));
                Ok(())
            })
            .expect("read back");
        assert_eq!(back.len(), 30);
        for (k, ((r, flag), s)) in back.iter().zip(&stored).enumerate() {
            assert_eq!((r.id, r.revision, &r.data), (s.id, s.revision, &s.data));
            assert_eq!((r.created_at, r.updated_at), (s.created_at, s.updated_at));
            assert_eq!(*flag, (k + 1) % 2 == 0);
        }
        let mut spilled = copied.spilled.borrow_mut();
        let file = spilled.file_for_test().expect("on disk");
        let mut raw = vec![];
        file.seek(SeekFrom::Start(0)).expect("seek");
        file.read_to_end(&mut raw).expect("read");
        for needle in ["Müstəntiq", "Следователь", "Kürdəxanı"] {
            let needle = needle.as_bytes();
            assert!(
                !raw.windows(needle.len()).any(|w| w == needle),
                "plaintext on disk"
            );
        }
    }
}
