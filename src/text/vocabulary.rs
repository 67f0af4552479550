//! Words that are translated rather than transliterated: the names of
//! courts, detention centres and agencies, and the Russian and English
//! names of Azerbaijani places that are not spelt like the Azerbaijani
//! ones (Баку for Bakı, Ленкорань for Lənkəran, Бакинский for "of Bakı").
//!
//! Each entry is a *concept* with the stems that express it in Azerbaijani,
//! Russian and English. A word expresses a concept when its sound key is a
//! stem's sound key followed by one of that language's usual endings
//! (Azerbaijani case and possessive suffixes, Russian declension endings,
//! the English plural), so "məhkəməsində", "суда" and "courts" all express
//! `court`. A *phrase* is a run of concepts that names one thing
//! ("istintaq təcridxanası" = "следственный изолятор" = СИЗО).
//!
//! The list is small on purpose: a stem that is also a common name or word
//! ("Ali" of "Ali Məhkəmə", the Supreme Court, is also the name Əli) would
//! make searches for that name find every document with the concept.

use super::translit::sound_key;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Which endings may follow a stem.
#[derive(Clone, Copy)]
enum Endings {
    /// The stem alone.
    None,
    /// Azerbaijani case, possessive and plural suffixes.
    Az,
    /// Russian noun and adjective endings.
    Ru,
    /// The English plural.
    En,
}

use Endings::{Az, En, None as Bare, Ru};

/// Azerbaijani suffixes as sound keys (vowel harmony is already folded:
/// -da/-də are both `da`; the dative -ya/-yə after a vowel loses its y).
const AZ_ENDINGS: &[&str] = &[
    "", "i", "u", "si", "su", "in", "un", "nin", "nun", "ni", "nu", "a", "na", "da", "dan", "nda",
    "ndan", "sinda", "sunda", "sina", "suna", "sindan", "sundan", "sinin", "sunun", "sini", "sunu",
    "lar", "lari", "larin", "lara", "larda", "lardan", "larinda", "larina", "larindan", "larinin",
    "daki",
];

/// Russian noun and adjective endings as sound keys (-ий/-ый are `i`,
/// -ого/-его are `oko`/`ako`, -ая is `aa`…).
const RU_ENDINGS: &[&str] = &[
    "", "a", "u", "i", "om", "am", "ami", "ak", "ov", "ai", "oi", "ia", "iu", "iam", "iami", "iak",
    "aa", "oa", "uu", "oko", "ako", "omu", "amu", "im", "ik", "imi",
];

const EN_ENDINGS: &[&str] = &["", "s"];

