//! The record store through the library API.

mod common;
use chrono::{Duration, TimeZone, Utc};
use common::{fast, new_vault, pass};
use vekil::model::*;
use vekil::search::SearchQuery;
use vekil::store::{ListFilter, PutOutcome};
use vekil::vault::{Vault, VaultError};
use vekil::Error;

fn at(day: u32, hour: u32) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::FixedOffset::east_opt(4 * 3600)
        .unwrap()
        .with_ymd_and_hms(2025, 3, day, hour, 0, 0)
        .unwrap()
}

#[test]
fn updates_record_old_and_new_values_and_guard_against_stale_writes() {
    let (_t, _d, v, _) = new_vault();
    let c = v.insert(Client::new("A B", "C-1")).unwrap();
    let mut i = Incident::quick(c.id, "IVS", at(1, 9), IncidentType::AccessDenied);
    let s = v.insert(i.clone()).unwrap();
    i.reason_given = "No permit from the investigator".into();
    i.status = RecordStatus::Final;
    let s2 = v.update(s.id, 1, i.clone()).unwrap();
    assert_eq!(s2.revision, 2);
    let h = v.history(Kind::Incident, s.id).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].changes["reason_given"]["old"], "");
    assert_eq!(
        h[1].changes["reason_given"]["new"],
        "No permit from the investigator"
    );
    assert_eq!(h[1].changes["status"]["new"], "final");
    assert!(
        h[1].changes.get("facility").is_none(),
        "unchanged fields are not listed"
    );
    // A stale editor (still at revision 1) is refused; nothing changes.
    i.notes = "stale".into();
    match v.update(s.id, 1, i) {
        Err(Error::Conflict { current: 2, .. }) => {}
        other => panic!("expected conflict, got {other:?}"),
    }
    assert_eq!(v.get::<Incident>(s.id).unwrap().data.notes, "");
}

#[test]
fn references_must_exist_and_block_deletion() {
    let (_t, _d, v, _) = new_vault();
    let ghost = uuid::Uuid::new_v4();
    let e = v
        .insert(Incident::quick(ghost, "IVS", at(1, 9), IncidentType::Other))
        .unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(ve) if ve.field == "client_id"),
        "{e}"
    );
    let c = v.insert(Client::new("A B", "C-1")).unwrap();
    let i = v
        .insert(Incident::quick(c.id, "IVS", at(1, 9), IncidentType::Other))
        .unwrap();
    assert!(matches!(
        v.delete::<Client>(c.id),
        Err(Error::InUse { count: 1, .. })
    ));
    v.delete::<Incident>(i.id).unwrap();
    v.delete::<Client>(c.id).unwrap();
    assert!(matches!(v.get::<Client>(c.id), Err(Error::NotFound { .. })));
    let h = v.history(Kind::Client, c.id).unwrap();
    assert_eq!(h.last().unwrap().op, "delete");
    assert_eq!(h.last().unwrap().changes["full_name"]["old"], "A B");
    assert!(v.verify().unwrap().is_ok());
}

#[test]
fn validation_names_nested_fields() {
    let (_t, _d, v, _) = new_vault();
    let c = v.insert(Client::new("A B", "C-1")).unwrap();
    let mut i = Incident::quick(c.id, "IVS", at(1, 9), IncidentType::Other);
    i.officials.push(Official::default());
    let e = v.insert(i.clone()).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(ve) if ve.field == "officials[0]"),
        "{e}"
    );
    i.officials.clear();
    i.witnesses.push(Witness {
        name: "W".into(),
        kind: WitnessKind::Other,
        role: "r".into(),
        contact: "x\u{7}".into(),
    });
    let e = v.insert(i).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(ve) if ve.field == "witnesses[0].contact"),
        "{e}"
    );
    let e = v.insert(Client::new("Same", "Same")).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(ve) if ve.field == "pseudonym"),
        "{e}"
    );
    assert_eq!(v.count(Kind::Incident).unwrap(), 0);
}

