//! Search in the lawyer's languages, through `Vault::search`.
//!
//! Issue 12, point 3: a name, a place or an institution is found whichever
//! way it was written (Azerbaijani Latin, Russian Cyrillic, the English
//! spellings of passports and the press, a keyboard without ə and ı, text
//! in NFD), and names that merely look alike are kept apart.

mod common;
use common::new_vault;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;
use vekil::model::*;
use vekil::search::SearchQuery;
use vekil::vault::Vault;

/// Where a spelling is written in the vault.
#[derive(Clone, Copy)]
enum Place {
    /// A client's full name (title of a client).
    Name,
    /// An incident's facility (title of an incident).
    Facility,
    /// A case's court (title of a case).
    Court,
    /// An incident's reason (body text).
    Reason,
}

/// Real-world spellings of one name, place or institution that must find
/// each other in both directions. The first is how it is written in
/// Azerbaijani (or Russian, for Russian names).
const PAIRS: &[(&str, &str, Place)] = &[
    // Detention centres, prisons and the places they are named after.
    ("Kürdəxanı", "Kurdakhany", Place::Facility),
    ("Kürdəxanı", "Кюрдаханы", Place::Facility),
    ("Kurdakhany", "Кюрдаханы", Place::Facility),
    ("Kürdəxanı", "KIURDAKHANY", Place::Facility),
    ("Zabrat", "Забрат", Place::Facility),
    ("Şüvəlan", "Shuvelan", Place::Facility),
    ("Şüvəlan", "Шувелян", Place::Facility),
    ("Qobustan", "Gobustan", Place::Facility),
    ("Qobustan", "Гобустан", Place::Facility),
    (
        "Bakı İstintaq Təcridxanası",
        "Бакинский следственный изолятор",
        Place::Facility,
    ),
    (
        "Bakı İstintaq Təcridxanası",
        "Baku Investigative Isolator",
        Place::Facility,
    ),
    (
        "Bakı İstintaq Təcridxanası",
        "Baku Pre-trial Detention Centre",
        Place::Facility,
    ),
    (
        "Bakı İstintaq Təcridxanası",
        "Бакинский СИЗО",
        Place::Facility,
    ),
    (
        "Müvəqqəti Saxlama Təcridxanası",
        "Изолятор временного содержания",
        Place::Facility,
    ),
    ("Müvəqqəti Saxlama Təcridxanası", "ИВС", Place::Facility),
    ("Bakı", "Baku", Place::Facility),
    ("Bakı", "Баку", Place::Facility),
    ("Gəncə", "Ganja", Place::Facility),
    ("Gəncə", "Гянджа", Place::Facility),
    ("Sumqayıt", "Sumgait", Place::Facility),
    ("Sumqayıt", "Сумгаит", Place::Facility),
    ("Şəki", "Shaki", Place::Facility),
    ("Şəki", "Шеки", Place::Facility),
    ("Naxçıvan", "Nakhchivan", Place::Facility),
    ("Naxçıvan", "Нахичевань", Place::Facility),
    ("Lənkəran", "Lankaran", Place::Facility),
    ("Lənkəran", "Ленкорань", Place::Facility),
    ("Mingəçevir", "Мингечаур", Place::Facility),
    ("Binəqədi", "Binagadi", Place::Facility),
    ("Binəqədi", "Бинагади", Place::Facility),
    ("Xətai", "Khatai", Place::Facility),
    ("Xətai", "Хатаи", Place::Facility),
    ("Suraxanı", "Surakhani", Place::Facility),
    ("Qaradağ", "Garadagh", Place::Facility),
    ("Xırdalan", "Khirdalan", Place::Facility),
    ("Xırdalan", "Хырдалан", Place::Facility),
    ("Şamaxı", "Shamakhi", Place::Facility),
    ("Yevlax", "Евлах", Place::Facility),
    ("Sabunçu", "Сабунчи", Place::Facility),
    ("Nəsimi", "Насими", Place::Facility),
    // Courts and other institutions.
    (
        "Bakı Ağır Cinayətlər Məhkəməsi",
        "Бакинский суд по тяжким преступлениям",
        Place::Court,
    ),
    (
        "Bakı Ağır Cinayətlər Məhkəməsi",
        "Baku Grave Crimes Court",
        Place::Court,
    ),
    (
        "Bakı Apellyasiya Məhkəməsi",
        "Бакинский апелляционный суд",
        Place::Court,
    ),
    (
        "Bakı Apellyasiya Məhkəməsi",
        "Baku Court of Appeal",
        Place::Court,
    ),
    (
        "Xətai Rayon Məhkəməsi",
        "Хатаинский районный суд",
        Place::Court,
    ),
    (
        "Nəsimi Rayon Məhkəməsi",
        "Насиминский районный суд",
        Place::Court,
    ),
    (
        "Səbail Rayon Məhkəməsi",
        "Сабаильский районный суд",
        Place::Court,
    ),
    (
        "Dövlət Təhlükəsizlik Xidməti",
        "Служба государственной безопасности",
        Place::Reason,
    ),
    ("Dövlət Təhlükəsizlik Xidməti", "DTX", Place::Reason),
    ("müstəntiq", "следователь", Place::Reason),
    ("prokuror", "прокурор", Place::Reason),
    // Surnames.
    ("Məmmədov", "Mammadov", Place::Name),
    ("Məmmədov", "Mamedov", Place::Name),
    ("Məmmədov", "Мамедов", Place::Name),
    ("Qasımlı", "Gasimli", Place::Name),
    ("Qasımlı", "Касимли", Place::Name),
    ("Əliyev", "Aliyev", Place::Name),
    ("Əliyev", "Алиев", Place::Name),
    ("Həsənov", "Hasanov", Place::Name),
    ("Həsənov", "Гасанов", Place::Name),
    ("Hüseynov", "Huseynov", Place::Name),
    ("Hüseynov", "Гусейнов", Place::Name),
    ("Quliyev", "Guliyev", Place::Name),
    ("Quliyev", "Кулиев", Place::Name),
    ("İsmayılov", "Ismayilov", Place::Name),
    ("İsmayılov", "Исмаилов", Place::Name),
    ("Cəfərov", "Jafarov", Place::Name),
    ("Cəfərov", "Джафаров", Place::Name),
    ("Hacıyev", "Hajiyev", Place::Name),
    ("Hacıyev", "Гаджиев", Place::Name),
    ("Xəlilov", "Khalilov", Place::Name),
    ("Xəlilov", "Халилов", Place::Name),
    ("Rəhimov", "Rahimov", Place::Name),
    ("Rəhimov", "Рагимов", Place::Name),
    ("Sadıqov", "Sadigov", Place::Name),
    ("Sadıqov", "Садыхов", Place::Name),
    ("İbrahimov", "Ibragimov", Place::Name),
    ("Bayramov", "Bairamov", Place::Name),
    ("Rzayev", "Рзаев", Place::Name),
    ("Mehdiyev", "Мехдиев", Place::Name),
    ("Zeynalov", "Зейналов", Place::Name),
    ("Tağıyev", "Taghiyev", Place::Name),
    ("Hümbətov", "Гумбатов", Place::Name),
    ("Nəbiyev", "Nabiyev", Place::Name),
    ("Babayev", "Бабаев", Place::Name),
    ("Журавлёв", "Zhuravlev", Place::Name),
    // First names.
    ("Rəşid", "Rashid", Place::Name),
    ("Rəşid", "Рашид", Place::Name),
    ("Elçin", "Elchin", Place::Name),
    ("Elçin", "Эльчин", Place::Name),
    ("Cavid", "Javid", Place::Name),
    ("Cavid", "Джавид", Place::Name),
    ("Tofiq", "Tofig", Place::Name),
    ("Tofiq", "Тофик", Place::Name),
    ("Vüqar", "Vugar", Place::Name),
    ("Vüqar", "Вугар", Place::Name),
    ("Gülnarə", "Gulnara", Place::Name),
    ("Gülnarə", "Гюльнара", Place::Name),
    ("Gülnarə", "GIULNARA", Place::Name),
    ("Ləman", "Ляман", Place::Name),
    ("Ləman", "LIAMAN", Place::Name),
    ("Xədicə", "Khadija", Place::Name),
    ("Xədicə", "Хадиджа", Place::Name),
    ("Rövşən", "Rovshan", Place::Name),
    ("Bəxtiyar", "Bakhtiyar", Place::Name),
    ("Bəxtiyar", "Бахтияр", Place::Name),
    ("Ceyhun", "Jeyhun", Place::Name),
    ("Ilqar", "Ильгар", Place::Name),
    ("Yaşar", "Яшар", Place::Name),
    ("Şahin", "Шахин", Place::Name),
    ("Nigar", "Нигяр", Place::Name),
    ("Сергей", "Sergei", Place::Name),
];

