//! Full-text search with filters.
//!
//! FTS5 indexes each record's title (names, case numbers, facilities) and
//! its free text (officials, reasons, notes). What the user types is never
//! passed to FTS5 as query syntax: it is split into words, each quoted and
//! prefix-matched, so "Ibrahimov Bin" finds "İbrahimov" at "Binəqədi" and a
//! stray quote or `NEAR` cannot cause an error.

use crate::error::Result;
use crate::model::Kind;
use crate::store::SqlFilter;
use crate::vault::Vault;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// A search: words plus optional filters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SearchQuery {
    /// What the user typed.
    pub text: String,
    /// Only these kinds (empty: all).
    pub kinds: Vec<Kind>,
    /// Only records of this client.
    pub client_id: Option<Uuid>,
    /// Only records of this case.
    pub case_id: Option<Uuid>,
    /// Only incidents at this facility (case-insensitive).
    pub facility: Option<String>,
    /// Only this incident type (`access_denied`, …).
    pub incident_type: Option<String>,
    /// From this moment.
    #[ts(type = "string | null")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Until this moment.
    #[ts(type = "string | null")]
    pub to: Option<DateTime<FixedOffset>>,
    /// At most this many hits (default 50).
    pub limit: Option<u32>,
}

/// A piece of a snippet; `hit` pieces matched the query.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SnippetPart {
    /// The text.
    pub text: String,
    /// Whether it matched.
    pub hit: bool,
}

/// One result.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SearchHit {
    /// Kind of record.
    pub kind: Kind,
    /// Its id.
    pub id: Uuid,
    /// Its title, split into matching and other parts.
    pub title: Vec<SnippetPart>,
    /// The best matching passage of its text.
    pub snippet: Vec<SnippetPart>,
    /// Its date, for ordering within a kind.
    pub at: Option<String>,
}

// Markers FTS5 puts around matches; control characters never survive
// validation into stored text, so they cannot collide with content.
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';

/// Turns user input into a safe FTS5 query: each word quoted, prefix match.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn split_marked(s: &str) -> Vec<SnippetPart> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut hit = false;
    for c in s.chars() {
        if c == OPEN || c == CLOSE {
            if !cur.is_empty() {
                out.push(SnippetPart {
                    text: std::mem::take(&mut cur),
                    hit,
                });
            }
            hit = c == OPEN;
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(SnippetPart { text: cur, hit });
    }
    out
}

impl Vault {
    /// Searches the vault. An empty or punctuation-only query finds nothing.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        self.name_damage(self.search_inner(q))
    }

    fn search_inner(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let Some(fts) = fts_query(&q.text) else {
            return Ok(vec![]);
        };
        // Phase 1: choose and filter, without highlighting: snippets are
        // built below for the hits returned only.
        let mut q_sql = SqlFilter::new(
            "SELECT r.seq, r.kind, r.id, r.at
             FROM search_fts JOIN records r ON r.seq = search_fts.rowid
             WHERE search_fts MATCH ?1",
            fts.clone(),
        );
        if !q.kinds.is_empty() {
            let list: Vec<String> = q
                .kinds
                .iter()
                .map(|k| format!("'{}'", k.as_str()))
                .collect();
            q_sql
                .sql
                .push_str(&format!(" AND r.kind IN ({})", list.join(",")));
        }
        if let Some(c) = q.client_id {
            // A client's own record counts as "of this client".
            q_sql.and(
                "(r.client_id = ? OR (r.kind = 'client' AND r.id = ?))",
                c.to_string(),
            );
        }
        if q.incident_type.is_some() {
            q_sql.sql.push_str(" AND r.kind = 'incident'");
        }
        q_sql.common(
            "r.",
            q.case_id,
            q.facility.as_deref(),
            q.incident_type.as_deref(),
            q.from,
            q.to,
        );
        let SqlFilter { mut sql, args } = q_sql;
        // Newest first. Every hit contains all the words typed, so recency
        // is a sound order for a case file, and FTS5 walks rowids downwards
        // and stops at the limit: a word in every record costs the same as
        // a rare one. (bm25 ranking scored every match: 244 ms for a word in
        // 20,000 incidents, against a 20 ms budget.)
        sql.push_str(&format!(
            " ORDER BY search_fts.rowid DESC LIMIT {}",
            q.limit.unwrap_or(50).min(1000)
        ));
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| self.db_error(e))?;
        let top = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        // Phase 2: highlight only the hits that will be shown.
        let mut marks = self.conn.prepare_cached(&format!(
            "SELECT highlight(search_fts, 0, '{OPEN}', '{CLOSE}'),
                    snippet(search_fts, 1, '{OPEN}', '{CLOSE}', '…', 16)
             FROM search_fts WHERE search_fts MATCH ?1 AND rowid = ?2"
        ))?;
        let mut hits = Vec::with_capacity(top.len());
        for (seq, kind, id, at) in top {
            let (Some(kind), Ok(id)) = (Kind::parse(&kind), Uuid::parse_str(&id)) else {
                continue;
            };
            let (title, snippet): (String, String) =
                marks.query_row(rusqlite::params![fts, seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
            hits.push(SearchHit {
                kind,
                id,
                title: split_marked(&title),
                snippet: split_marked(&snippet),
                at,
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_inject_fts_syntax() {
        assert_eq!(
            fts_query("a\" OR NEAR(b"),
            Some("\"a\"* \"OR\"* \"NEAR\"* \"b\"*".into())
        );
        assert_eq!(fts_query("  ,,  "), None);
        assert_eq!(fts_query("Məmmədov"), Some("\"Məmmədov\"*".into()));
    }

    #[test]
    fn marked_text_splits_into_parts() {
        let parts = split_marked("a \u{1}b\u{2} c");
        assert_eq!(parts.len(), 3);
        assert!(parts[1].hit && parts[1].text == "b");
    }
}
