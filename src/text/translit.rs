//! Sound keys: one spelling-independent form per word, so that a name
//! written in Azerbaijani Latin, Russian Cyrillic or an English
//! transliteration is the same word to search.
//!
//! "Məmmədov", "Mammadov", "Mamedov" and "Мамедов" all become `mamadov`;
//! "Kürdəxanı", "Kurdakhany" and "Кюрдаханы" all become `kurdakani`. A
//! key is built in three steps (the tables and their sources are in
//! `docs/design/search.md`):
//!
//! 1. **Letters to sounds.** Cyrillic letters are read by the official
//!    Azerbaijani Cyrillic↔Latin correspondence for the letters Azerbaijani
//!    has (ә ғ ҝ һ ҹ ө ү ј, and г = q, х = x, ч = ç, ш = ş, ж = j,
//!    ы = ı) and by BGN/PCGN and GOST 7.79 for the rest of Russian
//!    (я = ya, ю = yu, ц = ts, щ = shch, ь and ъ silent). Latin digraphs of
//!    English spellings (BGN/PCGN, passports, the press) are read as one
//!    sound: sh = ş, ch = ç, zh = j, kh = x, gh = ğ, dzh/dj = c. A word that
//!    holds a letter only Azerbaijani writes (ə ı ş ç ğ ö ü q x) is taken
//!    as Azerbaijani and its "sh" stays s + h ("İshaq").
//! 2. **The letter y.** Russian and English write a softening y that
//!    Azerbaijani does not: it is dropped after a consonant before a vowel
//!    (Кюрдаханы, Гянджа, Ляман), between vowels (Aliyev/Алиев, Rzayev/
//!    Рзаев), after i (Георгий/Georgi) and before an initial e (Yevlax/
//!    Евлах). Elsewhere it is the vowel i (Kurdakhany, Bayram = Bairam,
//!    Sergey = Sergei); only a y starting a word stays (Yaşar).
//! 3. **Classes.** What the spellings disagree on becomes one letter:
//!    the vowels a/e/ə (Məmmədov = Mamedov = Mammadov), i/ı/y, o/ö and
//!    u/ü; the back consonants k/q/g/ğ/h/x (Qasımlı = Gasimli = Касимли,
//!    Həsənov = Гасанов, Xəlilov = Khalilov); c/ç/j (Cavid = Javid =
//!    Джавид, Elçin = Elchin); s/ş; w/v. A doubled consonant is written
//!    once.
//!
//! The price of step 3 is that some different words share a key (Emin and
//! Amin, həkim and hakim); the near-miss list in `tests/search.rs` keeps
//! the distinctions a lawyer relies on. A key is itself a word whose key
//! is the same (the key alphabet is a-z without e, g, h, j, q, w, x), so
//! keys and folded words can share one index column.

use super::fold::fold_char;
use unicode_normalization::UnicodeNormalization;

/// Letters only Azerbaijani Latin writes (lower and upper case): a word
/// holding one of them is Azerbaijani, whose "sh", "kh"… are two sounds.
const AZ_ONLY: &[char] = &[
    'ə', 'ı', 'ş', 'ç', 'ğ', 'ö', 'ü', 'q', 'x', 'Ə', 'İ', 'Ş', 'Ç', 'Ğ', 'Ö', 'Ü', 'Q', 'X',
];

/// The sound key of one word (any case, any normalisation form).
pub fn sound_key(word: &str) -> String {
    let (chars, azerbaijani) = lower(word);
    classes(&sounds(&chars, azerbaijani))
}

