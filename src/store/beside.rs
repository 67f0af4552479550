//! Reading records on this thread while a second thread handles them.
//!
//! A large export's first reading ([`crate::export::select`]) spends about
//! half its time in SQLCipher (each page decrypted, its MAC checked) and
//! the other half in what it does with each row: a partial JSON parse, the
//! choice, and a copy for the writers (docs/benchmarks.md, section 2).
//! [`Vault::for_each_raw_beside`] runs the two at once: this thread steps
//! the query and copies each row into a batch, and a second thread hands
//! the batch's rows to the caller, in order.
//!
//! Batches are relayed there and back to be filled again
//! ([`crate::relay`]); a batch's bytes are wiped when it is cleared or
//! dropped, like every other plaintext copy of a record. With one core,
//! the records are handled in line.

use super::{Error, ListFilter, RawRecord};
use crate::model::{Kind, Record};
use crate::relay;
use crate::Vault;
use std::ops::Range;
use std::path::Path;
use zeroize::Zeroizing;

/// Bytes of rows per batch handed over (about 150 incidents).
const BATCH_BYTES: usize = 256 << 10;

/// Rows copied out of SQLite's pages.
#[derive(Default)]
struct Batch {
    /// Ids and times of the rows, which were checked to be UTF-8.
    text: Zeroizing<String>,
    /// Their stored JSON, unchecked as in [`RawRecord::data`].
    data: Zeroizing<Vec<u8>>,
    rows: Vec<Row>,
}

/// Where one row's columns are in its [`Batch`].
struct Row {
    id: Range<usize>,
    revision: u32,
    created_at: Range<usize>,
    updated_at: Range<usize>,
    data: Range<usize>,
}

impl Batch {
    fn push(&mut self, raw: &RawRecord<'_>) {
        let mut text = |s: &str| {
            let start = self.text.len();
            self.text.push_str(s);
            start..self.text.len()
        };
        let (id, created_at, updated_at) =
            (text(raw.id), text(raw.created_at), text(raw.updated_at));
        let start = self.data.len();
        self.data.extend_from_slice(raw.data);
        self.rows.push(Row {
            id,
            revision: raw.revision,
            created_at,
            updated_at,
            data: start..self.data.len(),
        });
    }

    fn bytes(&self) -> usize {
        self.text.len() + self.data.len()
    }

    /// The rows, as the query read them.
    fn each<'b, E>(
        &'b self,
        kind: Kind,
        db_path: &'b Path,
        each: &mut impl FnMut(&RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        for r in &self.rows {
            each(&RawRecord {
                kind,
                db_path,
                id: &self.text[r.id.clone()],
                revision: r.revision,
                created_at: &self.text[r.created_at.clone()],
                updated_at: &self.text[r.updated_at.clone()],
                data: &self.data[r.data.clone()],
            })?;
        }
        Ok(())
    }

    /// Empties the batch for reuse, wiping what it held.
    fn cleared(mut self) -> Self {
        use zeroize::Zeroize;
        self.text.zeroize();
        self.data.zeroize();
        self.rows.clear();
        self
    }
}

/// Why the reading stopped.
enum Halt<E> {
    /// It failed.
    Failed(E),
    /// The handling thread stopped, with the error that counts.
    Handler,
}

impl<E: From<Error>> From<Error> for Halt<E> {
    fn from(e: Error) -> Self {
        Self::Failed(E::from(e))
    }
}