/// Different people and places whose spellings come close: searching for
/// the first must not find the second. Pairs marked `both` must not find
/// each other either way; the others differ only in an ending, and the
/// word being typed matches as a prefix ("Ivanov" finds "Ivanova" on
/// purpose, while the lawyer is still typing), so only the longer one is
/// checked.
const NEAR_MISSES: &[(&str, &str, bool, Place)] = &[
    ("Əliyev", "Əlizadə", true, Place::Name),
    ("Həsənov", "Hüseynov", true, Place::Name),
    ("Həsən", "Hüseyn", true, Place::Name),
    ("Məmmədov", "Mahmudov", true, Place::Name),
    ("Məmmədov", "Məmmədli", true, Place::Name),
    ("Qasımov", "Qasımlı", true, Place::Name),
    ("Qasım", "Kazım", true, Place::Name),
    ("Rəşid", "Rəşad", true, Place::Name),
    ("Elmar", "Elmir", true, Place::Name),
    ("Aydın", "Aydan", true, Place::Name),
    ("Leyla", "Lalə", true, Place::Name),
    ("Vüqar", "Vüsal", true, Place::Name),
    ("Tofiq", "Tariq", true, Place::Name),
    ("Rəhimov", "Rəhmanov", true, Place::Name),
    ("Kərimov", "Həkimov", true, Place::Name),
    ("Elnur", "Elnarə", true, Place::Name),
    ("Петровский", "Петров", false, Place::Name),
    ("Ivanova", "Ivanov", false, Place::Name),
    ("Məmmədova", "Məmmədov", false, Place::Name),
    ("Kürdəxanı", "Kürdəmir", true, Place::Facility),
    ("Zabrat", "Zərdab", true, Place::Facility),
    ("Mərdəkan", "Maştağa", true, Place::Facility),
    ("Bakıxanov", "Bakı", false, Place::Facility),
    ("Balaxanı", "Bakı", true, Place::Facility),
    ("Binəqədi", "Binə", false, Place::Facility),
    ("Qubadlı", "Quba", false, Place::Facility),
    ("Gəncə", "Göyçay", true, Place::Facility),
    ("Şəki", "Şəmkir", true, Place::Facility),
    ("Nəsimi", "Nizami", true, Place::Facility),
    ("Səbail", "Sabunçu", true, Place::Facility),
    (
        "Ağır Cinayətlər Məhkəməsi",
        "Apellyasiya Məhkəməsi",
        true,
        Place::Court,
    ),
    (
        "Xətai Rayon Məhkəməsi",
        "Nəsimi Rayon Məhkəməsi",
        true,
        Place::Court,
    ),
    (
        "İstintaq Təcridxanası",
        "İstintaq Şöbəsi",
        true,
        Place::Facility,
    ),
];

