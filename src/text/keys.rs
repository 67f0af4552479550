//! Match keys of a text: for each word, where it is in the original text,
//! its folded form, its sound key and the concepts it expresses (alone or
//! as part of a phrase). Search indexes these beside the original text and
//! derives a query's keys the same way; highlighting marks the original
//! words whose keys matched.

use super::fold::words;
use super::translit::sound_keys;
use super::vocabulary;
use std::collections::HashMap;
use std::ops::Range;

/// Prefix of a concept's token in the index: a private-use character,
/// which FTS5's unicode61 tokenizer keeps inside a token but which is not
/// a letter to [`super::fold::words`], so no word the lawyer types (or
/// types into the search box) can produce or prefix-match a concept token.
pub const CONCEPT_PREFIX: &str = "\u{e000}";

/// One word of a text and the keys it matches by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordKeys {
    /// Where the word is in the original text (bytes).
    pub range: Range<usize>,
    /// Its folded form ([`super::fold`]).
    pub folded: String,
    /// Its sound keys ([`super::translit::sound_keys`]): one, or two for
    /// a Latin word that may be a passport spelling.
    pub keys: Vec<String>,
    /// The concepts it expresses, alone or within a phrase
    /// ([`super::vocabulary`]).
    pub concepts: Vec<&'static str>,
}

impl WordKeys {
    /// The index tokens of this word: the folded form, the sound keys
    /// that differ from it, and one token per concept.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.folded.clone())
            .chain(
                self.keys
                    .iter()
                    .filter(|k| !k.is_empty() && **k != self.folded)
                    .cloned(),
            )
            .chain(self.concepts.iter().map(|c| concept_token(c)))
    }
}

/// The index token of a concept.
pub fn concept_token(concept: &str) -> String {
    format!("{CONCEPT_PREFIX}{concept}")
}

/// The words of `text` with their keys. Words in a phrase also carry the
/// phrase's concept, so "Bakı İstintaq Təcridxanası" matches "СИЗО".
pub fn keyed_words(text: &str) -> Vec<WordKeys> {
    KeyCache::default().keyed_words(text)
}