/// The sound keys of one word: its [`sound_key`] and, for a Latin word
/// that may be a passport spelling, a second one. ICAO Doc 9303 (Russian
/// passports since 2015) writes я and ю as IA and IU: "KIURDAKHANY",
/// "GIULNARA", "LIAMAN". Reading every "ia" that way would break Zia or
/// Maria, so such a word gets both readings: i as a vowel, and i as the
/// softening y (then dropped like the y of Kyurdakhany).
pub fn sound_keys(word: &str) -> Vec<String> {
    let (chars, azerbaijani) = lower(word);
    let sounds = sounds(&chars, azerbaijani);
    let mut keys = vec![classes(&sounds)];
    let latin = chars.iter().all(|c| !('\u{0400}'..='\u{04ff}').contains(c));
    if !azerbaijani && latin {
        let mut soft = sounds.clone();
        let mut changed = false;
        for i in 1..soft.len().saturating_sub(1) {
            let after_consonant =
                soft[i - 1].is_ascii_alphabetic() && !is_vowel(soft[i - 1]) && soft[i - 1] != 'y';
            if soft[i] == 'i' && after_consonant && matches!(soft[i + 1], 'a' | 'u') {
                soft[i] = 'y';
                changed = true;
            }
        }
        if changed {
            let k = classes(&soft);
            if k != keys[0] {
                keys.push(k);
            }
        }
    }
    keys
}

/// Whether matching a word by its sound keys alone could miss a record
/// that its folded form matches, so a query must also try the folded
/// form: when the folded form holds an English digraph (one sound or two
/// depending on letters that folding removed: "Eshab" and "Əshab" fold
/// alike but are read differently), or, for a word still being typed
/// (`prefix`), when its key may change with the next letter (a last
/// letter that can start a digraph, or a y). Otherwise the keys cover the
/// folded form, and leaving it out spares FTS5 a second prefix doclist.
pub fn folded_adds_matches(folded: &str, prefix: bool) -> bool {
    const DIGRAPHS: [&str; 6] = ["sh", "ch", "zh", "kh", "gh", "dj"];
    if DIGRAPHS.iter().any(|d| folded.contains(d)) {
        return true;
    }
    prefix
        && folded
            .chars()
            .last()
            .is_some_and(|c| matches!(c, 's' | 'c' | 'z' | 'k' | 'g' | 'd' | 't' | 'y' | 'й' | 'д'))
}

/// The word in lower case (İ and I as i), and whether it holds a letter
/// only Azerbaijani writes.
fn lower(word: &str) -> (Vec<char>, bool) {
    let mut chars: Vec<char> = Vec::with_capacity(word.len());
    let mut azerbaijani = false;
    for c in word.nfc() {
        azerbaijani |= AZ_ONLY.contains(&c);
        match c {
            // Azerbaijani dotted and dotless capitals; I→ı would make every
            // English capital Azerbaijani, and both fold to i anyway.
            'İ' | 'I' => chars.push('i'),
            c => chars.extend(c.to_lowercase()),
        }
    }
    (chars, azerbaijani)
}

/// Step 1: letters (lower case) to sounds, written in Azerbaijani Latin
/// letters plus `y` and `ts`.
fn sounds(s: &[char], azerbaijani: bool) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len() + 4);
    let mut i = 0;
    while i < s.len() {
        let at = |k: usize| s.get(i + k).copied();
        if !azerbaijani {
            let digraph = match (s[i], at(1), at(2), at(3)) {
                ('s', Some('h'), Some('c'), Some('h')) => Some(('ş', 4)),
                ('d', Some('z'), Some('h'), _) | ('t', Some('c'), Some('h'), _) => Some(('c', 3)),
                ('d', Some('j'), _, _) => Some(('c', 2)),
                ('s', Some('h'), _, _) => Some(('ş', 2)),
                ('c', Some('h'), _, _) => Some(('ç', 2)),
                ('z', Some('h'), _, _) => Some(('j', 2)),
                ('k', Some('h'), _, _) => Some(('x', 2)),
                ('g', Some('h'), _, _) => Some(('ğ', 2)),
                _ => None,
            };
            if let Some((sound, len)) = digraph {
                out.push(sound);
                i += len;
                continue;
            }
        }
        if s[i] == 'д' && at(1) == Some('ж') {
            out.push('c');
            i += 2;
            continue;
        }
        match cyrillic(s[i]) {
            Some(latin) => out.extend(latin.chars()),
            None if s[i].is_ascii() => out.push(s[i]),
            // Any other letter loses its marks first (é → e, ӑ → а), so
            // that a key is made of plain letters only.
            None => {
                let mut folded = String::new();
                fold_char(s[i], &mut folded);
                for f in folded.chars() {
                    match cyrillic(f) {
                        Some(latin) => out.extend(latin.chars()),
                        None => out.push(f),
                    }
                }
            }
        }
        i += 1;
    }
    out
}

