//! Full-text search with filters, in the lawyer's languages.
//!
//! FTS5 indexes each record's match keys ([`index`]): every word of its
//! title and free text as folded, as a sound key, and as the concepts it
//! names, so "Кюрдаханы" finds "Kürdəxanı" and "Бакинский суд" finds
//! "Bakı ... Məhkəməsi" (design: `docs/design/search.md`). The query is
//! turned into keys the same way. What the user types is never passed to
//! FTS5 as query syntax: each key is quoted, a word's keys are OR-ed, the
//! words are AND-ed, and the last word is matched as a prefix, so a stray
//! quote or `NEAR` cannot cause an error.

mod index;

pub(crate) use index::{register_sql_functions, IndexEntry};

use crate::error::Result;
use crate::model::{Kind, Title};
use crate::store::SqlFilter;
use crate::text::keys::{concept_token, single_words, KeyCache, WordKeys, CONCEPT_PREFIX};
use crate::text::translit::folded_adds_matches;
use crate::text::vocabulary;
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
    /// What the record is, in typed parts; its text parts split into
    /// matching and other pieces.
    pub title: Title<Vec<SnippetPart>>,
    /// The best matching passage of its text.
    pub snippet: Vec<SnippetPart>,
    /// Its date, for ordering within a kind.
    pub at: Option<String>,
    /// Number of the case it belongs to (none for clients and cases).
    pub case_number: Option<String>,
    /// Pseudonym of its client (for a case or hearing: the case's first
    /// client; none for clients).
    pub client: Option<String>,
}

/// One thing a query requires: any of its tokens. The folded and sound-key
/// tokens of the last word match as prefixes, since it may still be being
/// typed; concept tokens match whole.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    tokens: Vec<String>,
    prefix: bool,
}

impl Term {
    /// Whether `w` (a word of a record) satisfies this term, exactly as
    /// FTS5 decides it for the index tokens of `w`.
    fn matches(&self, w: &WordKeys) -> bool {
        self.tokens.iter().any(|t| {
            if let Some(c) = t.strip_prefix(CONCEPT_PREFIX) {
                w.concepts.contains(&c)
            } else if self.prefix {
                w.folded.starts_with(t.as_str()) || w.keys.iter().any(|k| k.starts_with(t.as_str()))
            } else {
                w.folded == *t || w.keys.contains(t)
            }
        })
    }
}

/// What a query requires: its words (at most 16) turned into keys, a
/// phrase such as "следственный изолятор" into its one concept, and words
/// like "of" or "по" left out when others remain.
fn query_terms(text: &str) -> Vec<Term> {
    let words: Vec<WordKeys> = single_words(text).into_iter().take(16).collect();
    let concepts: Vec<Vec<&'static str>> = words.iter().map(|w| w.concepts.clone()).collect();
    let phrases = vocabulary::phrases(&concepts);
    let mut terms: Vec<(Term, bool)> = vec![];
    let mut i = 0;
    while i < words.len() {
        if let Some((range, concept)) = phrases.iter().find(|(r, _)| r.start == i) {
            let token = concept_token(concept);
            terms.push((
                Term {
                    tokens: vec![token],
                    prefix: false,
                },
                false,
            ));
            i = range.end;
            continue;
        }
        let w = &words[i];
        let prefix = i + 1 == words.len();
        let mut tokens: Vec<String> = vec![];
        if folded_adds_matches(&w.folded, prefix) {
            tokens.push(w.folded.clone());
        }
        for k in &w.keys {
            if !k.is_empty() && !tokens.contains(k) {
                tokens.push(k.clone());
            }
        }
        if tokens.is_empty() {
            tokens.push(w.folded.clone());
        }
        tokens.extend(w.concepts.iter().map(|c| concept_token(c)));
        terms.push((Term { tokens, prefix }, vocabulary::is_stopword(&w.folded)));
        i += 1;
    }
    if terms.iter().any(|(_, stop)| !stop) {
        terms.retain(|(_, stop)| !stop);
    }
    terms.into_iter().map(|(t, _)| t).collect()
}

/// Whether `text` matches what was `typed` exactly as a search for it
/// would find a record holding `text`: every word typed (the last as a
/// prefix) matches a word of `text` by its folded form, a sound key or a
/// concept. Nothing typed matches everything. The facility register's
/// quick-log suggestions use it, so a place is offered for whatever
/// spelling search would find it by.
pub fn text_matches(typed: &str, text: &str) -> bool {
    let terms = query_terms(typed);
    if terms.is_empty() {
        return true;
    }
    let words = crate::text::keyed_words(text);
    terms.iter().all(|t| words.iter().any(|w| t.matches(w)))
}

/// Turns user input into a safe FTS5 query: each key quoted, a word's keys
/// OR-ed, all words required, the last one as a prefix. Only the last is
/// a prefix because FTS5 builds a prefix's whole doclist in memory: prefix
/// matching every word made typical searches 5× slower (measured,
/// docs/benchmarks.md).
pub fn fts_query(text: &str) -> Option<String> {
    fts_of(&query_terms(text))
}

