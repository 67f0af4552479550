//! The re-identification check: names the export removes must not come
//! back through the text it keeps.
//!
//! A pseudonym is defeated if the reason given reads "the investigator
//! told Həsənov's mother…". Before anything is written, every name the
//! profile removes (clients, witnesses, contacts, custodians) is looked
//! for in every text that leaves. Matching is on folded words
//! ([`crate::text::fold`]: case, diacritics, Azerbaijani i/ı/İ and ə/e,
//! Russian ё/е, any normalisation form), and a name word of five letters
//! or more also matches a longer word that starts with it, because both
//! languages inflect names ("Петрову", "Həsənovun"). Words shorter than
//! three letters and numbers are not names. Each hit is shown to the
//! lawyer in context; the export stops until the text is edited or the
//! hit is confirmed.

use crate::model::Kind;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;
use uuid::Uuid;

/// Whose name a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NameOf {
    /// A client (the pseudonym replaces the name).
    Client,
    /// A witness.
    Witness,
    /// One of a client's contacts (often a relative).
    Contact,
    /// Someone in an evidence item's chain of custody.
    Custodian,
}

/// A removed name found in text that leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Hit {
    /// Stable for the same text: confirming a hit confirms this id, and
    /// editing the text makes a new one.
    pub id: String,
    /// Kind of the record whose text holds the name.
    pub kind: Kind,
    /// That record.
    pub record_id: Uuid,
    /// The field (`reason_given`, `witnesses[].name`…).
    pub field: String,
    /// Whose name it is.
    pub name_of: NameOf,
    /// The removed name as the lawyer typed it.
    pub name: String,
    /// Text before the match (at most about 40 characters).
    pub before: String,
    /// The matching word, as written in the text.
    pub matched: String,
    /// Text after the match.
    pub after: String,
}

const MIN_WORD: usize = 3;
const MIN_PREFIX: usize = 5;
const MAX_SUFFIX: usize = 4;
const CONTEXT: usize = 40;
/// Most bytes of text [`Names`] remembers as holding no name.
const CLEAN_BYTES: usize = 4 << 20;

/// The names an export removes, ready to be looked for.
#[derive(Debug, Default)]
pub struct Names {
    /// Folded name word → whose it is and the full name.
    words: HashMap<String, (NameOf, String)>,
    shortest: usize,
    /// Texts already scanned that hold none of the names. Exports repeat
    /// the same texts record after record (a facility, an authority, a
    /// standard reason), and folding every word again was most of the
    /// scan's time (docs/benchmarks.md, section 2); a text found clean
    /// stays clean until a name is added. At most [`CLEAN_BYTES`].
    clean: RefCell<(HashSet<Box<str>>, usize)>,
}