#[test]
fn search_and_filters() {
    let (_t, _d, v, _) = new_vault();
    let a = v.insert(Client::new("Rəşad Məmmədov", "C-1")).unwrap();
    let b = v.insert(Client::new("Анна Петрова", "C-2")).unwrap();
    let mut i1 = Incident::quick(a.id, "Baku SIZO-1", at(1, 9), IncidentType::AccessDenied);
    i1.officials.push(Official {
        name: "Major Əliyev".into(),
        ..Default::default()
    });
    i1.reason_given = "The investigator has not given permission".into();
    v.insert(i1).unwrap();
    let mut i2 = Incident::quick(
        b.id,
        "Gəncə IVS",
        at(5, 9),
        IncidentType::MeetingTimeLimited,
    );
    i2.reason_given = "Свидание ограничено 15 минутами".into();
    v.insert(i2).unwrap();
    v.insert(Incident::quick(
        a.id,
        "Gəncə IVS",
        at(9, 9),
        IncidentType::AccessDenied,
    ))
    .unwrap();

    let q = |text: &str| SearchQuery {
        text: text.into(),
        ..Default::default()
    };
    let hits = v.search(&q("Əliyev")).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(matches!(
        hits[0].title,
        Title::Incident {
            incident_type: IncidentType::AccessDenied,
            ..
        }
    ));
    assert_eq!(v.search(&q("permis")).unwrap().len(), 1, "prefix match");
    assert_eq!(v.search(&q("минутами")).unwrap().len(), 1);
    let hits = v.search(&q("Петрова")).unwrap();
    assert_eq!(hits[0].kind, Kind::Client);
    let Title::Client { full_name, .. } = &hits[0].title else {
        panic!("{:?}", hits[0].title)
    };
    assert!(full_name.iter().any(|p| p.hit && p.text == "Петрова"));
    assert!(
        v.search(&q("\" OR NEAR(")).unwrap().is_empty(),
        "syntax is not injected"
    );
    let gence = SearchQuery {
        facility: Some("gəncə ivs".into()),
        ..q("ivs")
    };
    assert_eq!(v.search(&gence).unwrap().len(), 2);
    let by_client = SearchQuery {
        client_id: Some(a.id),
        ..q("gəncə")
    };
    assert_eq!(v.search(&by_client).unwrap().len(), 1);

    let f = ListFilter {
        client_id: Some(a.id),
        ..Default::default()
    };
    assert_eq!(v.list::<Incident>(&f).unwrap().len(), 2);
    let f = ListFilter {
        subtype: Some("access_denied".into()),
        from: Some(at(2, 0)),
        ..Default::default()
    };
    let l = v.list::<Incident>(&f).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].data.facility.name, "Gəncə IVS");
    let f = ListFilter {
        oldest_first: true,
        ..Default::default()
    };
    let l = v.list::<Incident>(&f).unwrap();
    assert_eq!(l[0].data.occurred.at, at(1, 9));
    let offered: Vec<String> = v
        .facility_suggest("G", 20)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(offered, vec!["Gəncə IVS".to_owned()]);
}

#[test]
fn case_timeline_and_agenda() {
    let (_t, _d, v, _) = new_vault();
    let c = v.insert(Client::new("A B", "C-1")).unwrap();
    let case = v.insert(Case::new(c.id, "1-123/2025")).unwrap();
    v.insert(Hearing::new(
        case.id,
        at(20, 10),
        HearingKind::DetentionExtension,
    ))
    .unwrap();
    v.insert(Incident::quick(
        c.id,
        "IVS",
        at(2, 9),
        IncidentType::AccessDenied,
    ))
    .unwrap();
    let mut late = Hearing::new(case.id, at(10, 10), HearingKind::PreventiveMeasure);
    late.outcome = "Detention for 4 months".into();
    v.insert(late).unwrap();
    v.insert(Deadline {
        case_id: case.id,
        due: at(15, 18),
        kind: DeadlineKind::Appeal,
        source_rule: "CPC".into(),
        done: false,
        notes: String::new(),
    })
    .unwrap();
    let tl = v.case_timeline(case.id).unwrap();
    let kinds: Vec<Kind> = tl.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![Kind::Incident, Kind::Hearing, Kind::Deadline, Kind::Hearing]
    );
    assert_eq!(tl[1].detail, "Detention for 4 months");
    v.set_time_zone(Some(vekil::dates::Zone::named("Asia/Baku").unwrap()))
        .unwrap();
    let agenda = v.agenda(at(9, 0).with_timezone(&Utc), 7).unwrap();
    assert_eq!(
        agenda.len(),
        2,
        "hearing on the 10th, deadline on the 15th; not the 20th"
    );
}

