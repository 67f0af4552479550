//! Folding text for matching: one lower-case, mark-free form per word.
//!
//! The rules, in order, for each character of the NFC form:
//!
//! - Azerbaijani dotted and dotless i are one letter for matching: `İ`,
//!   `I`, `ı` and `i` all fold to `i`. Turkic case rules would map `I` to
//!   `ı`, but people type Azerbaijani names on keyboards without `ı` and
//!   `ə`, so the folded form must not depend on which key was at hand.
//! - `ə`/`Ə` fold to `e` (the usual keyboard substitute, as in "Memmedov").
//! - Cyrillic `ё` folds to `е`; `й` stays `й` (it is a different letter,
//!   not `и` with a mark).
//! - Every other letter is decomposed (NFD), its combining marks dropped,
//!   and lower-cased: `ş`→`s`, `ç`→`c`, `ğ`→`g`, `ö`→`o`, `ü`→`u`.
//!
//! Text typed in NFD (as macOS and some phones send it) is composed first,
//! so it folds exactly like its NFC twin. Everything that is not a letter
//! or a digit separates words.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Appends the folded form of one character (of NFC text) to `out`.
pub fn fold_char(c: char, out: &mut String) {
    match c {
        'İ' | 'I' | 'ı' | 'i' => out.push('i'),
        'Ə' | 'ə' => out.push('e'),
        'Ё' | 'ё' => out.push('е'),
        'Й' | 'й' => out.push('й'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        // Basic Russian letters have no marks to drop: lower-case only
        // (А–Я are 0x20 below а–я), without the Unicode tables.
        'А'..='Я' => out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
        'а'..='я' => out.push(c),
        c => decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.extend(d.to_lowercase());
            }
        }),
    }
}

/// The folded form of `text`: lower-case, without marks, with Azerbaijani
/// i/ı/İ and ə/e and Russian ё/е made alike. Separators are kept as they
/// are, so offsets into the folded text still show word boundaries.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        fold_char(c, &mut out);
    }
    out
}

/// The folded words of `text`, with the byte range each word occupies in
/// `text` itself, so a match can be shown (and highlighted) in the words
/// the lawyer typed.
pub fn words(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = vec![];
    each_word(text, |word, range| out.push((word.to_owned(), range)));
    out
}

/// [`words`] one at a time, without a `String` per word: `each` gets the
/// folded word in a buffer reused for the next one. For work over every
/// text of a large export (the re-identification check), where
/// allocating each word cost more than looking it up.
pub fn each_word(text: &str, mut each: impl FnMut(&str, std::ops::Range<usize>)) {
    let mut folded = String::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        // Combining marks belong to the word they follow, whatever the
        // normalisation form of the input.
        if in_word(c) || (is_combining_mark(c) && start.is_some()) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            fold_word(&text[s..i], &mut folded);
            each(&folded, s..i);
        }
    }
    if let Some(s) = start {
        fold_word(&text[s..], &mut folded);
        each(&folded, s..text.len());
    }
}

/// `char::is_alphanumeric`, answered without the Unicode tables for
/// ASCII and basic Russian letters, most of what a lawyer types.
fn in_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        matches!(c, 'А'..='я') || c.is_alphanumeric()
    }
}

/// Replaces `out` with the folded form of one word. Composing (NFC) is
/// skipped where it changes nothing: ASCII, or text the quick check
/// proves is already composed.
fn fold_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    if unicode_normalization::is_nfc_quick(word.chars()) == unicode_normalization::IsNormalized::Yes
    {
        for c in word.chars() {
            fold_char(c, out);
        }
    } else {
        for c in word.nfc() {
            fold_char(c, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azerbaijani_letters_fold_to_their_keyboard_substitutes() {
        assert_eq!(fold("QASIMLI"), fold("Qasımlı"));
        assert_eq!(fold("İbrahimov"), "ibrahimov");
        assert_eq!(fold("Məmmədov"), "memmedov");
        assert_eq!(
            fold("Rəşad Şükürov Ağcabədi Gəncə Çələbi Öküz"),
            "resad sukurov agcabedi gence celebi okuz"
        );
    }

    #[test]
    fn russian_yo_folds_but_short_i_stays() {
        assert_eq!(fold("Журавлёв"), fold("ЖУРАВЛЕВ"));
        assert_ne!(fold("Сергей"), fold("Сергеи"));
    }

    #[test]
    fn russian_letters_fold_as_the_unicode_tables_say() {
        for c in 'А'..='я' {
            if matches!(c, 'Й' | 'й') {
                continue;
            }
            let mut table = String::new();
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    table.extend(d.to_lowercase());
                }
            });
            let mut fast = String::new();
            fold_char(c, &mut fast);
            assert_eq!(fast, table, "{c}");
            assert_eq!(in_word(c), c.is_alphanumeric(), "{c}");
        }
    }

    #[test]
    fn decomposed_text_folds_like_composed() {
        let nfd: String = "Qasımlı Rəşid Şəki".nfd().collect();
        assert_ne!(nfd, "Qasımlı Rəşid Şəki");
        assert_eq!(fold(&nfd), fold("Qasımlı Rəşid Şəki"));
        let w: Vec<String> = words(&nfd).into_iter().map(|(w, _)| w).collect();
        assert_eq!(w, ["qasimli", "resid", "seki"]);
    }

    proptest::proptest! {
        /// Each word, folded one at a time in a reused buffer (composing
        /// skipped where it changes nothing), folds exactly as the whole
        /// word does through `fold`.
        #[test]
        fn each_word_folds_like_fold(text in "([a-zA-Z0-9 ,.;İIıiƏəŞşĞğÇçÖöÜüЁёЙйЖжПетровА-я\u{0300}\u{0301}\u{0307}\u{0308}\u{0327}\u{212B}\u{2126}\u{1E9B}-]{0,12}){0,6}") {
            for (word, range) in words(&text) {
                proptest::prop_assert_eq!(&word, &fold(&text[range.clone()]));
                proptest::prop_assert!(!word.is_empty());
            }
        }
    }

    #[test]
    fn word_ranges_point_into_the_original_text() {
        let text = "Müstəntiq, «Həsənov» dedi.";
        let w = words(text);
        assert_eq!(w.len(), 3);
        assert_eq!(&text[w[1].1.clone()], "Həsənov");
        assert_eq!(w[1].0, "hesenov");
    }
}
