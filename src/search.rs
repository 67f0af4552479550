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
    /// Only incidents at this facility (an entry of the register, by id
    /// or any spelling; see `ListFilter::facility`).
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
    /// Type within the kind (incident type, hearing kind…), so the UI can
    /// label the hit in the user's language.
    pub subtype: Option<String>,
}

/// The words of a query, lower-cased; the last one is matched as a
/// prefix, since it may still be being typed.
fn query_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(str::to_lowercase)
        .collect()
}

/// Turns user input into a safe FTS5 query: each word quoted, all
/// required, the last one as a prefix. Only the last is a prefix because
/// FTS5 builds a prefix's whole doclist in memory: prefix matching every
/// word made typical searches 5× slower (measured, docs/benchmarks.md).
pub fn fts_query(text: &str) -> Option<String> {
    let words = query_words(text);
    let last = words.len().checked_sub(1)?;
    let quoted: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == last {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    Some(quoted.join(" "))
}

/// Splits `text` into parts, marking the words the query matched (whole
/// words, or the last query word as a prefix). Done here rather than with
/// FTS5's highlight(), which would evaluate the query again for every hit.
fn mark(text: &str, words: &[String]) -> Vec<SnippetPart> {
    let last = words.len().saturating_sub(1);
    let is_hit = |w: &str| {
        let w = w.to_lowercase();
        words.iter().enumerate().any(|(i, q)| {
            if i == last {
                w.starts_with(q.as_str())
            } else {
                w == *q
            }
        })
    };
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |text: &str, hit: bool| match parts.last_mut() {
        Some(p) if p.hit == hit => p.text.push_str(text),
        _ => parts.push(SnippetPart {
            text: text.to_owned(),
            hit,
        }),
    };
    let mut rest = text;
    while let Some(start) = rest.find(char::is_alphanumeric) {
        push(&rest[..start], false);
        let word_len = rest[start..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        push(word, is_hit(word));
        rest = &rest[start + word_len..];
    }
    push(rest, false);
    parts.retain(|p| !p.text.is_empty());
    parts
}

/// About `width` words of `text` around its first match, for the result list.
fn snippet(text: &str, words: &[String], width: usize) -> Vec<SnippetPart> {
    let flat = text.split_whitespace().collect::<Vec<_>>();
    let first_hit = flat
        .iter()
        .position(|w| mark(w, words).iter().any(|p| p.hit))
        .unwrap_or(0);
    let start = first_hit.saturating_sub(width / 4);
    let end = (start + width).min(flat.len());
    let mut s = flat[start..end].join(" ");
    if start > 0 {
        s.insert_str(0, "… ");
    }
    if end < flat.len() {
        s.push_str(" …");
    }
    mark(&s, words)
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
        let words = query_words(&q.text);
        // Newest first: every hit holds all the words typed, so recency is
        // a sound order for a case file, and FTS5 walks rowids downwards and
        // stops at the limit. bm25 ranking scored every match first.
        let mut q_sql = SqlFilter::new(
            "SELECT r.kind, r.id, r.at, search_fts.title, search_fts.body, r.subtype
             FROM search_fts JOIN records r ON r.seq = search_fts.rowid
             WHERE search_fts MATCH ?1",
            fts,
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
        let facility = match &q.facility {
            Some(text) => Some(self.facility_filter_keys(text)?),
            None => None,
        };
        q_sql.common(
            "r.",
            q.case_id,
            facility.as_deref(),
            q.incident_type.as_deref(),
            q.from,
            q.to,
        );
        let SqlFilter { mut sql, args } = q_sql;
        sql.push_str(&format!(
            " ORDER BY search_fts.rowid DESC LIMIT {}",
            q.limit.unwrap_or(50).min(1000)
        ));
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| self.db_error(e))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (kind, id, at, title, body, subtype) = row?;
            let (Some(kind), Ok(id)) = (Kind::parse(&kind), Uuid::parse_str(&id)) else {
                continue;
            };
            hits.push(SearchHit {
                kind,
                id,
                title: mark(&title, &words),
                snippet: snippet(&body, &words, 16),
                at,
                subtype,
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
            Some("\"a\" \"or\" \"near\" \"b\"*".into())
        );
        assert_eq!(fts_query("  ,,  "), None);
        assert_eq!(fts_query("Məmmədov"), Some("\"məmmədov\"*".into()));
    }

    #[test]
    fn marks_whole_words_and_the_last_as_prefix() {
        let words = query_words("major Əli");
        let parts = mark("Major Əliyev, not majority", &words);
        let hits: Vec<&str> = parts
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, vec!["Major", "Əliyev"]);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "Major Əliyev, not majority", "nothing lost or added");
    }

    #[test]
    fn snippet_centres_on_the_first_match() {
        let words = query_words("target");
        let body = (0..40)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + " target end";
        let parts = snippet(&body, &words, 8);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert!(text.starts_with("… ") && text.contains("target"), "{text}");
        assert!(parts.iter().any(|p| p.hit && p.text == "target"));
    }
}