/// Issue 12.2: an agenda item says whose it is and which case, so the
/// lawyer can tell two "Extension of detention" hearings apart; the window
/// shows the pseudonym or the full name, as chosen in Settings.
#[test]
fn agenda_items_name_the_client_and_the_case() {
    let (_t, _d, v, _) = new_vault();
    let c = v.insert(Client::new("Rəşid Qasımlı", "C-033")).unwrap();
    let case = v.insert(Case::new(c.id, "1(101)-2231/2026")).unwrap();
    v.insert(Hearing::new(
        case.id,
        at(10, 10),
        HearingKind::DetentionExtension,
    ))
    .unwrap();
    v.insert(Deadline {
        case_id: case.id,
        due: at(12, 18),
        kind: DeadlineKind::Appeal,
        source_rule: "CPC 384".into(),
        done: false,
        notes: String::new(),
    })
    .unwrap();
    let agenda = v.agenda(at(9, 0).with_timezone(&chrono::Utc), 7).unwrap();
    assert_eq!(agenda.len(), 2);
    for e in &agenda {
        assert_eq!(e.case_id, Some(case.id), "{:?} links to its case", e.kind);
        assert_eq!(e.case_number.as_deref(), Some("1(101)-2231/2026"));
        assert_eq!(e.client.as_deref(), Some("C-033"));
        assert_eq!(e.client_name.as_deref(), Some("Rəşid Qasımlı"));
    }
}

#[test]
fn a_client_with_many_incidents_opens_on_the_newest_page_and_pages_on() {
    use vekil::overview::INCIDENT_PAGE;
    let (_t, _d, v, _) = new_vault();
    let held = v.insert(Client::new("Rəşad Məmmədov", "C-1")).unwrap();
    let other = v.insert(Client::new("Нигяр Алиева", "C-2")).unwrap();
    let n = INCIDENT_PAGE as usize * 2 + 30;
    let start = at(1, 0);
    v.write(|w| {
        for i in 0..n {
            w.insert(Incident::quick(
                held.id,
                "Kürdəxanı İstintaq Təcridxanası",
                start + Duration::hours(i as i64),
                IncidentType::AccessDenied,
            ))?;
        }
        w.insert(Incident::quick(
            other.id,
            "Kürdəxanı",
            start,
            IncidentType::AccessDenied,
        ))?;
        Ok(())
    })
    .unwrap();

    let o = v.client_overview(held.id).unwrap();
    assert_eq!(
        o.incident_total, n as u64,
        "the page says how many there are"
    );
    assert_eq!(
        o.incidents.len(),
        INCIDENT_PAGE as usize,
        "only the first page is read"
    );
    assert_eq!(
        o.incidents[0].data.occurred.at,
        start + Duration::hours(n as i64 - 1)
    );

    // "Show more" until everything is shown: every incident once, newest first.
    let mut shown = o.incidents;
    loop {
        let next = v.client_incidents(held.id, shown.len() as u32).unwrap();
        if next.is_empty() {
            break;
        }
        shown.extend(next);
    }
    assert_eq!(shown.len(), n);
    let times: Vec<_> = shown.iter().map(|i| i.data.occurred.at).collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    newest_first.dedup();
    assert_eq!(times, newest_first, "in order, none twice, none missing");
    assert!(shown.iter().all(|i| i.data.client_id == held.id));
}

