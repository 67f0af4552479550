//! What the search index holds for a record, computed in one place for
//! every save ([`crate::store`]) and for rebuilding the index of an
//! existing vault (migration `0005_search_keys`).
//!
//! `search_fts` has three columns: `title` (the record's [`Title`] as
//! JSON, not indexed), `body` (its free text, not indexed) and `terms`
//! (the match keys of both: folded words, sound keys and concepts, see
//! [`crate::text::keys`]). Only `terms` is tokenised, so the stored text
//! is never rewritten and what is matched is exactly what the query is
//! turned into.

use crate::model::{
    Case, Client, Deadline, EvidenceNote, FacilityEntry, Hearing, Incident, Kind, Record, Title,
};
use crate::text::keys::{index_text_with, KeyCache};
use rusqlite::functions::FunctionFlags;

/// One row of `search_fts`.
pub(crate) struct IndexEntry {
    /// The title's parts, as JSON.
    pub title: String,
    /// Free text.
    pub body: String,
    /// Match keys of the title's text parts and the body.
    pub terms: String,
}

impl IndexEntry {
    /// The index row of a record. `keys` holds the keys of words seen
    /// before: the writes of one transaction (an import's 100,000 records)
    /// share most of their words, and working out a word's keys is most of
    /// the cost of indexing it.
    pub(crate) fn of<T: Record>(record: &T, keys: &mut KeyCache) -> serde_json::Result<Self> {
        let title: Title = record.title();
        let body = record.search_text();
        let mut terms = String::new();
        for text in title.texts() {
            index_text_with(text, &mut terms, keys);
        }
        index_text_with(&body, &mut terms, keys);
        Ok(Self {
            title: serde_json::to_string(&title)?,
            body,
            terms,
        })
    }
}

fn entry_of<T: Record>(data: &str) -> Option<IndexEntry> {
    let record: T = serde_json::from_str(data).ok()?;
    IndexEntry::of(&record, &mut KeyCache::default()).ok()
}

/// `[title, body, terms]` as JSON for a stored record, or `None` when its
/// data cannot be read (verify-vault reports such a record; rebuilding the
/// index must not fail on it).
fn entry_json(kind: &str, data: &str) -> Option<String> {
    let e = match Kind::parse(kind)? {
        Kind::Client => entry_of::<Client>(data),
        Kind::Case => entry_of::<Case>(data),
        Kind::Hearing => entry_of::<Hearing>(data),
        Kind::Deadline => entry_of::<Deadline>(data),
        Kind::Incident => entry_of::<Incident>(data),
        Kind::Evidence => entry_of::<EvidenceNote>(data),
        Kind::Facility => entry_of::<FacilityEntry>(data),
    }?;
    serde_json::to_string(&[e.title, e.body, e.terms]).ok()
}

/// Registers `vekil_search_entry(kind, data)`, which migrations call to
/// rebuild the index with the same code a save uses.
pub(crate) fn register_sql_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "vekil_search_entry",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let kind: Option<String> = ctx.get(0)?;
            let data: Option<String> = ctx.get(1)?;
            Ok(match (kind, data) {
                (Some(k), Some(d)) => entry_json(&k, &d),
                _ => None,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_indexes_the_title_text_and_the_body_by_their_keys() {
        let mut i = Incident::quick(
            uuid::Uuid::new_v4(),
            "Kürdəxanı",
            chrono::DateTime::parse_from_rfc3339("2025-03-10T10:00:00+04:00").unwrap(),
            crate::model::IncidentType::AccessDenied,
        );
        i.reason_given = "Müstəntiq Məmmədov icazə vermədi".into();
        let e = IndexEntry::of(&i, &mut KeyCache::default()).unwrap();
        assert!(
            e.title.contains("\"facility\":\"Kürdəxanı\""),
            "{}",
            e.title
        );
        assert_eq!(e.body, "Müstəntiq Məmmədov icazə vermədi");
        for t in ["kurdexani", "kurdakani", "memmedov", "mamadov", "icaze"] {
            assert!(e.terms.split(' ').any(|x| x == t), "{t} in {}", e.terms);
        }
        // The type code is data for the window, not English words to match.
        assert!(!e.terms.contains("access"), "{}", e.terms);
    }

    #[test]
    fn unreadable_data_has_no_entry() {
        assert_eq!(entry_json("client", "{}"), None);
        assert_eq!(entry_json("nonsense", "{}"), None);
        let c = Client::new("Rəşad Məmmədov", "C-1");
        let json = serde_json::to_string(&c).unwrap();
        assert!(entry_json("client", &json).is_some());
    }
}