/// One Cyrillic letter (lower case, or its ISO 9 Latin form where that
/// would fold wrongly) in Azerbaijani Latin letters, or `None` for
/// anything else.
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "q",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "j",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "x",
        'ц' => "ts",
        'ч' => "ç",
        'ш' | 'щ' => "ş",
        'ъ' | 'ь' => "",
        'ы' => "ı",
        'ю' => "yu",
        'я' => "ya",
        // Azerbaijani Cyrillic (1958–1991), official correspondence.
        'ә' => "ə",
        'ғ' => "ğ",
        'ҝ' => "g",
        'һ' => "h",
        'ҹ' => "c",
        'ө' => "ö",
        'ү' => "ü",
        'ј' => "y",
        'қ' => "q",
        // ISO 9 / GOST 7.79 A write ж as ž (which would fold to z) and
        // the soft and hard signs as primes.
        'ž' => "j",
        'ʹ' | 'ʺ' => "",
        // Ukrainian and Belarusian letters seen in names.
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ў' => "u",
        _ => return None,
    })
}

/// The class of one sound: a vowel (`a`, `i`, `o`, `u`) or a consonant.
fn class(c: char) -> char {
    match c {
        'a' | 'e' | 'ə' => 'a',
        'i' | 'ı' => 'i',
        'o' | 'ö' => 'o',
        'u' | 'ü' => 'u',
        'k' | 'q' | 'g' | 'ğ' | 'h' | 'x' => 'k',
        'c' | 'ç' | 'j' => 'c',
        's' | 'ş' => 's',
        'w' => 'v',
        c => c,
    }
}

fn is_vowel(c: char) -> bool {
    matches!(class(c), 'a' | 'i' | 'o' | 'u')
}