/// Sound keys and concepts of words already seen, for work over many
/// texts that share words (the hits of one search, the records of one
/// import). A word's keys depend on the word alone, so a cached answer is
/// the one [`keyed_words`] would compute.
#[derive(Default)]
pub struct KeyCache(HashMap<String, (Vec<String>, Vec<&'static str>)>);

/// Most distinct words a [`KeyCache`] holds; past it, it starts again
/// empty, so that a long import's memory does not grow with its text.
const KEY_CACHE_WORDS: usize = 50_000;

impl KeyCache {
    /// [`keyed_words`], looking each word up before working out its keys.
    pub fn keyed_words(&mut self, text: &str) -> Vec<WordKeys> {
        let mut out: Vec<WordKeys> = words(text)
            .into_iter()
            .map(|(folded, range)| {
                let word = &text[range.clone()];
                let (keys, concepts) = match self.0.get(word) {
                    Some(known) => known.clone(),
                    None => {
                        let found = keys_of(word);
                        if self.0.len() >= KEY_CACHE_WORDS {
                            self.0.clear();
                        }
                        self.0.insert(word.to_owned(), found.clone());
                        found
                    }
                };
                WordKeys {
                    range,
                    folded,
                    keys,
                    concepts,
                }
            })
            .collect();
        add_phrases(&mut out);
        out
    }
}

fn add_phrases(out: &mut [WordKeys]) {
    let concepts: Vec<Vec<&'static str>> = out.iter().map(|w| w.concepts.clone()).collect();
    for (range, concept) in vocabulary::phrases(&concepts) {
        for w in &mut out[range] {
            if !w.concepts.contains(&concept) {
                w.concepts.push(concept);
            }
        }
    }
}

/// The sound keys of one word and the concepts they express.
fn keys_of(word: &str) -> (Vec<String>, Vec<&'static str>) {
    let keys = sound_keys(word);
    let mut concepts = vec![];
    for k in &keys {
        for c in vocabulary::concepts(k) {
            if !concepts.contains(&c) {
                concepts.push(c);
            }
        }
    }
    (keys, concepts)
}

/// The words of `text` with their keys, each word on its own (no phrases).
pub fn single_words(text: &str) -> Vec<WordKeys> {
    words(text)
        .into_iter()
        .map(|(folded, range)| {
            let (keys, concepts) = keys_of(&text[range.clone()]);
            WordKeys {
                range,
                folded,
                keys,
                concepts,
            }
        })
        .collect()
}

/// The identity key of a short name (a facility's, a region's): two names
/// are one place exactly when their keys are equal. Built from the same
/// keys search matches by, so what search calls one name is one name here:
/// a phrase naming a concept ("İstintaq Təcridxanası", "следственный
/// изолятор") and a word that names one alone ("СИЗО", "Bakı",
/// "Бакинский") count as that concept; any other word as its sound key
/// ("Kürdəxanı", "Kurdakhany" and "Кюрдаханы" are `kurdakani`, in any
/// case and Unicode form); words like "No." or "saylı" are left out when
/// others remain; and the order of the words does not count ("1 saylı
/// İstintaq Təcridxanası" = "СИЗО № 1"). Empty when the name has no
/// letters or digits.
pub fn name_key(text: &str) -> String {
    let words = single_words(text);
    let concepts: Vec<Vec<&'static str>> = words.iter().map(|w| w.concepts.clone()).collect();
    let phrases = vocabulary::phrases(&concepts);
    let only_stopwords = words.iter().all(|w| vocabulary::is_stopword(&w.folded));
    let mut tokens: Vec<String> = vec![];
    let mut i = 0;
    while i < words.len() {
        if let Some((range, concept)) = phrases.iter().find(|(r, _)| r.start == i) {
            tokens.push(concept_token(concept));
            i = range.end;
            continue;
        }
        let w = &words[i];
        i += 1;
        if !only_stopwords && vocabulary::is_stopword(&w.folded) {
            continue;
        }
        tokens.push(match w.concepts.as_slice() {
            [one] => concept_token(one),
            _ => w
                .keys
                .first()
                .filter(|k| !k.is_empty())
                .cloned()
                .unwrap_or_else(|| w.folded.clone()),
        });
    }
    tokens.sort();
    tokens.join(" ")
}

/// The index text of `text`: every word's tokens, separated by spaces.
pub fn index_text(text: &str, out: &mut String) {
    index_text_with(text, out, &mut KeyCache::default());
}

/// [`index_text`] with the keys of words seen before taken from `cache`
/// (many saves in one transaction share most of their words).
pub fn index_text_with(text: &str, out: &mut String, cache: &mut KeyCache) {
    for w in cache.keyed_words(text) {
        for t in w.tokens() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The index text of each of many texts is the same whether the
        /// keys of their words come from one shared cache (an import's
        /// writes) or are worked out afresh: caching changes no search.
        #[test]
        fn a_shared_cache_indexes_every_text_as_a_fresh_one_does(
            texts in prop::collection::vec(
                "(Bakı|İstintaq|Təcridxanası|Şəki|Məmmədov|Мамедов|СИЗО|Следователь|Kürdəxanı|\
                  Ka\u{0308}rim|I\u{0307}smayıl|ISMAYIL|[a-zəışçğöüA-ZƏİŞÇĞÖÜ\u{0430}-\u{044f}\u{0301}0-9]{1,8}|[ ,.;-]){0,12}",
                1..12,
            ),
        ) {
            let mut cache = KeyCache::default();
            for t in &texts {
                let (mut shared, mut fresh) = (String::new(), String::new());
                index_text_with(t, &mut shared, &mut cache);
                index_text(t, &mut fresh);
                prop_assert_eq!(shared, fresh, "{:?}", t);
            }
        }
    }

    #[test]
    fn words_keep_their_place_in_the_original() {
        let text = "Bakı İstintaq Təcridxanası, kamera 5";
        let w = keyed_words(text);
        assert_eq!(w.len(), 5);
        assert_eq!(&text[w[1].range.clone()], "İstintaq");
        assert_eq!(w[0].folded, "baki");
        assert_eq!(w[0].concepts, ["baku"]);
        assert_eq!(w[1].concepts, ["investigation", "sizo"]);
        assert_eq!(w[2].concepts, ["isolator", "sizo"]);
        assert!(w[3].concepts.is_empty());
        assert_eq!(w[4].keys, ["5"]);
    }

    #[test]
    fn index_text_holds_folded_words_keys_and_concepts() {
        let mut s = String::new();
        index_text("Məmmədov, Кюрдаханы", &mut s);
        assert_eq!(s, "memmedov mamadov кюрдаханы kurdakani");
        let mut s = String::new();
        index_text("Baku", &mut s);
        assert_eq!(s, "baku \u{e000}baku");
    }
}
