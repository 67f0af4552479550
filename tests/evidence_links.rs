//! An evidence note documents one or more incidents, and every field of it
//! can be corrected (issue 12, point 1).
//!
//! Before: `EvidenceNote` had one `incident_id`, so the same written
//! refusal could not document two refused visits; the CLI refused a second
//! `--incident`, and the export could name only one incident per note.
//! These tests pin the list (`incident_ids`): its order, its refusals, the
//! older files that still say `incident_id`, the queries that find a note
//! by any of its incidents, and an export that names only the incidents
//! that leave.

mod common;
mod export_support;

use chrono::{DateTime, FixedOffset};
use common::Cli;
use export_support::{fixture, select_for_ngo, Fixture, NGO};
use serde_json::{json, Value};
use uuid::Uuid;
use vekil::export::{self, signing::SigningKey, HeldBack};
use vekil::load::{self, Mode};
use vekil::model::{
    CustodyEntry, EventTime, EvidenceKind, EvidenceNote, Incident, IncidentType, Kind,
};
use vekil::vault::Vault;
use vekil::Error;

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test time")
}

fn note(description: &str, incidents: &[Uuid]) -> EvidenceNote {
    let mut n = EvidenceNote::new(description);
    n.incident_ids = incidents.to_vec();
    n
}

fn refused_field(e: Error) -> String {
    match e {
        Error::Invalid(v) => v.field,
        other => panic!("not a validation error: {other}"),
    }
}

fn evidence_count(v: &Vault) -> u64 {
    v.count(Kind::Evidence).expect("count")
}

#[test]
fn a_note_documents_several_incidents_in_the_order_given() {
    let f = fixture();
    let n = f
        .vault
        .insert(note(
            "Müstəntiqin yazılı imtinası — iki görüş üçün",
            &[f.inc_health, f.inc_consented],
        ))
        .expect("a note of two incidents");
    let back = f.vault.get::<EvidenceNote>(n.id).expect("get");
    assert_eq!(back.data.incident_ids, vec![f.inc_health, f.inc_consented]);
    // Written as the list, never as the older single field.
    let listed = serde_json::to_value(&back).expect("json");
    assert_eq!(
        listed["incident_ids"],
        json!([f.inc_health.to_string(), f.inc_consented.to_string()])
    );
    assert!(listed.get("incident_id").is_none(), "{listed}");
}

#[test]
fn the_same_incident_twice_is_refused_naming_the_entry_and_nothing_changes() {
    let f = fixture();
    let before = evidence_count(&f.vault);
    let err = f
        .vault
        .insert(note(
            "Отказ следователя",
            &[f.inc_consented, f.inc_health, f.inc_consented],
        ))
        .expect_err("an incident listed twice was stored");
    assert_eq!(refused_field(err), "incident_ids[2]");
    assert_eq!(evidence_count(&f.vault), before);

    // An edit that repeats one is refused too, and the note is unchanged.
    let stored = f.vault.get::<EvidenceNote>(f.evidence).expect("get");
    let mut edited = stored.data.clone();
    edited.incident_ids = vec![f.inc_health, f.inc_health];
    let err = f
        .vault
        .update(f.evidence, stored.revision, edited)
        .expect_err("edit with a repeated incident");
    assert_eq!(refused_field(err), "incident_ids[1]");
    assert_eq!(
        f.vault.get::<EvidenceNote>(f.evidence).expect("get"),
        stored
    );
}

#[test]
fn every_incident_must_exist_in_this_vault() {
    let f = fixture();
    let before = evidence_count(&f.vault);
    let missing = Uuid::new_v4();
    let err = f
        .vault
        .insert(note("Şahid ifadəsi", &[f.inc_consented, missing]))
        .expect_err("a link to nothing was stored");
    assert!(err.to_string().contains(&missing.to_string()), "{err}");
    assert_eq!(refused_field(err), "incident_ids");
    assert_eq!(evidence_count(&f.vault), before);
}