fn at() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2025-03-10T10:00:00+04:00").unwrap()
}

/// A vault holding one record per spelling, and the id of each.
struct Fixture {
    _tmp: tempfile::TempDir,
    v: Vault,
    ids: HashMap<String, Uuid>,
}

impl Fixture {
    fn new() -> Self {
        let (tmp, _dir, v, _) = new_vault();
        Self {
            _tmp: tmp,
            v,
            ids: HashMap::new(),
        }
    }

    /// Writes `text` into a new record, once per (text, place).
    fn put(&mut self, text: &str, place: Place) -> Uuid {
        let tag = format!("{}|{}", text, place as u8);
        if let Some(id) = self.ids.get(&tag) {
            return *id;
        }
        let n = self.ids.len();
        let v = &self.v;
        let id = match place {
            Place::Name => v.insert(Client::new(text, format!("P-{n:03}"))).unwrap().id,
            Place::Facility | Place::Reason | Place::Court => {
                let owner = v
                    .insert(Client::new("Test Müştəri", format!("T-{n:03}")))
                    .unwrap()
                    .id;
                match place {
                    Place::Court => {
                        let mut c = Case::new(owner, format!("1-{n}/2025"));
                        c.court = text.into();
                        v.insert(c).unwrap().id
                    }
                    Place::Facility => {
                        v.insert(Incident::quick(
                            owner,
                            text,
                            at(),
                            IncidentType::AccessDenied,
                        ))
                        .unwrap()
                        .id
                    }
                    _ => {
                        let mut i =
                            Incident::quick(owner, "IVS-9", at(), IncidentType::AccessDenied);
                        i.reason_given = format!("Səbəb: {text}.");
                        v.insert(i).unwrap().id
                    }
                }
            }
        };
        self.ids.insert(tag, id);
        id
    }