#[test]
fn client_overview_gathers_everything_about_one_client() {
    let (_t, _d, v, _) = new_vault();
    let a = v.insert(Client::new("A B", "C-1")).unwrap();
    let b = v.insert(Client::new("C D", "C-2")).unwrap();
    let mut joint = Case::new(a.id, "1-1/2025");
    joint.client_ids.push(b.id);
    let joint = v.insert(joint).unwrap();
    let only_b = v.insert(Case::new(b.id, "1-2/2025")).unwrap();
    v.insert(Hearing::new(joint.id, at(20, 10), HearingKind::Trial))
        .unwrap();
    v.insert(Hearing::new(joint.id, at(10, 10), HearingKind::Preliminary))
        .unwrap();
    v.insert(Hearing::new(only_b.id, at(12, 10), HearingKind::Trial))
        .unwrap();
    for day in [1, 3, 2] {
        v.insert(Incident::quick(
            a.id,
            "IVS",
            at(day, 9),
            IncidentType::AccessDenied,
        ))
        .unwrap();
    }
    v.insert(Incident::quick(
        b.id,
        "IVS",
        at(4, 9),
        IncidentType::AccessDenied,
    ))
    .unwrap();
    let mut e = EvidenceNote::new("scan");
    e.client_id = Some(a.id);
    v.insert(e).unwrap();
    let o = v.client_overview(a.id).unwrap();
    assert_eq!(o.client.id, a.id);
    assert_eq!(o.cases.len(), 1, "only the joint case");
    let kinds: Vec<_> = o.hearings.iter().map(|h| h.data.kind).collect();
    assert_eq!(
        kinds,
        vec![HearingKind::Preliminary, HearingKind::Trial],
        "soonest first"
    );
    let days: Vec<_> = o.incidents.iter().map(|i| i.data.occurred.at).collect();
    assert_eq!(
        days,
        vec![at(3, 9), at(2, 9), at(1, 9)],
        "newest first, only this client's"
    );
    assert_eq!(o.evidence.len(), 1);
    assert!(matches!(
        v.client_overview(uuid::Uuid::new_v4()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn put_stored_merges_by_id_and_revision() {
    let (_t, _d, v, _) = new_vault();
    let (_t2, _d2, other, _) = new_vault();
    let from = vekil::store::Origin::Signer(
        "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3".into(),
    );
    let c = v.insert(Client::new("A B", "C-1")).unwrap();
    assert_eq!(
        other.write(|w| w.put_stored(&c, &from)).unwrap(),
        PutOutcome::Added
    );
    assert_eq!(
        other.write(|w| w.put_stored(&c, &from)).unwrap(),
        PutOutcome::Unchanged
    );
    let mut data = c.data.clone();
    data.notes = "newer".into();
    let c2 = v.update(c.id, 1, data).unwrap();
    assert_eq!(
        other.write(|w| w.put_stored(&c2, &from)).unwrap(),
        PutOutcome::Replaced
    );
    assert_eq!(
        other.write(|w| w.put_stored(&c, &from)).unwrap(),
        PutOutcome::KeptNewer
    );
    let mut forked = c2.clone();
    forked.data.notes = "different at same revision".into();
    assert_eq!(
        other.write(|w| w.put_stored(&forked, &from)).unwrap(),
        PutOutcome::Conflict
    );
    assert_eq!(other.get::<Client>(c.id).unwrap().data.notes, "newer");
    assert_eq!(other.count(Kind::Client).unwrap(), 1);
    assert!(other.verify().unwrap().is_ok());
    // A failing record rolls back the whole batch.
    let ghost_inc = Stored {
        id: uuid::Uuid::new_v4(),
        revision: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        data: Incident::quick(uuid::Uuid::new_v4(), "X", at(1, 1), IncidentType::Other),
    };
    let c3 = Stored {
        id: uuid::Uuid::new_v4(),
        ..c.clone()
    };
    let r = other.write(|w| {
        w.put_stored(&c3, &from)?;
        w.put_stored(&ghost_inc, &from)
    });
    assert!(r.is_err());
    assert_eq!(other.count(Kind::Client).unwrap(), 1, "all or nothing");
}

fn signer_origin() -> vekil::store::Origin {
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    vekil::store::Origin::Signer(kp.pk.to_base64())
}

/// The store itself refuses a merge across origins, whoever calls it: an
/// id taken by a local record or another signer's, and a link to another
/// origin's record, write nothing; local edits keep a record's origin.
#[test]
fn put_stored_never_crosses_origins() {
    use vekil::store::{Origin, OriginError};
    let (_t, _d, v, _) = new_vault();
    let (x, y) = (signer_origin(), signer_origin());
    let local = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap();
    let theirs = Stored {
        id: uuid::Uuid::new_v4(),
        revision: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        data: Client::new("(withheld: Client A-17)", "Client A-17"),
    };
    assert_eq!(
        v.write(|w| w.put_stored(&theirs, &x)).unwrap(),
        PutOutcome::Added
    );

    let mut forged = local.clone();
    forged.revision = 9;
    forged.data.notes = "Иванов".into();
    match v.write(|w| w.put_stored(&forged, &x)) {
        Err(Error::Origin(e @ OriginError::Clash { .. })) => {
            assert_eq!(*e.origin(), Origin::Local);
            assert!(
                e.to_string().contains(&format!("client {}", local.id)),
                "{e}"
            );
        }
        other => panic!("local record replaced: {other:?}"),
    }
    let mut forged = theirs.clone();
    forged.revision = 2;
    assert!(matches!(
        v.write(|w| w.put_stored(&forged, &y)),
        Err(Error::Origin(OriginError::Clash { .. }))
    ));
    let link = |client: uuid::Uuid| Stored {
        id: uuid::Uuid::new_v4(),
        revision: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        data: Incident::quick(
            client,
            "ИВС ГУВД города Баку",
            at(2, 10),
            IncidentType::AccessDenied,
        ),
    };
    match v.write(|w| w.put_stored(&link(theirs.id), &y)) {
        Err(Error::Origin(OriginError::ForeignLink {
            field, target_id, ..
        })) => {
            assert_eq!(field, "client_id");
            assert_eq!(target_id, theirs.id);
        }
        other => panic!("foreign link accepted: {other:?}"),
    }
    assert!(matches!(
        v.write(|w| w.put_stored(&link(local.id), &x)),
        Err(Error::Origin(OriginError::ForeignLink { .. }))
    ));
    assert_eq!(v.get::<Client>(local.id).unwrap(), local, "nothing written");
    assert_eq!(v.count(Kind::Incident).unwrap(), 0);
    // Its own signer may link to it; a local edit keeps the origin.
    assert_eq!(
        v.write(|w| w.put_stored(&link(theirs.id), &x)).unwrap(),
        PutOutcome::Added
    );
    let mut data = theirs.data.clone();
    data.notes = "Görüşə icazə verilmədi".into();
    v.update(theirs.id, 1, data).unwrap();
    v.write(|w| {
        assert_eq!(w.origin_of(Kind::Client, theirs.id)?, Some(x.clone()));
        assert_eq!(w.origin_of(Kind::Client, local.id)?, Some(Origin::Local));
        // Only unknown records can be adopted.
        assert!(!w.adopt(Kind::Client, theirs.id, &y)?);
        assert!(!w.adopt(Kind::Client, local.id, &y)?);
        Ok(())
    })
    .unwrap();
    assert!(v.verify().unwrap().is_ok());
}

#[test]
fn attachments_round_trip_deduplicate_and_hide_their_hash() {
    let (_t, dir, v, _) = new_vault();
    let c = v.insert(Client::new("A B", "C-1")).unwrap();
    let mut n = EvidenceNote::new("photo of injuries");
    n.client_id = Some(c.id);
    let n = v.insert(n).unwrap();
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..300_000u32).map(|i| (i % 251) as u8));
    let a = v.attach(n.id, "face.png", &bytes).unwrap();
    assert_eq!(a.media_type, "image/jpeg", "read from the content");
    assert_eq!(a.size, bytes.len() as u64);
    assert_eq!(&*v.read_attachment(&a.sha256).unwrap(), &bytes);
    v.attach(n.id, "copy.jpg", &bytes).unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.join("attachments"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1, "same content stored once");
    let fname = files[0].file_name().to_string_lossy().into_owned();
    assert!(
        !fname.contains(&a.sha256[..16]),
        "file name must not reveal the content hash"
    );
    assert_eq!(
        v.get::<EvidenceNote>(n.id).unwrap().data.attachments.len(),
        2
    );
    assert!(v.read_attachment(&"0".repeat(64)).is_err());
    // The stock age tool can open it with the vault's own identity, not without.
    assert!(std::fs::read(files[0].path())
        .unwrap()
        .starts_with(b"age-encryption.org/v1"));
}

/// A program started anywhere in the process (another thread's
/// `Command`, a dialog helper) is a copy of it until it runs its own code,
/// and holds every open file of ours until then, the vault's lock file
/// too. An flock belongs to the open file, not to one descriptor, so
/// closing ours left the vault "in use by another program" until that copy
/// went away: seen in CI when a test reopened a vault while a test beside
/// it started `minisign`. Closing a vault now releases its lock outright.
#[cfg(unix)]
#[test]
fn a_closed_vault_opens_again_while_a_program_is_starting() {
    use std::os::unix::process::CommandExt;
    let (_t, dir, v, _code) = new_vault();
    let starting = std::thread::spawn(|| {
        let mut cmd = std::process::Command::new("true");
        // SAFETY: the child only sleeps (nanosleep is async-signal-safe)
        // before it runs `true`; it holds copies of our files meanwhile.
        unsafe {
            cmd.pre_exec(|| {
                std::thread::sleep(std::time::Duration::from_millis(1500));
                Ok(())
            });
        }
        cmd.status().expect("run true")
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    v.close().expect("close");
    let again = Vault::unlock(&dir, &pass());
    assert!(starting.join().expect("thread").success());
    again.expect("a closed vault opens again at once");
}

#[test]
fn passphrase_change_lock_and_drafts() {
    let (_t, dir, v, code) = new_vault();
    v.put_draft("incident", r#"{"facility":"half typed"}"#)
        .unwrap();
    // A second opener is refused while the first holds the vault.
    assert!(matches!(
        Vault::unlock(&dir, &pass()),
        Err(VaultError::InUse(_))
    ));
    let new = vekil::secret::Passphrase::new("a brand new passphrase".into());
    assert!(matches!(
        v.change_passphrase(&new, &new),
        Err(VaultError::WrongPassphrase { .. })
    ));
    let short = vekil::secret::Passphrase::new("short".into());
    assert!(matches!(
        v.change_passphrase(&pass(), &short),
        Err(VaultError::Invalid(_))
    ));
    v.change_passphrase(&pass(), &new).unwrap();
    // Asked again while still open (a second change, the wipe setting, a
    // backup), the old passphrase is refused and the new one accepted.
    assert!(matches!(
        v.change_passphrase(&pass(), &new),
        Err(VaultError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        v.set_wipe_after_failures(&pass(), None),
        Err(VaultError::WrongPassphrase { .. })
    ));
    v.set_wipe_after_failures(&new, None).unwrap();
    drop(v);
    assert!(matches!(
        Vault::unlock(&dir, &pass()),
        Err(VaultError::WrongPassphrase { failed_attempts: 1 })
    ));
    let v = Vault::unlock(&dir, &new).unwrap();
    assert_eq!(
        v.take_draft("incident").unwrap().as_deref(),
        Some(r#"{"facility":"half typed"}"#)
    );
    assert_eq!(v.take_draft("incident").unwrap(), None);
    drop(v);
    let code = vekil::secret::RecoveryCode::parse(&code).unwrap();
    let v = Vault::recover(&dir, &code, &pass()).unwrap();
    drop(v);
    Vault::unlock(&dir, &pass()).unwrap();
    // Creating over an existing vault is refused.
    assert!(matches!(
        Vault::create_with(&dir, &pass(), &fast()),
        Err(VaultError::AlreadyExists(_))
    ));
    let status = Vault::status(&dir);
    assert!(status.exists && status.failed_attempts == 0);
    let _ = Duration::zero();
}
