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
    let mut current = String::new();
    let mut start = None;
    let mut buf = String::new();
    for (i, c) in text.char_indices() {
        // Combining marks belong to the word they follow, whatever the
        // normalisation form of the input.
        if c.is_alphanumeric() || (is_combining_mark(c) && start.is_some()) {
            start.get_or_insert(i);
            buf.push(c);
            continue;
        }
        if let Some(s) = start.take() {
            current.clear();
            for n in buf.nfc() {
                fold_char(n, &mut current);
            }
            out.push((std::mem::take(&mut current), s..i));
            buf.clear();
        }
    }
    if let Some(s) = start {
        for n in buf.nfc() {
            fold_char(n, &mut current);
        }
        out.push((current, s..text.len()));
    }
    out
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
    fn decomposed_text_folds_like_composed() {
        let nfd: String = "Qasımlı Rəşid Şəki".nfd().collect();
        assert_ne!(nfd, "Qasımlı Rəşid Şəki");
        assert_eq!(fold(&nfd), fold("Qasımlı Rəşid Şəki"));
        let w: Vec<String> = words(&nfd).into_iter().map(|(w, _)| w).collect();
        assert_eq!(w, ["qasimli", "resid", "seki"]);
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