#[test]
fn a_note_of_no_incident_still_needs_a_case_or_a_client() {
    let f = fixture();
    let err = f
        .vault
        .insert(note("Без привязки", &[]))
        .expect_err("a note linked to nothing");
    assert_eq!(refused_field(err), "incident_ids");
    let mut n = note("Müştərinin ərizəsi", &[]);
    n.client_id = Some(f.client_a);
    let n = f.vault.insert(n).expect("a note of a client only");
    assert!(n.data.incident_ids.is_empty());
}

/// What a vault, a bundle or an `add --json` file written before issue 12
/// says: `"incident_id": "…"` or `"incident_id": null`.
#[test]
fn older_records_that_say_incident_id_still_load() {
    let f = fixture();
    let id = f.inc_consented;
    let one: EvidenceNote =
        serde_json::from_value(json!({"incident_id": id, "description": "Köhnə qeyd"}))
            .expect("the older single link");
    assert_eq!(one.incident_ids, vec![id]);
    let none: EvidenceNote = serde_json::from_value(
        json!({"incident_id": null, "client_id": f.client_a, "description": "Köhnə qeyd"}),
    )
    .expect("the older link, empty");
    assert!(none.incident_ids.is_empty());

    // Through the loader `add --json` and `load` use, in both shapes.
    let items = load::json::items(
        json!({"evidence": [
            {"incident_id": id, "description": "Отказ в свидании (старый файл)"},
            {"incident_ids": [f.inc_health, id], "description": "Rədd cavabı (yeni fayl)"}
        ]}),
        "file",
    )
    .expect("items");
    let before = evidence_count(&f.vault);
    f.vault.load(items, Mode::Add).expect("both shapes load");
    assert_eq!(evidence_count(&f.vault), before + 2);
}

#[test]
fn a_record_with_both_names_or_a_repeat_is_refused_and_nothing_loads() {
    let f = fixture();
    let before = evidence_count(&f.vault);
    let both = json!({"evidence": [
        {"description": "Düzgün qeyd", "incident_ids": [f.inc_consented]},
        {"incident_ids": [f.inc_consented], "incident_id": f.inc_health, "description": "İki ad"}
    ]});
    let err = load::json::items(both, "file")
        .and_then(|items| f.vault.load(items, Mode::Add).map(|_| ()))
        .expect_err("both names were accepted");
    let msg = err.to_string();
    assert!(
        msg.contains("incident_ids") && msg.contains("incident_id`"),
        "{msg}"
    );
    let twice = json!({"evidence": [
        {"incident_ids": [f.inc_consented, f.inc_health, f.inc_health], "description": "Təkrar"}
    ]});
    let err = load::json::items(twice, "file")
        .and_then(|items| f.vault.load(items, Mode::Add).map(|_| ()))
        .expect_err("a repeated incident was accepted");
    assert!(err.to_string().contains("incident_ids[2]"), "{err}");
    assert_eq!(evidence_count(&f.vault), before);
}

#[test]
fn the_incident_page_finds_every_note_that_documents_it() {
    let f = fixture();
    let (a, b) = (f.inc_consented, f.inc_health);
    let only_a = f.vault.insert(note("Yalnız A", &[a])).expect("a");
    let b_then_a = f.vault.insert(note("B və A", &[b, a])).expect("ba");
    let only_b = f.vault.insert(note("Только B", &[b])).expect("b");
    let mut of_client = note("Müştərinin", &[]);
    of_client.client_id = Some(f.client_a);
    f.vault.insert(of_client).expect("client only");

    let ids = |incidents: &[Uuid]| {
        let mut v: Vec<Uuid> = f
            .vault
            .evidence_of_incidents(incidents)
            .expect("query")
            .iter()
            .map(|n| n.id)
            .collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v
    };
    // The fixture's own note documents `a` as well.
    assert_eq!(ids(&[a]), sorted(vec![f.evidence, only_a.id, b_then_a.id]));
    assert_eq!(ids(&[b]), sorted(vec![b_then_a.id, only_b.id]));
    assert_eq!(ids(&[f.inc_public]), Vec::<Uuid>::new());
    assert_eq!(ids(&[]), Vec::<Uuid>::new());
}