impl Vault {
    /// [`Self::for_each_raw`], with `each` called on a second thread while
    /// this one reads on (see the module documentation). The records come
    /// in the same order; the first error, of either thread, ends both.
    pub(crate) fn for_each_raw_beside<T: Record, E: From<Error> + Send>(
        &self,
        f: &ListFilter,
        mut each: impl FnMut(&RawRecord<'_>) -> std::result::Result<(), E> + Send,
    ) -> std::result::Result<(), E> {
        if !relay::two_cores() {
            return self.for_each_raw::<T, E>(f, each);
        }
        let db_path = self.db_path();
        let db_path: &Path = &db_path;
        let (filler, taker) = relay::relay::<Batch>();
        std::thread::scope(|s| {
            let handler = s.spawn(move || -> std::result::Result<(), E> {
                while let Some(batch) = taker.next() {
                    batch.each(T::KIND, db_path, &mut each)?;
                    taker.give_back(batch.cleared());
                }
                Ok(())
            });
            let mut batch = Batch::default();
            let hand_over = |batch: &mut Batch| -> std::result::Result<(), Halt<E>> {
                let next = filler.reuse().unwrap_or_default();
                filler
                    .hand_over(std::mem::replace(batch, next))
                    .map_err(|_| Halt::Handler)
            };
            let read = self
                .for_each_raw::<T, Halt<E>>(f, |raw| {
                    batch.push(raw);
                    if batch.bytes() >= BATCH_BYTES {
                        hand_over(&mut batch)?;
                    }
                    Ok(())
                })
                .and_then(|()| match batch.rows.is_empty() {
                    true => Ok(()),
                    false => hand_over(&mut batch),
                });
            // The handler ends once it has every batch handed over.
            drop(filler);
            let handled = match handler.join() {
                Ok(handled) => handled,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            match (read, handled) {
                (_, Err(e)) | (Err(Halt::Failed(e)), Ok(())) => Err(e),
                (Ok(()), Ok(())) => Ok(()),
                // The handler stops early only with an error.
                (Err(Halt::Handler), Ok(())) => Ok(()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Incident, IncidentType, Stored};

    fn vault_with(n: usize) -> (tempfile::TempDir, Vault) {
        let tmp = tempfile::tempdir().expect("tmp");
        let (v, c) = crate::vault::test_vault_with_client(&tmp.path().join("v"));
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-10T00:00:00+04:00").expect("t");
        v.write(|w| {
            for k in 0..n {
                let mut i = Incident::quick(c, "Kürdəxanı", at, IncidentType::AccessDenied);
                // Rows of many sizes, so that batches end anywhere.
                i.notes = "Следователь запретил свидание. ".repeat(k % 97);
                w.insert(i)?;
            }
            Ok(())
        })
        .expect("seed");
        (tmp, v)
    }

    /// Every record arrives, once, in the query's order, as stored, across
    /// many batches.
    #[test]
    fn every_record_arrives_in_order_as_read() {
        let (_tmp, v) = vault_with(3_000);
        let f = ListFilter {
            oldest_first: true,
            ..Default::default()
        };
        let mut want: Vec<Stored<Incident>> = vec![];
        v.for_each::<Incident, Error>(&f, |r, _| {
            want.push(r);
            Ok(())
        })
        .expect("read");
        let mut got: Vec<Stored<Incident>> = vec![];
        v.for_each_raw_beside::<Incident, Error>(&f, |raw| {
            got.push(raw.decode()?);
            Ok(())
        })
        .expect("read beside");
        assert_eq!(got.len(), 3_000);
        assert!(got == want, "records differ or come in another order");
    }

    /// An error of the handler ends the reading with that error; one
    /// before any batch is handed over too.
    #[test]
    fn the_handlers_error_stops_the_reading() {
        let (_tmp, v) = vault_with(2_000);
        for stop_at in [1usize, 700, 1_999] {
            let mut seen = 0;
            let r = v.for_each_raw_beside::<Incident, Error>(&Default::default(), |_| {
                seen += 1;
                if seen == stop_at {
                    return Err(Error::Vault(crate::vault::VaultError::corrupt(
                        Path::new("test"),
                        format!("stop at {stop_at}"),
                    )));
                }
                Ok(())
            });
            let e = r.expect_err("stopped").to_string();
            assert!(e.contains(&format!("stop at {stop_at}")), "{e}");
            assert_eq!(seen, stop_at, "records handled after the error");
        }
    }
}