impl Names {
    /// Adds a name whose every word of three letters or more is looked for.
    pub fn add(&mut self, of: NameOf, name: &str) {
        *self.clean.get_mut() = Default::default();
        for (word, _) in crate::text::words(name) {
            let n = word.chars().count();
            if n < MIN_WORD || word.chars().all(|c| c.is_numeric()) {
                continue;
            }
            self.shortest = if self.words.is_empty() {
                n
            } else {
                self.shortest.min(n)
            };
            self.words
                .entry(word)
                .or_insert_with(|| (of, name.trim().to_owned()));
        }
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The name a folded text word of `n` characters matches, if any.
    fn matches(&self, word: &str, n: usize) -> Option<&(NameOf, String)> {
        if let Some(hit) = self.words.get(word) {
            return Some(hit);
        }
        if n <= MIN_PREFIX {
            return None;
        }
        // Inflected forms: the name followed by a short ending, that is
        // the word cut after each of its characters from the
        // `max(n - MAX_SUFFIX, MIN_PREFIX)`-th on, shortest first.
        let first = n.saturating_sub(MAX_SUFFIX).max(MIN_PREFIX);
        word.char_indices()
            .skip(first)
            .find_map(|(cut, _)| self.words.get(&word[..cut]))
    }

    /// Looks for the names in `text` (field `field` of a record) and adds
    /// a [`Hit`] for each match to `hits`.
    pub fn scan(
        &self,
        kind: Kind,
        record_id: Uuid,
        revision: u32,
        field: &str,
        text: &str,
        hits: &mut Vec<Hit>,
    ) {
        if self.words.is_empty() || text.len() < self.shortest {
            return;
        }
        if self.clean.borrow().0.contains(text) {
            return;
        }
        let found = hits.len();
        crate::text::fold::each_word(text, |word, range| {
            let n = if word.is_ascii() {
                word.len()
            } else {
                word.chars().count()
            };
            if n < MIN_WORD {
                return;
            }
            let Some((of, name)) = self.matches(word, n) else {
                return;
            };
            let mut h = Sha256::new();
            for part in [
                kind.as_str(),
                &record_id.to_string(),
                &revision.to_string(),
                field,
                word,
                &range.start.to_string(),
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            hits.push(Hit {
                id: hex::encode(&h.finalize()[..8]),
                kind,
                record_id,
                field: field.to_owned(),
                name_of: *of,
                name: name.clone(),
                before: tail_chars(&text[..range.start], CONTEXT),
                matched: text[range.clone()].to_owned(),
                after: head_chars(&text[range.end..], CONTEXT),
            });
        });
        let mut clean = self.clean.borrow_mut();
        if hits.len() == found && clean.1 + text.len() <= CLEAN_BYTES {
            clean.1 += text.len();
            clean.0.insert(text.into());
        }
    }
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    let mut out: String = s.chars().skip(count.saturating_sub(n)).collect();
    if count > n {
        out.insert(0, '…');
    }
    out
}

fn head_chars(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn names() -> Names {
        let mut n = Names::default();
        n.add(NameOf::Client, "Əli Həsənov");
        n.add(NameOf::Witness, "Иван Петров");
        n.add(NameOf::Contact, "Səkinə Qasımlı");
        n
    }

    fn hits(text: &str) -> Vec<String> {
        let mut out = vec![];
        names().scan(
            Kind::Incident,
            Uuid::nil(),
            1,
            "reason_given",
            text,
            &mut out,
        );
        out.into_iter().map(|h| h.matched).collect()
    }

    #[test]
    fn finds_names_whatever_the_case_marks_or_normal_form() {
        assert_eq!(hits("Müstəntiq HƏSƏNOV-un anasına dedi"), ["HƏSƏNOV"]);
        assert_eq!(hits("hesenov"), ["hesenov"]);
        assert_eq!(hits("QASIMLI Səkinə gəldi"), ["QASIMLI", "Səkinə"]);
        let nfd: String = "Qasımlı".nfd().collect();
        assert_eq!(hits(&nfd), vec![nfd]);
    }

    #[test]
    fn finds_inflected_names_in_both_languages() {
        assert_eq!(hits("Следователь сказал Петрову"), ["Петрову"]);
        assert_eq!(hits("с Петровым"), ["Петровым"]);
        assert_eq!(hits("Həsənovun vəkili"), ["Həsənovun"]);
    }

    #[test]
    fn leaves_other_words_alone() {
        assert!(hits("Petrovsky district court; Əliyev; 2025").is_empty());
        assert!(hits("Müstəntiq icazə vermədi").is_empty());
        // A short name word matches only whole words.
        assert_eq!(hits("Əli gəldi, əlimizdə heç nə yox"), ["Əli"]);
    }

    #[test]
    fn shows_the_hit_in_context_and_ids_are_stable() {
        let mut a = vec![];
        let text = "Qapıda Həsənov gözləyirdi";
        names().scan(Kind::Incident, Uuid::nil(), 2, "notes", text, &mut a);
        let h = &a[0];
        assert_eq!(
            (h.before.as_str(), h.after.as_str()),
            ("Qapıda ", " gözləyirdi")
        );
        assert_eq!(h.name, "Əli Həsənov");
        assert_eq!(h.name_of, NameOf::Client);
        let mut b = vec![];
        names().scan(Kind::Incident, Uuid::nil(), 2, "notes", text, &mut b);
        assert_eq!(a[0].id, b[0].id);
        let mut c = vec![];
        names().scan(Kind::Incident, Uuid::nil(), 3, "notes", text, &mut c);
        assert_ne!(a[0].id, c[0].id, "a new revision needs a new confirmation");
    }

    /// A text is looked at again as often as it leaves: one with a name
    /// is found every time, and one found clean is looked at again once
    /// a name is added.
    #[test]
    fn texts_seen_before_are_judged_as_the_first_time() {
        let mut n = names();
        let scan = |n: &Names, text: &str| {
            let mut out = vec![];
            n.scan(
                Kind::Incident,
                Uuid::nil(),
                1,
                "reason_given",
                text,
                &mut out,
            );
            out.into_iter().map(|h| h.matched).collect::<Vec<_>>()
        };
        let named = "Qapıda Həsənov gözləyirdi";
        let clean = "Qapıda Rüstəmov gözləyirdi; у ворот ждал Петрову";
        assert_eq!(scan(&n, named), ["Həsənov"]);
        assert_eq!(scan(&n, named), ["Həsənov"]);
        assert_eq!(scan(&n, clean), ["Петрову"]);
        let clean = "Qapıda Rüstəmov gözləyirdi";
        assert!(scan(&n, clean).is_empty());
        assert!(scan(&n, clean).is_empty());
        n.add(NameOf::Witness, "Fuad Rüstəmov");
        assert_eq!(scan(&n, clean), ["Rüstəmov"]);
    }
}