/// Concepts: an id and the stems that express it.
const CONCEPTS: &[(&str, &[(&str, Endings)])] = &[
    // Cities and regions whose names differ between the languages.
    ("baku", &[("Bakı", Az), ("Baku", Bare), ("Бакинск", Ru)]),
    ("ganja", &[("Gəncə", Az), ("Гянджинск", Ru)]),
    ("sumgait", &[("Sumqayıt", Az), ("Сумгаитск", Ru)]),
    ("sheki", &[("Şəki", Az), ("Шекинск", Ru)]),
    (
        "lankaran",
        &[("Lənkəran", Az), ("Ленкорань", Ru), ("Ленкоранск", Ru)],
    ),
    (
        "mingachevir",
        &[("Mingəçevir", Az), ("Мингечаур", Ru), ("Мингечаурск", Ru)],
    ),
    (
        "nakhchivan",
        &[("Naxçıvan", Az), ("Нахичевань", Ru), ("Нахичеванск", Ru)],
    ),
    ("shirvan", &[("Şirvan", Az), ("Ширванск", Ru)]),
    ("khirdalan", &[("Xırdalan", Az), ("Хырдаланск", Ru)]),
    (
        "absheron",
        &[("Abşeron", Az), ("Апшерон", Ru), ("Апшеронск", Ru)],
    ),
    // Bakı's districts: Russian calls a district court by an adjective.
    ("binagadi", &[("Binəqədi", Az), ("Бинагадинск", Ru)]),
    (
        "garadagh",
        &[("Qaradağ", Az), ("Карадагск", Ru), ("Гарадагск", Ru)],
    ),
    ("khatai", &[("Xətai", Az), ("Хатаинск", Ru)]),
    ("khazar", &[("Xəzər", Az), ("Хазарск", Ru)]),
    ("yasamal", &[("Yasamal", Az), ("Ясамальск", Ru)]),
    ("narimanov", &[("Nərimanov", Az), ("Наримановск", Ru)]),
    ("nasimi", &[("Nəsimi", Az), ("Насиминск", Ru)]),
    ("nizami", &[("Nizami", Az), ("Низаминск", Ru)]),
    ("pirallahi", &[("Pirallahı", Az), ("Пираллахинск", Ru)]),
    ("sabail", &[("Səbail", Az), ("Сабаильск", Ru)]),
    ("surakhani", &[("Suraxanı", Az), ("Сураханск", Ru)]),
    (
        "sabunchu",
        &[("Sabunçu", Az), ("Сабунчи", Bare), ("Сабунчинск", Ru)],
    ),
    // Courts.
    ("court", &[("məhkəmə", Az), ("суд", Ru), ("court", En)]),
    (
        "appeal",
        &[
            ("apellyasiya", Az),
            ("апелляционн", Ru),
            ("appeal", En),
            ("appellate", Bare),
        ],
    ),
    (
        "grave",
        &[
            ("ağır", Az),
            ("тяжк", Ru),
            ("grave", Bare),
            ("serious", Bare),
        ],
    ),
    (
        "crime",
        &[
            ("cinayət", Az),
            ("преступлен", Ru),
            ("crime", En),
            ("criminal", Bare),
        ],
    ),
    (
        "district",
        &[("rayon", Az), ("район", Ru), ("district", En)],
    ),
    // Investigation and detention.
    (
        "investigation",
        &[
            ("istintaq", Az),
            ("следственн", Ru),
            ("investigative", Bare),
            ("investigation", En),
        ],
    ),
    (
        "investigator",
        &[("müstəntiq", Az), ("следовател", Ru), ("investigator", En)],
    ),
    (
        "isolator",
        &[("təcridxana", Az), ("изолятор", Ru), ("isolator", En)],
    ),
    (
        "temporary",
        &[("müvəqqəti", Az), ("временн", Ru), ("temporary", Bare)],
    ),
    (
        "holding",
        &[("saxlama", Az), ("saxlanma", Az), ("содержани", Ru)],
    ),
    ("detention", &[("detention", Bare)]),
    ("pre", &[("pre", Bare)]),
    ("trial", &[("trial", Bare)]),
    ("pretrial", &[("pretrial", Bare)]),
    (
        "centre",
        &[("centre", En), ("center", En), ("facility", Bare)],
    ),
    (
        "colony",
        &[
            ("koloniya", Az),
            ("колони", Ru),
            ("colony", Bare),
            ("colonies", Bare),
        ],
    ),
    // Agencies.
    (
        "prosecutor",
        &[("prokuror", Az), ("прокурор", Ru), ("prosecutor", En)],
    ),
    ("police", &[("polis", Az), ("полици", Ru), ("police", Bare)]),
    (
        "department",
        &[
            ("şöbə", Az),
            ("отдел", Ru),
            ("отделени", Ru),
            ("department", En),
        ],
    ),
    (
        "state",
        &[("dövlət", Az), ("государственн", Ru), ("state", En)],
    ),
    (
        "security",
        &[
            ("təhlükəsizlik", Az),
            ("təhlükəsizli", Az),
            ("безопасност", Ru),
            ("security", Bare),
        ],
    ),
    ("service", &[("xidmət", Az), ("служб", Ru), ("service", En)]),
    (
        "ministry",
        &[
            ("nazirlik", Az),
            ("nazirli", Az),
            ("министерств", Ru),
            ("ministry", Bare),
            ("ministries", Bare),
        ],
    ),
    // Abbreviations, written as one word; their phrases are below.
    ("sizo", &[("СИЗО", Bare)]),
    ("ivs", &[("ИВС", Bare)]),
    ("dtx", &[("DTX", Bare), ("СГБ", Bare), ("SSS", Bare)]),
];

/// Phrases: runs of concepts (in the order each language writes them)
/// that name what a one-word concept names. The longest match wins.
const PHRASES: &[(&str, &[&str])] = &[
    // istintaq təcridxanası; следственный изолятор; investigative isolator
    ("sizo", &["investigation", "isolator"]),
    ("sizo", &["pre", "trial", "detention", "centre"]),
    ("sizo", &["pre", "trial", "detention"]),
    ("sizo", &["pretrial", "detention", "centre"]),
    ("sizo", &["pretrial", "detention"]),
    // müvəqqəti saxlama təcridxanası; изолятор временного содержания
    ("ivs", &["temporary", "holding", "isolator"]),
    ("ivs", &["isolator", "temporary", "holding"]),
    ("ivs", &["temporary", "detention", "centre"]),
    ("ivs", &["temporary", "detention"]),
    // Dövlət Təhlükəsizlik Xidməti; State Security Service;
    // Служба государственной безопасности
    ("dtx", &["state", "security", "service"]),
    ("dtx", &["service", "state", "security"]),
];

/// Words a query can do without (when it holds others): a lawyer types
/// "Baku Court of Appeal" or "суд по тяжким преступлениям", and the
/// record says "Bakı Apellyasiya Məhkəməsi". Folded forms.
const STOPWORDS: &[&str] = &[
    // English
    "of", "the", "and", "for", "in", "on", "at", "to", "by", "no", // Russian
    "по", "в", "во", "на", "и", "с", "со", "к", "ко", "о", "об", "от", "для", "из", "у", "при",
    "за", "№", // Azerbaijani
    "ve", "ile", "uzre", "ucun", "sayli",
];