#[test]
fn an_incident_a_note_documents_among_others_cannot_be_deleted() {
    let f = fixture();
    let spare = f
        .vault
        .insert(Incident::quick(
            f.client_a,
            "Xətai polis şöbəsi",
            t("2025-03-22T10:00:00+04:00"),
            IncidentType::AccessDelayed,
        ))
        .expect("incident");
    f.vault
        .insert(note("İki gün, bir imtina", &[f.inc_consented, spare.id]))
        .expect("note");
    let err = f
        .vault
        .delete::<Incident>(spare.id)
        .expect_err("deleted an incident a note documents");
    assert!(matches!(err, Error::InUse { .. }), "{err}");
    assert!(f.vault.get::<Incident>(spare.id).is_ok());
}

/// A note of no case that documents an incident of the case shows on the
/// case's timeline; a note of another case does not.
#[test]
fn the_case_timeline_shows_the_notes_of_its_incidents() {
    let f = fixture();
    let mut n = note("Təcridxananın cavabı", &[f.inc_no_consent, f.inc_consented]);
    n.obtained_at = Some(EventTime::exact(t("2025-03-12T12:00:00+04:00")));
    let n = f.vault.insert(n).expect("note");
    let entries = f.vault.case_timeline(f.case_a).expect("timeline");
    assert_eq!(
        entries.iter().filter(|e| e.id == n.id).count(),
        1,
        "the note shows once"
    );
}

fn ngo_log(f: &Fixture) -> (export::ExportSet<'_>, Value) {
    let set = select_for_ngo(&f.vault);
    let mut out = vec![];
    export::json::write(&set, None, &mut out).expect("write");
    let v: Value = serde_json::from_slice(&out).expect("json");
    (set, v)
}