fn fts_of(terms: &[Term]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let parts: Vec<String> = terms
        .iter()
        .map(|t| {
            let alts: Vec<String> = t
                .tokens
                .iter()
                .map(|tok| {
                    let quoted = format!("\"{}\"", tok.replace('"', "\"\""));
                    if t.prefix && !tok.starts_with(CONCEPT_PREFIX) {
                        quoted + "*"
                    } else {
                        quoted
                    }
                })
                .collect();
            if alts.len() == 1 {
                alts.concat()
            } else {
                format!("({})", alts.join(" OR "))
            }
        })
        .collect();
    Some(parts.join(" AND "))
}

/// Appends `text` to `parts`, joining it to the last part when both are
/// hits or both are not.
fn push(parts: &mut Vec<SnippetPart>, text: &str, hit: bool) {
    if text.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(p) if p.hit == hit => p.text.push_str(text),
        _ => parts.push(SnippetPart {
            text: text.to_owned(),
            hit,
        }),
    }
}

/// Splits `text` into parts, marking the original words whose keys the
/// query matched. Done here rather than with FTS5's highlight(), which
/// would evaluate the query again for every hit and could only mark the
/// index's tokens, not the words the lawyer wrote.
fn mark(text: &str, terms: &[Term], cache: &mut KeyCache) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut at = 0;
    for w in cache.keyed_words(text) {
        push(&mut parts, &text[at..w.range.start], false);
        let hit = terms.iter().any(|t| t.matches(&w));
        push(&mut parts, &text[w.range.clone()], hit);
        at = w.range.end;
    }
    push(&mut parts, &text[at..], false);
    parts
}

/// `width` words of `text` around its first match, on one line, for the
/// result list.
fn snippet(text: &str, terms: &[Term], width: usize, cache: &mut KeyCache) -> Vec<SnippetPart> {
    let words = cache.keyed_words(text);
    let hits: Vec<bool> = words
        .iter()
        .map(|w| terms.iter().any(|t| t.matches(w)))
        .collect();
    let first = hits.iter().position(|h| *h).unwrap_or(0);
    let start = first.saturating_sub(width / 4);
    let end = (start + width).min(words.len());
    let mut parts = Vec::new();
    if start >= end {
        return parts;
    }
    if start > 0 {
        push(&mut parts, "… ", false);
    }
    for j in start..end {
        if j > start {
            let gap = &text[words[j - 1].range.end..words[j].range.start];
            let one_line = gap.split_whitespace().collect::<Vec<_>>();
            let gap = if gap.trim().is_empty() {
                " ".to_owned()
            } else {
                let lead = if gap.starts_with(char::is_whitespace) {
                    " "
                } else {
                    ""
                };
                let tail = if gap.ends_with(char::is_whitespace) {
                    " "
                } else {
                    ""
                };
                format!("{lead}{}{tail}", one_line.join(" "))
            };
            push(&mut parts, &gap, false);
        }
        push(&mut parts, &text[words[j].range.clone()], hits[j]);
    }
    if end < words.len() {
        push(&mut parts, " …", false);
    }
    parts
}