    fn found(&self, query: &str) -> Vec<Uuid> {
        self.v
            .search(&SearchQuery {
                text: query.into(),
                limit: Some(1000),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    }
}

/// Searching for `query` finds the record holding `text`.
fn finds(text: &str, place: Place, query: &str) -> bool {
    let mut f = Fixture::new();
    let id = f.put(text, place);
    f.found(query).contains(&id)
}

// The issue's own examples, each on its own.

#[test]
fn qasim_without_dotless_i_finds_qasimli() {
    assert!(finds("Qasımlı Rəşid", Place::Name, "qasim"));
}

#[test]
fn capitals_qasimli_finds_qasimli() {
    assert!(finds("Qasımlı Rəşid", Place::Name, "QASIMLI"));
}

#[test]
fn resid_typed_without_schwa_and_s_cedilla_finds_rashid() {
    assert!(finds("Qasımlı Rəşid", Place::Name, "Resid"));
}

#[test]
fn capitals_yazili_finds_yazili() {
    assert!(finds("yazılı imtina verilmədi", Place::Reason, "YAZILI"));
}

#[test]
fn capitals_baki_finds_baki() {
    assert!(finds("Bakı İVS No. 2", Place::Facility, "BAKI"));
}

#[test]
fn zhuravlev_without_yo_finds_zhuravlyov() {
    assert!(finds("Журавлёв Пётр", Place::Name, "журавлев"));
}

#[test]
fn a_name_typed_in_nfd_is_found() {
    let nfd: String = "Rəşad Məmmədov".nfd().collect();
    assert_ne!(nfd, "Rəşad Məmmədov");
    assert!(finds("Rəşad Məmmədov", Place::Name, &nfd));
    // And the other way round: text stored in NFD, typed in NFC.
    assert!(finds(&nfd, Place::Name, "Rəşad Məmmədov"));
}

#[test]
fn the_kurdakhani_family_finds_each_other() {
    let spellings = ["Kürdəxanı", "Kurdakhany", "Кюрдаханы", "Kurdexani"];
    let mut f = Fixture::new();
    let ids: Vec<Uuid> = spellings
        .iter()
        .map(|s| f.put(s, Place::Facility))
        .collect();
    for q in spellings {
        let found = f.found(q);
        for (s, id) in spellings.iter().zip(&ids) {
            assert!(found.contains(id), "{q:?} does not find {s:?}");
        }
    }
}

#[test]
fn the_mammadov_family_finds_each_other() {
    let spellings = ["Məmmədov", "Mammadov", "Mamedov", "Мамедов", "Memmedov"];
    let mut f = Fixture::new();
    let ids: Vec<Uuid> = spellings.iter().map(|s| f.put(s, Place::Name)).collect();
    for q in spellings {
        let found = f.found(q);
        for (s, id) in spellings.iter().zip(&ids) {
            assert!(found.contains(id), "{q:?} does not find {s:?}");
        }
    }
}

#[test]
fn sixty_real_world_spelling_pairs_find_each_other() {
    assert!(PAIRS.len() >= 60, "{} pairs", PAIRS.len());
    let mut f = Fixture::new();
    for (a, b, place) in PAIRS {
        f.put(a, *place);
        f.put(b, *place);
    }
    let mut missed = vec![];
    for (a, b, place) in PAIRS {
        let (ia, ib) = (f.put(a, *place), f.put(b, *place));
        if !f.found(b).contains(&ia) {
            missed.push(format!("{b:?} does not find {a:?}"));
        }
        if !f.found(a).contains(&ib) {
            missed.push(format!("{a:?} does not find {b:?}"));
        }
    }
    assert!(
        missed.is_empty(),
        "{} misses:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[test]
fn near_misses_stay_apart() {
    assert!(NEAR_MISSES.len() >= 20, "{} near misses", NEAR_MISSES.len());
    let mut f = Fixture::new();
    for (a, b, _, place) in NEAR_MISSES {
        f.put(a, *place);
        f.put(b, *place);
    }
    let mut wrong = vec![];
    for (a, b, both, place) in NEAR_MISSES {
        let (ia, ib) = (f.put(a, *place), f.put(b, *place));
        if f.found(a).contains(&ib) {
            wrong.push(format!("{a:?} finds {b:?}"));
        }
        if *both && f.found(b).contains(&ia) {
            wrong.push(format!("{b:?} finds {a:?}"));
        }
        // Each still finds itself.
        assert!(f.found(a).contains(&ia), "{a:?} does not find itself");
        assert!(f.found(b).contains(&ib), "{b:?} does not find itself");
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The database key of a vault, from its passphrase key file (as
/// `age -d` would print it), so a test can rewrite the database directly.
fn raw_db(dir: &std::path::Path) -> rusqlite::Connection {
    use std::io::Read;
    let bytes = std::fs::read(dir.join("key.passphrase.age")).unwrap();
    let decryptor = age::Decryptor::new_buffered(&bytes[..]).unwrap();
    let identity = age::scrypt::Identity::new(common::PASS.to_owned().into());
    let mut key = String::new();
    decryptor
        .decrypt(std::iter::once(&identity as _))
        .unwrap()
        .read_to_string(&mut key)
        .unwrap();
    let conn = rusqlite::Connection::open(dir.join("vekil.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.trim()))
        .unwrap();
    conn
}

/// A vault indexed the way schema 2 indexed it (the stored English title
/// and free text, tokenised by unicode61) is re-indexed by its match keys
/// when it is opened, with its records and their text untouched.
#[test]
fn a_vault_made_with_schema_2_is_reindexed_on_upgrade() {
    let (_tmp, dir, v, _) = new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap();
    let mut i = Incident::quick(c.id, "Kürdəxanı", at(), IncidentType::AccessDenied);
    i.reason_given = "Müstəntiq icazə vermədi".into();
    let i = v.insert(i).unwrap();
    v.close().unwrap();

    // The index before the search keys (schema 4), exactly as its
    // write_row filled it, and no facility register (schema 6).
    let conn = raw_db(&dir);
    let seq = |id: Uuid| -> i64 {
        conn.query_row(
            "SELECT seq FROM records WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (client_seq, incident_seq) = (seq(c.id), seq(i.id));
    conn.execute_batch(
        "DROP TABLE search_fts;
         CREATE VIRTUAL TABLE search_fts USING fts5(
             title, body,
             tokenize = 'unicode61 remove_diacritics 2'
         );
         DROP TABLE facility_names;
         DELETE FROM records WHERE kind = 'facility';
         UPDATE records SET data = json_remove(data, '$.facility.id') WHERE kind = 'incident';
         PRAGMA user_version = 4;",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO search_fts (rowid, title, body) VALUES (?1, 'Rəşad Məmmədov (C-001)', ''),
                (?2, 'Access denied — Kürdəxanı', 'Müstəntiq icazə vermədi')",
        [client_seq, incident_seq],
    )
    .unwrap();
    let data_before: Vec<String> = conn
        // The register's link, added at the first unlock (migration
        // 0006), is no rewrite of what was typed.
        .prepare(
            "SELECT json_remove(data, '$.facility.id') FROM records
             WHERE kind <> 'facility' ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let old_match: i64 = conn
        .query_row(
            "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"kurdakhany\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_match, 0, "the old index knows one spelling only");
    drop(conn);

    let v = Vault::unlock(&dir, &common::pass()).unwrap();
    // (The register built at this unlock is searchable too.)
    let search = |text: &str| -> Vec<Uuid> {
        v.search(&SearchQuery {
            text: text.into(),
            kinds: vec![Kind::Client, Kind::Incident],
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
    };
    assert_eq!(search("Kurdakhany"), vec![i.id]);
    assert_eq!(search("Кюрдаханы следователь"), vec![i.id]);
    assert_eq!(search("Mamedov"), vec![c.id]);
    assert_eq!(search("Rashad MAMMADOV"), vec![c.id]);
    v.close().unwrap();

    let conn = raw_db(&dir);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, vekil::vault::SCHEMA_VERSION);
    let data_after: Vec<String> = conn
        // The register's link, added at the first unlock (migration
        // 0006), is no rewrite of what was typed.
        .prepare(
            "SELECT json_remove(data, '$.facility.id') FROM records
             WHERE kind <> 'facility' ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(data_after, data_before, "stored text is never rewritten");
    let body: String = conn
        .query_row(
            "SELECT body FROM search_fts WHERE rowid = ?1",
            [-incident_seq],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(body, "Müstəntiq icazə vermədi");
}

// Order and limit (issue 12.8): hits come newest first and a limit keeps
// the newest, however the records were written.

/// The incidents `query` finds, at most `limit`.
fn found_ids(v: &Vault, query: &str, limit: u32) -> Vec<Uuid> {
    v.search(&SearchQuery {
        text: query.into(),
        kinds: vec![Kind::Incident],
        limit: Some(limit),
        ..Default::default()
    })
    .unwrap()
    .into_iter()
    .map(|h| h.id)
    .collect()
}

/// `got` is `want`, or the first difference is named.
fn in_order(got: &[Uuid], want: &[Uuid]) {
    let first = got.iter().zip(want).position(|(g, w)| g != w);
    assert!(
        got.len() == want.len() && first.is_none(),
        "{} hits where {} were expected, first difference at {:?}",
        got.len(),
        want.len(),
        first
    );
}

/// The full-text index agrees with its own rows (FTS5's integrity check).
fn index_is_sound(conn: &rusqlite::Connection) {
    conn.execute(
        "INSERT INTO search_fts (search_fts) VALUES ('integrity-check')",
        [],
    )
    .expect("the full-text index matches its rows");
}

/// An import-sized transaction (more rows than the store queues before
/// writing them), with edits and deletions among the new records: search
/// finds exactly the records left, newest first, the last word matched as
/// a prefix or not, and the index is sound.
#[test]
fn hits_come_newest_first_after_a_large_transaction() {
    let (_tmp, dir, v, _) = new_vault();
    let owner = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap().id;
    let mut written: Vec<Uuid> = vec![];
    let mut edited: Vec<Uuid> = vec![];
    let mut deleted: Vec<Uuid> = vec![];
    v.write(|w| {
        for i in 0..2500 {
            let mut inc = Incident::quick(
                owner,
                "Kürdəxanı İstintaq Təcridxanası",
                at(),
                IncidentType::AccessDenied,
            );
            inc.reason_given = format!("Müstəntiq icazə vermədi (ref {i})");
            written.push(w.insert(inc)?.id);
        }
        for (i, id) in written.clone().into_iter().enumerate() {
            if i % 11 == 3 {
                w.delete::<Incident>(id)?;
                deleted.push(id);
            } else if i % 7 == 0 {
                let old = w.get::<Incident>(id)?;
                let mut inc = old.data.clone();
                inc.reason_given = format!("Müstəntiq Ələkbərov icazə vermədi (ref {i})");
                w.update(id, old.revision, inc)?;
                edited.push(id);
            }
        }
        Ok(())
    })
    .unwrap();
    let newest_first: Vec<Uuid> = written
        .iter()
        .rev()
        .filter(|id| !deleted.contains(id))
        .copied()
        .collect();
    // (1,000 is the most a search returns.)
    in_order(&found_ids(&v, "Kurdakhany", 50), &newest_first[..50]);
    in_order(
        &found_ids(&v, "Кюрдаханы СИЗО", 1000),
        &newest_first[..1000],
    );
    in_order(
        &found_ids(&v, "icazə Kürdəxanı", 1000),
        &newest_first[..1000],
    );
    let edited_newest_first: Vec<Uuid> = edited.iter().rev().copied().collect();
    assert!(edited_newest_first.len() < 1000);
    in_order(&found_ids(&v, "Ələkbərov", 1000), &edited_newest_first);
    in_order(&found_ids(&v, "Alakbarov icaz", 1000), &edited_newest_first);
    v.close().unwrap();
    index_is_sound(&raw_db(&dir));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Whatever mix of saves, edits and deletions, in however many
    /// transactions (deleting the newest record frees its place in the
    /// order for the next one), search finds exactly the records that
    /// hold the word, newest first.
    #[test]
    fn search_order_follows_the_saves(
        ops in proptest::collection::vec((0u8..4, 0usize..64, proptest::bool::ANY), 1..60),
        commit_every in 1usize..12,
    ) {
        let (_tmp, dir, v, _) = new_vault();
        let owner = v.insert(Client::new("Leyla Həsənova", "C-002")).unwrap().id;
        // (id, holds "Kürdəxanı") in the order created.
        let mut live: Vec<(Uuid, bool)> = vec![];
        for chunk in ops.chunks(commit_every) {
            v.write(|w| {
                for (op, pick, word) in chunk {
                    let place = if *word { "Kürdəxanı" } else { "Zabrat" };
                    match (op, live.len()) {
                        (0 | 1, _) | (_, 0) => {
                            let inc = Incident::quick(owner, place, at(), IncidentType::AccessDenied);
                            live.push((w.insert(inc)?.id, *word));
                        }
                        (2, n) => {
                            let (id, _) = live[pick % n];
                            let old = w.get::<Incident>(id)?;
                            let mut inc = old.data.clone();
                            inc.facility.name = place.into();
                            inc.facility.id = None;
                            w.update(id, old.revision, inc)?;
                            live[pick % n].1 = *word;
                        }
                        (_, n) => {
                            // The newest one half the time: its place is reused.
                            let i = if *word { n - 1 } else { pick % n };
                            w.delete::<Incident>(live.remove(i).0)?;
                        }
                    }
                }
                Ok(())
            })
            .unwrap();
        }
        let expected: Vec<Uuid> = live.iter().rev().filter(|(_, k)| *k).map(|(id, _)| *id).collect();
        proptest::prop_assert_eq!(found_ids(&v, "Кюрдаханы", 1000), expected.clone());
        proptest::prop_assert_eq!(found_ids(&v, "Kurd", 1000), expected);
        v.close().unwrap();
        index_is_sound(&raw_db(&dir));
    }
}

/// A vault whose index schema 6 laid out (rowid = the record's seq, so
/// newest first was FTS5's backward order) is laid out anew when opened:
/// every row keeps its title, text and keys, searches find what they
/// found, newest first, and new saves join them in order.
#[test]
fn a_vault_indexed_by_schema_6_is_relaid_on_upgrade() {
    let (_tmp, dir, v, _) = new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap();
    let mut ids = vec![];
    for (i, place) in ["Kürdəxanı", "Кюрдаханы СИЗО", "Kurdakhany SIZO", "Zabrat"]
        .iter()
        .enumerate()
    {
        let mut inc = Incident::quick(c.id, *place, at(), IncidentType::AccessDenied);
        inc.reason_given = format!("Müstəntiq Ələkbərov icazə vermədi ({i})");
        ids.push(v.insert(inc).unwrap().id);
    }
    let queries = [
        "Kurdakhany",
        "Ələkbərov",
        "Müstəntiq",
        "icazə Кюрдаханы",
        "Ku",
    ];
    let before: Vec<Vec<Uuid>> = queries.iter().map(|q| found_ids(&v, q, 50)).collect();
    assert_eq!(before[0], vec![ids[2], ids[1], ids[0]]);
    assert_eq!(before[2], vec![ids[3], ids[2], ids[1], ids[0]]);
    v.close().unwrap();

    // The index as schema 6 held it: the same rows, rowid = seq.
    let conn = raw_db(&dir);
    let rows = |conn: &rusqlite::Connection, sql: &str| -> Vec<(i64, String, String, String)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let by_seq = "SELECT -rowid, title, body, terms FROM search_fts ORDER BY 1";
    let saved = rows(&conn, by_seq);
    assert!(saved.len() >= 5, "the client and the incidents");
    conn.execute_batch(
        "CREATE VIRTUAL TABLE search_fts_6 USING fts5(
             title UNINDEXED, body UNINDEXED, terms,
             tokenize = 'unicode61 remove_diacritics 0'
         );
         INSERT INTO search_fts_6 (rowid, title, body, terms)
             SELECT -rowid, title, body, terms FROM search_fts ORDER BY rowid DESC;
         DROP TABLE search_fts;
         ALTER TABLE search_fts_6 RENAME TO search_fts;
         PRAGMA user_version = 6;",
    )
    .unwrap();
    drop(conn);

    let v = Vault::unlock(&dir, &common::pass()).unwrap();
    let after: Vec<Vec<Uuid>> = queries.iter().map(|q| found_ids(&v, q, 50)).collect();
    assert_eq!(after, before);
    let mut newer = Incident::quick(c.id, "Kürdəxanı", at(), IncidentType::AccessDenied);
    newer.reason_given = "Yenə icazə vermədilər".into();
    let newer = v.insert(newer).unwrap().id;
    assert_eq!(
        found_ids(&v, "Kurdakhany", 50),
        vec![newer, ids[2], ids[1], ids[0]]
    );
    v.close().unwrap();

    let conn = raw_db(&dir);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, vekil::vault::SCHEMA_VERSION);
    let now = rows(&conn, by_seq);
    assert_eq!(now[..saved.len()], saved[..], "every row as it was");
    index_is_sound(&conn);
    assert_eq!(automerge(&conn), Some(8), "migration 0008 after 0007");
}

/// FTS5's merge setting as stored in the index's configuration table
/// (`None`: FTS5's default of 4).
fn automerge(conn: &rusqlite::Connection) -> Option<i64> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT v FROM search_fts_config WHERE k = 'automerge'",
        [],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

/// Issue 11.9: the index merges its segments eight at a time (migration
/// 0008), not at FTS5's default of four, which put a merge inside one
/// save in fifty; a new vault has the setting, and a save keeps it.
#[test]
fn a_new_vault_merges_its_index_eight_segments_at_a_time() {
    let (_t, dir, v, _) = common::new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap();
    v.insert(Incident::quick(
        c.id,
        "Kürdəxanı",
        at(),
        IncidentType::AccessDenied,
    ))
    .unwrap();
    v.close().unwrap();
    let conn = raw_db(&dir);
    assert_eq!(automerge(&conn), Some(8));
    index_is_sound(&conn);
}