fn exported_note(log: &Value, id: Uuid) -> Option<&Value> {
    log["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|n| n["id"] == id.to_string())
}

#[test]
fn a_note_leaves_with_every_incident_that_leaves_in_order() {
    let f = fixture();
    let both = f
        .vault
        .insert(note(
            "Протокол: два отказа подряд",
            &[f.inc_health, f.inc_consented],
        ))
        .expect("note");
    let (set, log) = ngo_log(&f);
    export_support::assert_valid(&log);
    let out = exported_note(&log, both.id).expect("the note leaves");
    assert_eq!(
        out["incident_ids"],
        json!([f.inc_health.to_string(), f.inc_consented.to_string()])
    );
    let redacted = export_support::evidence_of(&set);
    let o = redacted
        .iter()
        .find(|o| o.record.id == both.id)
        .expect("out");
    assert!(!o.removed.contains(&"incident_ids"), "{:?}", o.removed);
    assert!(!o.replaced.contains(&"incident_ids"), "{:?}", o.replaced);
}

/// The id of an incident held back (no consent here) never leaves, not
/// even in the list of a note that leaves with another incident.
#[test]
fn a_note_names_only_the_incidents_that_leave() {
    let f = fixture();
    let mixed = f
        .vault
        .insert(note(
            "Şikayətin surəti",
            &[f.inc_no_consent, f.inc_consented, f.inc_restricted],
        ))
        .expect("note");
    let withheld = f
        .vault
        .insert(note(
            "Yalnız saxlanılan hadisələr",
            &[f.inc_no_consent, f.inc_restricted],
        ))
        .expect("note");
    let (set, log) = ngo_log(&f);
    export_support::assert_valid(&log);

    let out = exported_note(&log, mixed.id).expect("leaves with the incident that leaves");
    assert_eq!(out["incident_ids"], json!([f.inc_consented.to_string()]));
    let text = log.to_string();
    for held in [f.inc_no_consent, f.inc_restricted] {
        assert!(!text.contains(&held.to_string()), "{held} left in the log");
    }
    let redacted = export_support::evidence_of(&set);
    let o = redacted
        .iter()
        .find(|o| o.record.id == mixed.id)
        .expect("out");
    assert!(o.replaced.contains(&"incident_ids"), "{:?}", o.replaced);

    // None of its incidents leaves: the note stays, and the preview says why.
    assert!(exported_note(&log, withheld.id).is_none());
    assert!(set.excluded.iter().any(|x| x.kind == Kind::Evidence
        && x.id == withheld.id
        && x.reason == HeldBack::NotLinkedToIncident));
}

/// The whole bundle path: the NGO imports a note that documents two
/// incidents and gets both links.
#[test]
fn a_bundle_carries_a_note_of_two_incidents_to_the_organisation() {
    let f = fixture();
    let both = f
        .vault
        .insert(note(
            "Rədd cavabı, iki görüş",
            &[f.inc_consented, f.inc_health],
        ))
        .expect("note");
    let bundle = f.tmp.path().join("out.age");
    let set = select_for_ngo(&f.vault);
    let to = export::recipients::get(&f.vault, NGO).expect("recipient");
    export::bundle::write_to(
        &f.vault,
        &set,
        &[to],
        true,
        export::Lang::Az,
        &bundle,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    let ngo = export_support::new_vault(&f.tmp.path().join("ngo"));
    let key = SigningKey::load_or_create(&f.vault).expect("key").public;
    vekil::import::signers::trust(&ngo, "Vəkil", &export::signing::public_key_line(&key))
        .expect("trust");
    let identity = vekil::import::read_identity(&f.ngo_key).expect("identity");
    vekil::import::import(&ngo, &bundle, &identity, &Default::default()).expect("import");
    let got = ngo.get::<EvidenceNote>(both.id).expect("imported");
    assert_eq!(got.data.incident_ids, vec![f.inc_consented, f.inc_health]);
}

#[test]
fn a_custody_entry_is_corrected_and_removed_each_with_a_revision() {
    let f = fixture();
    let mut n = note("Tibbi arayış", &[f.inc_health]);
    n.kind = EvidenceKind::MedicalReport;
    n.custody = vec![
        CustodyEntry {
            who: "Vəkil Məmmədova".into(),
            at: t("2025-04-03T12:00:00+04:00"),
            action: "aldı".into(),
        },
        CustodyEntry {
            who: "Курьер Иванов".into(),
            at: t("2025-04-04T09:00:00+04:00"),
            action: "передал в суд".into(),
        },
    ];
    let n = f.vault.insert(n).expect("note");

    // A wrong entry is refused like a new one, naming it; nothing changes.
    let mut bad = n.data.clone();
    bad.custody[1].who = "  ".into();
    let err = f
        .vault
        .update(n.id, n.revision, bad)
        .expect_err("an empty custodian");
    assert_eq!(refused_field(err), "custody[1].who");
    assert_eq!(f.vault.get::<EvidenceNote>(n.id).expect("get"), n);

    // Corrected in place: who and when of the first entry.
    let mut fixed = n.data.clone();
    fixed.custody[0].who = "Vəkil Ş. Məmmədova".into();
    fixed.custody[0].at = t("2025-04-03T12:30:00+04:00");
    let fixed = f.vault.update(n.id, n.revision, fixed).expect("correct");
    assert_eq!(fixed.revision, n.revision + 1);
    assert_eq!(fixed.data.custody.len(), 2);
    assert_eq!(fixed.data.custody[1], n.data.custody[1]);

    // Removed: the rest stays in order.
    let mut fewer = fixed.data.clone();
    fewer.custody.remove(1);
    let fewer = f.vault.update(n.id, fixed.revision, fewer).expect("remove");
    assert_eq!(fewer.revision, fixed.revision + 1);
    assert_eq!(fewer.data.custody.len(), 1);

    // The history keeps both changes, with what was there before.
    let h = f.vault.history(Kind::Evidence, n.id).expect("history");
    assert_eq!(h.len(), 3);
    let corrected = &h[1].changes["custody"];
    assert_eq!(corrected["old"][0]["who"], "Vəkil Məmmədova");
    assert_eq!(corrected["new"][0]["who"], "Vəkil Ş. Məmmədova");
    let removed = &h[2].changes["custody"];
    assert_eq!(removed["old"][1]["who"], "Курьер Иванов");
    assert_eq!(removed["new"].as_array().map(Vec::len), Some(1));
}

// ------------------------------------------------------------------- CLI

fn cli_setup() -> (tempfile::TempDir, Cli) {
    let t = tempfile::tempdir().expect("temp dir");
    let cli = Cli::new(t.path());
    let (v, _) = Vault::create_with(&cli.vault, &common::pass(), &common::fast()).expect("vault");
    v.close().expect("close");
    (t, cli)
}

fn cli_incident(cli: &Cli, facility: &str, at: &str) -> String {
    cli.ok(&[
        "incident",
        "add",
        "--client",
        "C-001",
        "--facility",
        facility,
        "--type",
        "access_denied",
        "--at",
        at,
    ])
    .split_whitespace()
    .next()
    .expect("an id")
    .to_owned()
}

fn cli_note(cli: &Cli, id: &str) -> Value {
    serde_json::from_str(&cli.ok(&["evidence", "show", id, "--json"])).expect("show --json")
}

#[test]
fn the_cli_links_several_incidents_replaces_them_and_clears_them() {
    let (_t, cli) = cli_setup();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Rəşad Məmmədov",
        "--pseudonym",
        "C-001",
    ]);
    let a = cli_incident(&cli, "Bakı İstintaq Təcridxanası", "2025-03-11");
    let b = cli_incident(&cli, "Следственный изолятор № 1", "2025-03-14 09:30");
    let added = cli.ok(&[
        "evidence",
        "add",
        "--incident",
        &b,
        "--incident",
        &a[..8],
        "--client",
        "C-001",
        "--description",
        "Yazılı imtina, iki görüş",
    ]);
    let id = added.split_whitespace().next().expect("id").to_owned();
    assert_eq!(cli_note(&cli, &id)["incident_ids"], json!([b, a]));

    // `--incident` on edit replaces the list.
    cli.ok(&["evidence", "edit", &id, "--incident", &a]);
    assert_eq!(cli_note(&cli, &id)["incident_ids"], json!([a]));

    // Both at once is a usage error, and changes nothing.
    let o = cli.run(&["evidence", "edit", &id, "--incident", &b, "--no-incident"]);
    assert!(!o.status.success());
    assert_eq!(cli_note(&cli, &id)["incident_ids"], json!([a]));

    // The same incident twice names the entry.
    let o = cli.run(&["evidence", "edit", &id, "--incident", &a, "--incident", &a]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("incident_ids[1]"), "{err}");

    // Cleared: the note keeps its client.
    cli.ok(&["evidence", "edit", &id, "--no-incident"]);
    let n = cli_note(&cli, &id);
    assert_eq!(n["incident_ids"], json!([]));
    assert!(n["client_id"].is_string());

    // The history names the field each time it was set or changed.
    let h = cli.ok(&["evidence", "history", &id]);
    assert_eq!(h.matches("incident_ids").count(), 3, "{h}");
}

#[test]
fn the_cli_refuses_to_unlink_a_note_from_everything() {
    let (_t, cli) = cli_setup();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Лейла Гасанова",
        "--pseudonym",
        "C-001",
    ]);
    let a = cli_incident(&cli, "Qaradağ polis şöbəsi", "2025-05-01");
    let added = cli.ok(&[
        "evidence",
        "add",
        "--incident",
        &a,
        "--description",
        "Фото входа",
    ]);
    let id = added.split_whitespace().next().expect("id").to_owned();
    let o = cli.run(&["evidence", "edit", &id, "--no-incident"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("incident_ids"), "{err}");
    assert_eq!(cli_note(&cli, &id)["incident_ids"], json!([a]));
}