/// Whether a folded word is one a query can do without.
pub fn is_stopword(folded: &str) -> bool {
    STOPWORDS.contains(&folded)
}

struct Stem {
    key: String,
    endings: &'static [&'static str],
    concept: &'static str,
}

/// Stems by the first two characters of their key.
fn stems() -> &'static HashMap<String, Vec<Stem>> {
    static STEMS: OnceLock<HashMap<String, Vec<Stem>>> = OnceLock::new();
    STEMS.get_or_init(|| {
        let mut map: HashMap<String, Vec<Stem>> = HashMap::new();
        for (concept, stems) in CONCEPTS {
            for (stem, endings) in *stems {
                let key = sound_key(stem);
                let endings = match endings {
                    Bare => &[""][..],
                    Az => AZ_ENDINGS,
                    Ru => RU_ENDINGS,
                    En => EN_ENDINGS,
                };
                map.entry(key.chars().take(2).collect())
                    .or_default()
                    .push(Stem {
                        key,
                        endings,
                        concept,
                    });
            }
        }
        map
    })
}

/// The concepts a word expresses, given its sound key.
pub fn concepts(key: &str) -> Vec<&'static str> {
    let head: String = key.chars().take(2).collect();
    let mut out = vec![];
    for s in stems().get(&head).into_iter().flatten() {
        if let Some(rest) = key.strip_prefix(s.key.as_str()) {
            if s.endings.contains(&rest) && !out.contains(&s.concept) {
                out.push(s.concept);
            }
        }
    }
    out
}

/// The phrases in a run of words, given each word's concepts: for each
/// match, the range of words it covers and the concept it names. Matches
/// do not overlap; the longest at each position wins.
pub fn phrases(words: &[Vec<&'static str>]) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut out = vec![];
    let mut i = 0;
    while i < words.len() {
        let best = PHRASES
            .iter()
            .filter(|(_, seq)| {
                i + seq.len() <= words.len()
                    && seq
                        .iter()
                        .enumerate()
                        .all(|(j, c)| words[i + j].contains(c))
            })
            .max_by_key(|(_, seq)| seq.len());
        match best {
            Some((id, seq)) => {
                out.push((i..i + seq.len(), *id));
                i += seq.len();
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(word: &str) -> Vec<&'static str> {
        concepts(&sound_key(word))
    }

    #[test]
    fn inflected_forms_express_their_concept() {
        for w in [
            "məhkəmə",
            "Məhkəməsi",
            "məhkəməsində",
            "суд",
            "суда",
            "Court",
            "courts",
        ] {
            assert_eq!(of(w), ["court"], "{w}");
        }
        for w in [
            "Bakı",
            "Bakıda",
            "Bakının",
            "Bakıya",
            "Baku",
            "Баку",
            "Бакинский",
            "бакинского",
        ] {
            assert_eq!(of(w), ["baku"], "{w}");
        }
        for w in ["тяжким", "тяжких", "Ağır", "grave", "serious"] {
            assert_eq!(of(w), ["grave"], "{w}");
        }
        for w in ["преступлениям", "преступлений", "cinayətlər", "crimes"]
        {
            assert_eq!(of(w), ["crime"], "{w}");
        }
        assert_eq!(of("Хатаинский"), ["khatai"]);
        assert_eq!(of("Сабаильский"), ["sabail"]);
        assert_eq!(of("районный"), ["district"]);
        assert_eq!(of("следственный"), ["investigation"]);
        assert_eq!(of("Təcridxanası"), ["isolator"]);
        assert_eq!(of("временного"), ["temporary"]);
        assert_eq!(of("содержания"), ["holding"]);
        assert_eq!(of("безопасности"), ["security"]);
        assert_eq!(of("Təhlükəsizliyi"), ["security"]);
    }

    #[test]
    fn look_alikes_express_nothing() {
        for w in [
            "Bakıxanov",
            "Əli",
            "Ali",
            "судебный",
            "Петровский",
            "Sudan",
            "Nəsimov",
        ] {
            assert!(of(w).is_empty(), "{w}: {:?}", of(w));
        }
    }

    #[test]
    fn phrases_are_found_longest_first() {
        let words: Vec<Vec<&str>> = ["Baku", "Pre", "trial", "Detention", "Centre", "No", "1"]
            .iter()
            .map(|w| of(w))
            .collect();
        assert_eq!(phrases(&words), vec![(1..5, "sizo")]);
        let words: Vec<Vec<&str>> = ["Изолятор", "временного", "содержания"]
            .iter()
            .map(|w| of(w))
            .collect();
        assert_eq!(phrases(&words), vec![(0..3, "ivs")]);
    }
}