impl Vault {
    /// Searches the vault. An empty or punctuation-only query finds nothing.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        self.name_damage(self.search_inner(q))
    }

    fn search_inner(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let terms = query_terms(&q.text);
        let Some(fts) = fts_of(&terms) else {
            return Ok(vec![]);
        };
        // Newest first: every hit holds all the words typed, so recency is
        // a sound order for a case file. A record's row has rowid -seq, so
        // that is FTS5's ascending order, which it walks forwards and stops
        // at the limit; walking downwards made FTS5 index every entry of a
        // prefix's list first, quadratic under SQLCipher's memory wiping
        // (seconds at 100,000 incidents; docs/design/search.md). bm25
        // ranking scored every match first. The case number and client
        // pseudonym are joined for context (a hit names them; the index
        // does not copy them, so renaming a client needs no re-indexing).
        let mut q_sql = SqlFilter::new(
            "SELECT r.kind, r.id, r.at, search_fts.title, search_fts.body,
                    json_extract(cs.data, '$.case_number'), json_extract(cl.data, '$.pseudonym')
             FROM search_fts JOIN records r ON r.seq = -search_fts.rowid
             LEFT JOIN records cs ON cs.kind = 'case' AND cs.id = r.case_id
             LEFT JOIN records cl ON cl.kind = 'client' AND cl.id = coalesce(r.client_id, cs.client_id)
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
            " ORDER BY search_fts.rowid LIMIT {}",
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
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut hits = Vec::new();
        // Hits share most of their words (facilities, officials, reasons):
        // each word's keys are worked out once per search.
        let mut cache = KeyCache::default();
        for row in rows {
            let (kind, id, at, title, body, case_number, client) = row?;
            let (Some(kind), Ok(id), Ok(title)) = (
                Kind::parse(&kind),
                Uuid::parse_str(&id),
                serde_json::from_str::<Title>(&title),
            ) else {
                continue;
            };
            hits.push(SearchHit {
                kind,
                id,
                title: title.map(|text| mark(text, &terms, &mut cache)),
                snippet: snippet(&body, &terms, 16, &mut cache),
                at,
                case_number,
                client,
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(parts: &[SnippetPart]) -> Vec<&str> {
        parts
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect()
    }

    fn text(parts: &[SnippetPart]) -> String {
        parts.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn user_text_cannot_inject_fts_syntax() {
        assert_eq!(
            fts_query("a\" OR NEAR(b"),
            Some("\"a\" AND \"or\" AND \"naar\" AND \"b\"*".into())
        );
        assert_eq!(fts_query("  ,,  "), None);
        assert_eq!(fts_query("Məmmədov"), Some("\"mamadov\"*".into()));
    }

    #[test]
    fn the_folded_form_is_tried_only_where_keys_could_miss() {
        // A digraph: "Shahin" (sh = ş) and "Şhahin"-like spellings differ.
        assert_eq!(
            fts_query("Shahin Rzayev"),
            Some("(\"shahin\" OR \"sakin\") AND \"rzaav\"*".into())
        );
        // A last letter that may start a digraph: "Zh" of "Zhuravlev".
        assert_eq!(fts_query("Z"), Some("\"z\"*".into()));
        assert_eq!(fts_query("Ras"), Some("\"ras\"*".into()));
        assert_eq!(fts_query("Ky"), Some("(\"ky\"* OR \"ki\"*)".into()));
    }

    #[test]
    fn a_word_matches_by_any_key_and_a_phrase_by_its_concept() {
        assert_eq!(
            fts_query("Бакинский следственный изолятор"),
            Some("(\"bakinski\" OR \"\u{e000}baku\") AND \"\u{e000}sizo\"".into())
        );
        // "of" is left out when other words remain, kept when alone.
        assert_eq!(
            fts_query("Court of"),
            Some("(\"court\" OR \"\u{e000}court\")".into())
        );
        assert_eq!(fts_query("of"), Some("\"of\"*".into()));
    }

    #[test]
    fn marks_the_original_words_and_the_last_as_prefix() {
        let terms = query_terms("major Əli");
        let parts = mark(
            "Major Əliyev, not majority",
            &terms,
            &mut KeyCache::default(),
        );
        assert_eq!(hits(&parts), vec!["Major", "Əliyev"]);
        assert_eq!(
            text(&parts),
            "Major Əliyev, not majority",
            "nothing lost or added"
        );
    }

    #[test]
    fn marks_words_found_by_another_spelling() {
        let terms = query_terms("Kurdakhany Mamedov");
        let parts = mark("Kürdəxanı, Məmmədov R.", &terms, &mut KeyCache::default());
        assert_eq!(hits(&parts), vec!["Kürdəxanı", "Məmmədov"]);
        let terms = query_terms("СИЗО");
        let parts = mark(
            "Bakı İstintaq Təcridxanası",
            &terms,
            &mut KeyCache::default(),
        );
        assert_eq!(text(&parts), "Bakı İstintaq Təcridxanası");
        assert_eq!(hits(&parts), vec!["İstintaq", "Təcridxanası"]);
    }

    #[test]
    fn marks_text_stored_in_nfd_without_losing_its_marks() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Rəşad Məmmədov".nfd().collect();
        let parts = mark(&nfd, &query_terms("Rashad"), &mut KeyCache::default());
        assert_eq!(text(&parts), nfd);
        assert_eq!(hits(&parts), vec!["Rəşad".nfd().collect::<String>()]);
    }

    #[test]
    fn snippet_centres_on_the_first_match() {
        let terms = query_terms("target");
        let body = (0..40)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + "\n target end";
        let parts = snippet(&body, &terms, 8, &mut KeyCache::default());
        let t = text(&parts);
        assert!(t.starts_with("… ") && t.contains("w39 target end"), "{t}");
        assert_eq!(hits(&parts), vec!["target"]);
    }

    proptest::proptest! {
        /// Marking never loses, adds or reorders a character, whatever
        /// the text and the query.
        #[test]
        fn marking_keeps_the_text_as_written(
            t in "[a-zA-Zəışçğöü\u{0400}-\u{04ff}\u{0300}-\u{0308} ,.«»-]{0,60}",
            q in "[a-zA-Zəışçğöü\u{0400}-\u{04ff} ]{0,20}",
        ) {
            let parts = mark(&t, &query_terms(&q), &mut KeyCache::default());
            proptest::prop_assert_eq!(text(&parts), t);
        }
    }
}