/// Steps 2 and 3: the letter y, classes, doubled consonants.
fn classes(s: &[char]) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for (i, &c) in s.iter().enumerate() {
        if c == 'y' {
            let next = s.get(i + 1).copied();
            let vowel_next = next.is_some_and(is_vowel);
            match out.last() {
                Some('i') => {}
                None if next == Some('e') => {}
                None => out.push('y'),
                Some(_) if vowel_next => {}
                Some(_) => out.push('i'),
            }
            continue;
        }
        let k = class(c);
        let doubled = out.last() == Some(&k) && !is_vowel(k);
        if !doubled {
            out.push(k);
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(spellings: &[&str]) {
        let first = sound_key(spellings[0]);
        for s in spellings {
            assert_eq!(sound_key(s), first, "{s:?} vs {:?}", spellings[0]);
        }
    }

    #[test]
    fn the_issue_families_share_a_key() {
        same(&["Məmmədov", "Mammadov", "Mamedov", "Мамедов", "Memmedov"]);
        same(&[
            "Kürdəxanı",
            "Kurdakhany",
            "Кюрдаханы",
            "Kurdexani",
            "Kyurdakhany",
        ]);
        same(&[
            "Qasımlı",
            "Gasimli",
            "Касимли",
            "QASIMLI",
            "Гасымлы",
            "Qasymly",
        ]);
        same(&["Rəşid", "Rashid", "Рашид", "Resid"]);
        same(&["Журавлёв", "журавлев", "Zhuravlev", "Žuravlëv"]);
        assert_eq!(sound_key("Məmmədov"), "mamadov");
        assert_eq!(sound_key("Kürdəxanı"), "kurdakani");
    }

    #[test]
    fn the_letter_y_follows_the_rules() {
        same(&["Əliyev", "Aliyev", "Алиев", "Aliev"]);
        same(&["Rzayev", "Рзаев", "Rzaev"]);
        same(&["Hüseynov", "Гусейнов", "Huseinov"]);
        same(&["Bayramov", "Bairamov", "Байрамов"]);
        same(&["Yevlax", "Евлах", "Yevlakh"]);
        same(&["Ləman", "Ляман", "Lyaman"]);
        same(&["Gəncə", "Ganja", "Гянджа", "Gyandzha"]);
        same(&["Сергей", "Sergei", "Sergey"]);
        same(&["Георгий", "Georgiy", "Georgy"]);
        assert_eq!(sound_key("Yaşar"), "yasar");
        assert_eq!(sound_key("Яшар"), "yasar");
    }

    #[test]
    fn azerbaijani_words_keep_their_letter_pairs() {
        // q marks İshaq as Azerbaijani: s + h, as Исхак writes it.
        same(&["İshaq", "Исхак", "Iskhak"]);
        same(&["Şahin", "Shahin", "Шахин"]);
    }

    #[test]
    fn passport_spellings_get_a_second_key() {
        for (passport, name) in [
            ("KIURDAKHANY", "Kürdəxanı"),
            ("GIULNARA", "Gülnarə"),
            ("LIAMAN", "Ləman"),
            ("GIANDZHA", "Gəncə"),
        ] {
            assert!(
                sound_keys(passport).contains(&sound_key(name)),
                "{passport} {:?} vs {name}",
                sound_keys(passport)
            );
        }
        // The plain reading stays, so Zia still finds Ziya.
        assert!(sound_keys("Zia").contains(&sound_key("Ziya")));
        assert_eq!(sound_keys("Ziya"), [sound_key("Ziya")]);
        assert_eq!(sound_keys("Кюрдаханы"), ["kurdakani"]);
        assert_eq!(sound_keys("Qasımlı"), ["kasimli"]);
    }

    #[test]
    fn different_names_keep_different_keys() {
        for (a, b) in [
            ("Həsənov", "Hüseynov"),
            ("Əliyev", "Əlizadə"),
            ("Rəşid", "Rəşad"),
            ("Qasım", "Kazım"),
            ("Aydın", "Aydan"),
        ] {
            assert_ne!(sound_key(a), sound_key(b), "{a} vs {b}");
        }
    }

    proptest! {
        /// When the folded form is left out of a query, the keys still find
        /// every word it would have found: the same word, and (while typing)
        /// any longer word it starts.
        #[test]
        fn keys_cover_the_folded_form_when_it_is_left_out(
            w in "[a-zA-Zəışçğöü\u{0430}-\u{044f}]{1,8}",
            rest in "[a-zəışçğöü\u{0430}-\u{044f}]{0,6}",
        ) {
            let folded = crate::text::fold(&w);
            if !folded_adds_matches(&folded, false) {
                let twin = folded.clone();
                if !folded_adds_matches(&twin, false) {
                    prop_assert!(sound_keys(&twin).iter().any(|k| sound_keys(&w).contains(k)));
                }
            }
            if !folded_adds_matches(&folded, true) {
                let longer = format!("{w}{rest}");
                let keys = sound_keys(&longer);
                prop_assert!(
                    sound_keys(&w).iter().any(|k| keys.iter().any(|l| l.starts_with(k.as_str()))),
                    "{:?} {:?} vs {:?} {:?}", w, sound_keys(&w), longer, keys
                );
            }
        }

        /// A key is its own key, so keys and folded words can share one
        /// index column without a key matching an unrelated word.
        #[test]
        fn a_key_is_its_own_key(w in "[a-zA-Zəışçğöüİ\u{0400}-\u{04ff}]{1,12}") {
            let k = sound_key(&w);
            prop_assert_eq!(sound_key(&k), k);
        }

        /// The normalisation form a name was typed in changes nothing.
        #[test]
        fn nfd_and_nfc_share_a_key(w in "[a-zəışçğöüİÖÜŞÇĞƏ\u{0400}-\u{04ff}]{1,12}") {
            let nfd: String = w.nfd().collect();
            prop_assert_eq!(sound_key(&nfd), sound_key(&w));
        }

        /// Capitals change nothing for English and Russian spellings.
        #[test]
        fn case_changes_nothing(w in "[a-z\u{0430}-\u{044f}]{1,12}") {
            prop_assert_eq!(sound_key(&w.to_uppercase()), sound_key(&w));
        }
    }
}
