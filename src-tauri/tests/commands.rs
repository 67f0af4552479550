//! Command-level tests through Tauri's mock runtime: the same IPC path the
//! window uses (origin tauri://localhost), so argument parsing and error
//! mapping are exercised, not just the functions.

mod support;

use serde_json::{json, Value};
use support::*;
use tauri::ipc::InvokeBody;
use tauri::test::get_ipc_response;
use vekil_desktop::picked::Purpose;
use vekil_desktop::state::AppState;

#[test]
fn locked_vault_refuses_with_a_typed_error() {
    let h = harness();
    assert_eq!(h.err_kind("client_list", json!({})), "locked");
    let status = h.ok("vault_status", json!({}));
    assert_eq!(status["exists"], false);
    assert_eq!(status["unlocked"], false);
}

/// The window checks passphrase length with the number `vault_status`
/// reports; the backend must refuse exactly below that number.
#[test]
fn passphrase_rule_is_the_one_the_status_reports() {
    let h = harness();
    let min = h.ok("vault_status", json!({}))["min_passphrase_chars"]
        .as_u64()
        .expect("min_passphrase_chars") as usize;
    assert!(min >= 12, "passphrase minimum is {min}");
    // Counted in characters, not bytes: "ə" is two bytes in UTF-8.
    let short: String = "ə".repeat(min - 1);
    assert_eq!(
        h.err_kind("vault_create", json!({ "passphrase": short })),
        "invalid_input"
    );
    assert_eq!(h.ok("vault_status", json!({}))["exists"], false);
    let exact: String = "ə".repeat(min);
    h.ok("vault_create", json!({ "passphrase": exact }));
}

#[test]
fn create_lock_unlock_and_wrong_passphrase() {
    let h = harness();
    let created = h.ok(
        "vault_create",
        json!({"passphrase": "correct horse battery staple"}),
    );
    let code = created["recovery_code"].as_str().expect("code");
    assert!(code.len() >= 32, "recovery code too short: {code}");
    h.ok("vault_lock", json!({"draft": null}));
    assert_eq!(h.err_kind("client_list", json!({})), "locked");
    assert_eq!(
        h.err_kind("vault_unlock", json!({"passphrase": "not the passphrase"})),
        "wrong_passphrase"
    );
    h.ok(
        "vault_unlock",
        json!({"passphrase": "correct horse battery staple"}),
    );
    h.ok("client_list", json!({}));
}

#[test]
fn malformed_arguments_give_typed_errors_not_panics() {
    let h = harness().unlocked();
    // A record of the wrong shape, an unknown enum value, a bad id.
    assert_eq!(
        h.err_kind("client_create", json!({"client": {"nope": 1}})),
        "invalid_input"
    );
    assert_eq!(
        h.err_kind("client_create", json!({"client": "text"})),
        "invalid_input"
    );
    assert_eq!(
        h.err_kind("client_overview", json!({"id": "not-a-uuid"})),
        "invalid_input"
    );
    let client = h.client();
    let bad_type = json!({"quick": {"client_id": client, "facility": "IVS-1",
        "at": "2026-11-24T09:00:00+04:00", "incident_type": "made_up"}});
    assert_eq!(h.err_kind("incident_quick", bad_type), "invalid_input");
    // Validation by the core names the field.
    let e = h
        .call(
            "client_create",
            json!({"client": {"full_name": "A", "pseudonym": ""}}),
        )
        .expect_err("empty pseudonym");
    assert_eq!(e["kind"], "invalid_input");
    assert_eq!(e["field"], "pseudonym");
    // A 1 MB string is refused, not stored.
    let huge = "x".repeat(1_000_000);
    assert_eq!(
        h.err_kind(
            "client_create",
            json!({"client": {"full_name": huge, "pseudonym": "P"}})
        ),
        "invalid_input"
    );
    // Missing arguments are still an error value (Tauri's), never a panic.
    assert!(h.call("incident_get", json!({})).is_err());
}

#[test]
fn quick_incident_then_full_record_then_search() {
    let h = harness().unlocked();
    let client = h.client();
    let saved = h.ok(
        "incident_quick",
        json!({"quick": {"client_id": client, "facility": "Bakı İSS-1",
            "at": "2026-11-24T09:30:00+04:00", "incident_type": "access_denied"}}),
    );
    assert_eq!(saved["status"], "draft");
    let id = saved["id"].as_str().expect("id").to_owned();
    let mut record = saved.clone();
    for k in ["id", "revision", "created_at", "updated_at"] {
        record.as_object_mut().expect("object").remove(k);
    }
    record["reason_given"] = json!("Müstəntiq icazə vermədi quartzcanary");
    record["status"] = json!("final");
    let updated = h.ok(
        "incident_update",
        json!({"id": id, "revision": saved["revision"], "incident": record}),
    );
    assert_eq!(updated["revision"], 2);
    // A stale revision is a conflict.
    assert_eq!(
        h.err_kind(
            "incident_update",
            json!({"id": id, "revision": 1, "incident": record})
        ),
        "conflict"
    );
    let hits = h.ok("search", json!({"text": "quartzcanary"}));
    assert_eq!(hits.as_array().map(Vec::len), Some(1));
    assert_eq!(hits[0]["kind"], "incident");
    // The quick log named a new place: it is in the register, found by
    // a prefix typed without Azerbaijani letters, with its one incident.
    let found = h.ok("facility_suggest", json!({"text": "baki iss"}));
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["name"], "Bakı İSS-1");
    assert_eq!(found[0]["incidents"], 1);
    assert_eq!(found[0]["id"], saved["facility"]["id"]);
}

#[test]
fn draft_survives_lock_and_is_taken_once() {
    let h = harness().unlocked();
    h.ok(
        "vault_lock",
        json!({"draft": "{\"form\":\"quick\",\"facility\":\"draftcanary\"}"}),
    );
    h.ok(
        "vault_unlock",
        json!({"passphrase": "correct horse battery staple"}),
    );
    let d = h.ok("draft_take", json!({}));
    assert!(d.as_str().is_some_and(|s| s.contains("draftcanary")));
    assert_eq!(h.ok("draft_take", json!({})), Value::Null);
}

#[test]
fn attachment_raw_body_round_trip() {
    let h = harness().unlocked();
    let client = h.client();
    let note = h.ok(
        "evidence_create",
        json!({"evidence": {"description": "Refusal letter", "client_id": client}}),
    );
    let id = note["id"].as_str().expect("id");
    let body = b"%PDF-1.4 attachment canary".to_vec();
    let resp = get_ipc_response(
        &h.window,
        request(
            "evidence_attach",
            InvokeBody::Raw(body.clone()),
            &[("x-evidence-id", id), ("x-file-name", "r%C9%99dd.pdf")],
        ),
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
    .expect("attach");
    assert_eq!(resp["file_name"], "rədd.pdf");
    assert_eq!(resp["size"], body.len());
    assert_eq!(resp["sha256"].as_str().map(str::len), Some(64));
    // Missing header: typed error.
    let e = get_ipc_response(
        &h.window,
        request(
            "evidence_attach",
            InvokeBody::Raw(body),
            &[("x-evidence-id", id)],
        ),
    )
    .expect_err("no file name");
    assert_eq!(e["kind"], "invalid_input");
    assert_eq!(
        h.err_kind("attachment_read", json!({"sha256": "zz"})),
        "invalid_input"
    );
}

/// Issue 12: a note documents several incidents, and the incident page asks
/// the core for the notes of one incident (it used to fetch every note and
/// compare one `incident_id` in the page).
#[test]
fn the_incident_page_gets_every_note_that_documents_it() {
    let h = harness().unlocked();
    let client = h.client();
    let quick = |facility: &str| {
        h.ok(
            "incident_quick",
            json!({"quick": {"client_id": client, "facility": facility,
                "at": "2026-11-24T09:30:00+04:00", "incident_type": "access_denied"}}),
        )["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (a, b, c) = (
        quick("Bakı İSS-1"),
        quick("Кюрдаханы СИЗО"),
        quick("Qaradağ"),
    );
    let both = h.ok(
        "evidence_create",
        json!({"evidence": {"description": "Yazılı imtina", "client_id": client,
            "incident_ids": [b, a]}}),
    );
    assert_eq!(both["incident_ids"], json!([b, a]));
    // The window's older shape still reads, as one incident.
    let older = h.ok(
        "evidence_create",
        json!({"evidence": {"description": "Фото", "client_id": client, "incident_id": a}}),
    );
    assert_eq!(older["incident_ids"], json!([a]));
    let of = |id: &str| {
        let mut v: Vec<String> = h
            .ok("evidence_of_incident", json!({"id": id}))
            .as_array()
            .expect("list")
            .iter()
            .map(|n| n["id"].as_str().expect("id").to_owned())
            .collect();
        v.sort();
        v
    };
    let mut want = vec![
        both["id"].as_str().expect("id").to_owned(),
        older["id"].as_str().expect("id").to_owned(),
    ];
    want.sort();
    assert_eq!(of(&a), want);
    assert_eq!(of(&b), vec![both["id"].as_str().expect("id").to_owned()]);
    assert!(of(&c).is_empty());
    // The same incident twice names the entry; a bad id is typed.
    let e = h
        .call(
            "evidence_create",
            json!({"evidence": {"description": "x", "client_id": client, "incident_ids": [a, a]}}),
        )
        .expect_err("a repeated incident");
    assert_eq!(e["kind"], "invalid_input");
    assert_eq!(e["field"], "incident_ids[1]");
    assert_eq!(
        h.err_kind("evidence_of_incident", json!({"id": "not-an-id"})),
        "invalid_input"
    );
}

/// Issue 9: the page cannot rewrite what intake recorded about a file.
#[test]
fn evidence_update_cannot_change_an_attachments_media_type() {
    let h = harness().unlocked();
    let client = h.client();
    let note = h.ok(
        "evidence_create",
        json!({"evidence": {"description": "Video from the yard", "client_id": client}}),
    );
    let id = note["id"].as_str().expect("id");
    // A QuickTime header named as if it were text.
    let mut mov = vec![0, 0, 0, 20];
    mov.extend_from_slice(b"ftypqt  \0\0\x02\0qt  ");
    mov.extend_from_slice(&[0, 0, 0, 8]);
    mov.extend_from_slice(b"mdat");
    let attached = get_ipc_response(
        &h.window,
        request(
            "evidence_attach",
            InvokeBody::Raw(mov),
            &[("x-evidence-id", id), ("x-file-name", "notes.txt")],
        ),
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
    .expect("attach");
    assert_eq!(attached["media_type"], "video/quicktime");
    let current = h.ok("evidence_get", json!({"id": id}));
    let mut data = data_of(&current);
    data["attachments"][0]["media_type"] = json!("text/plain");
    let e = h
        .call(
            "evidence_update",
            json!({"id": id, "revision": current["revision"], "evidence": data}),
        )
        .expect_err("media type rewritten");
    assert_eq!(e["kind"], "invalid_input");
    assert_eq!(e["field"], "attachments[0].media_type");
    let mut data = data_of(&current);
    data["attachments"]
        .as_array_mut()
        .expect("array")
        .push(json!({"sha256": "ab".repeat(32), "file_name": "x.jpg", "size": 3, "media_type": "image/jpeg"}));
    let e = h
        .call(
            "evidence_update",
            json!({"id": id, "revision": current["revision"], "evidence": data}),
        )
        .expect_err("attachment added by the page");
    assert_eq!(e["field"], "attachments[1]");
    let after = h.ok("evidence_get", json!({"id": id}));
    assert_eq!(after["revision"], current["revision"], "nothing saved");
    assert_eq!(after["attachments"][0]["media_type"], "video/quicktime");
}

#[test]
fn settings_are_validated() {
    let h = harness();
    let s = h.ok("settings_get", json!({}));
    assert_eq!(s["auto_lock_minutes"], 5);
    assert_eq!(
        h.err_kind(
            "settings_set",
            json!({"settings": {"language": "fr", "auto_lock_minutes": 5}})
        ),
        "invalid_input"
    );
    let saved = h.ok(
        "settings_set",
        json!({"settings": {"language": "az", "auto_lock_minutes": 10}}),
    );
    assert_eq!(saved["language"], "az");
    assert_eq!(h.ok("settings_get", json!({}))["language"], "az");
}

#[test]
fn export_commands_write_a_bundle_and_refuse_bad_paths() {
    let h = harness().unlocked();
    let out = tempfile::tempdir().expect("temp dir");
    let public = vekil::import::keygen(&out.path().join("ngo.txt")).expect("keygen");
    assert_eq!(
        h.err_kind(
            "recipient_add",
            json!({"name": "NGO", "agePublicKey": "age1notakey"})
        ),
        "invalid_input"
    );
    let r = h.ok(
        "recipient_add",
        json!({"name": "Azərbaycan NGO", "agePublicKey": public}),
    );
    assert_eq!(r["fingerprint"].as_str().map(str::len), Some(24));
    assert_eq!(
        h.ok("recipient_list", json!({})).as_array().map(Vec::len),
        Some(1)
    );
    let request = json!({"format": "bundle", "profile": "ngo", "recipients": ["Azərbaycan NGO"],
                         "from": null, "to": null, "client": null});
    let p = h.ok("export_preview", json!({"request": request}));
    assert_eq!(p["profile"], "ngo");
    assert!(p["records"].is_array());
    assert_eq!(
        h.err_kind("export_preview", json!({"request": {"format": "zip"}})),
        "invalid_input"
    );
    let file = out.path().join("b.age");
    let done = h.ok(
        "export_write",
        json!({"request": request, "destination": h.chosen(&file)}),
    );
    assert_eq!(done["manifest_sha256"].as_str().map(str::len), Some(64));
    assert!(std::fs::metadata(&file)
        .map(|m| m.len() > 0)
        .unwrap_or(false));
    // The token was spent by the write; the page cannot name the path.
    let first = std::fs::read(&file).expect("export");
    for destination in [file.to_string_lossy().into_owned(), "b.age".into()] {
        assert_eq!(
            h.err_kind(
                "export_write",
                json!({"request": request, "destination": destination})
            ),
            "choice_expired"
        );
    }
    // The old call, a path and replace=true, is refused by Tauri itself.
    let old = h
        .call(
            "export_write",
            json!({"request": request, "path": file.to_string_lossy(), "replace": true}),
        )
        .expect_err("no destination token");
    assert!(old.to_string().contains("destination"), "{old}");
    // A file that appeared after the dialog closed is not replaced (the
    // dialog did not ask), and the choice is given back for a retry.
    let token = {
        use tauri::Manager;
        let state = h.window.state::<AppState>();
        state
            .picks
            .add(
                state.picks.generation(),
                file.clone(),
                Purpose::Export,
                false,
            )
            .expect("token")
    };
    let e = h
        .call(
            "export_write",
            json!({"request": request, "destination": token}),
        )
        .expect_err("appeared since");
    assert_eq!(
        (e["kind"].as_str(), e["field"].as_str()),
        (Some("file_exists"), Some("destination"))
    );
    assert_eq!(std::fs::read(&file).expect("export"), first);
    // A token for a file to attach never becomes an export destination.
    let attach = {
        use tauri::Manager;
        let state = h.window.state::<AppState>();
        state
            .picks
            .add(
                state.picks.generation(),
                file.clone(),
                Purpose::Attach,
                false,
            )
            .expect("token")
    };
    assert_eq!(
        h.err_kind(
            "export_write",
            json!({"request": request, "destination": attach})
        ),
        "choice_expired"
    );
    assert_eq!(std::fs::read(&file).expect("export"), first);
    let key = h.ok("signing_public_key", json!({}));
    assert_eq!(key["key_id"].as_str().map(str::len), Some(16));
    assert_eq!(h.ok("export_stats", json!({}))["incidents"], 0);
    assert_eq!(
        h.ok("recipient_remove", json!({"name": "Azərbaycan NGO"})),
        true
    );
    // Every plain format writes a file for the lawyer's own use.
    for (format, ext) in [
        ("json", "json"),
        ("csv", "csv"),
        ("pdf", "pdf"),
        ("ics", "ics"),
        ("huridocs", "huridocs.json"),
    ] {
        let file = out.path().join(format!("own.{ext}"));
        let done = h.ok(
            "export_write",
            json!({"request": {"format": format, "profile": "full", "recipients": [],
                               "from": "2026-01-01", "to": "2026-12-31", "client": null},
                   "destination": h.chosen(&file)}),
        );
        assert!(done["manifest_sha256"].is_null());
        assert!(
            std::fs::metadata(&file)
                .map(|m| m.len() > 0)
                .unwrap_or(false),
            "{format} wrote nothing"
        );
    }
    // A period that ends before it starts is refused, naming the field.
    let e = h
        .call(
            "export_preview",
            json!({"request": {"format": "json", "profile": "full", "recipients": [],
                               "from": "2026-05-01", "to": "2026-04-01", "client": null}}),
        )
        .expect_err("backwards period");
    assert_eq!(e["field"], "to");
}

#[test]
fn export_write_reports_progress_and_offers_the_cli_options() {
    use std::sync::{Arc, Mutex};
    use tauri::Listener;
    let h = harness().unlocked();
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = seen.clone();
    h._app.listen("export-progress", move |e| {
        if let (Ok(mut s), Ok(v)) = (sink.lock(), serde_json::from_str(e.payload())) {
            s.push(v);
        }
    });
    let take = || std::mem::take(&mut *seen.lock().expect("events"));
    let client = h.client();
    let incident = h.ok(
        "incident_quick",
        json!({"quick": {"client_id": client, "facility": "Bakı İSS-1",
            "at": "2026-11-24T09:30:00+04:00", "incident_type": "access_denied"}}),
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let out = tempfile::tempdir().expect("temp dir");
    let public = vekil::import::keygen(&out.path().join("ngo.txt")).expect("keygen");
    h.ok(
        "recipient_add",
        json!({"name": "NGO", "agePublicKey": public}),
    );

    // The preview speaks in codes and data, not English sentences.
    let p = h.ok(
        "export_preview",
        json!({"request": {"format": "bundle", "profile": "ngo", "recipients": ["NGO"],
                           "from": null, "to": null, "client": null}}),
    );
    assert_eq!(
        p["excluded"][0]["reason"],
        json!({"code": "no_consent", "recipient": "ngo"})
    );
    let p = h.ok(
        "export_preview",
        json!({"request": {"format": "json", "profile": "full", "recipients": [],
                           "from": null, "to": null, "client": null}}),
    );
    let titles: Vec<&Value> = p["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| &r["title"])
        .collect();
    assert!(
        titles.contains(&&json!({"of": "incident", "incident_type": "access_denied",
                                     "facility": "Bakı İSS-1"}))
    );
    assert!(
        titles.contains(&&json!({"of": "client", "full_name": "Elçin Məmmədov",
                                     "pseudonym": "C-001"}))
    );

    // A bundle without its PDF: selecting, then each step, then done at the total.
    take();
    let bundle = out.path().join("b.age");
    let done = h.ok(
        "export_write",
        json!({"request": {"format": "bundle", "profile": "full", "recipients": ["NGO"],
                           "from": null, "to": null, "client": null, "without_pdf": true,
                           "without_attachments": true},
               "destination": h.chosen(&bundle)}),
    );
    // No consent is recorded for the NGO: the incident stays home.
    assert_eq!(
        (done["incidents"].clone(), done["held_back"].clone()),
        (json!(0), json!(1))
    );
    let events = take();
    let phases: Vec<&str> = events.iter().filter_map(|e| e["phase"].as_str()).collect();
    assert_eq!(phases.first(), Some(&"selecting"), "{events:?}");
    assert_eq!(phases.last(), Some(&"done"), "{events:?}");
    assert!(
        !phases.contains(&"pdf"),
        "the PDF was asked to stay out: {events:?}"
    );
    assert!(phases.contains(&"log"), "{events:?}");
    let last = events.last().expect("events");
    assert_eq!(last["done"], last["total"]);
    // Each phase counts its own work (records, files): within a phase the
    // count only grows, and it never passes the phase's total.
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["phase"] != w[1]["phase"]
                || w[0]["done"].as_u64() <= w[1]["done"].as_u64()),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["done"].as_u64() <= e["total"].as_u64()),
        "{events:?}"
    );
    let names = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "age -d -i {} {} | tar t",
            out.path().join("ngo.txt").display(),
            bundle.display()
        ))
        .output()
        .expect("sh (age and tar, from Debian's age package)");
    let list = String::from_utf8_lossy(&names.stdout);
    assert!(names.status.success(), "age -d | tar t failed");
    assert!(
        list.contains("log.json") && !list.contains("report.pdf"),
        "{list}"
    );

    // A PDF of one incident.
    let pdf = out.path().join("one.pdf");
    h.ok(
        "export_write",
        json!({"request": {"format": "pdf", "profile": "full", "recipients": [],
                           "from": null, "to": null, "client": null, "incident": incident},
               "destination": h.chosen(&pdf)}),
    );
    assert!(std::fs::read(&pdf).is_ok_and(|b| b.starts_with(b"%PDF")));
    let events = take();
    let last = events.last().expect("progress events");
    assert_eq!(last["phase"], "done", "{events:?}");
    assert_eq!(last["done"], last["total"], "{events:?}");
    // …refused, beside the field, when that incident does not leave.
    let e = h
        .call(
            "export_write",
            json!({"request": {"format": "pdf", "profile": "public", "recipients": [],
                               "from": null, "to": null, "client": null, "incident": incident},
                   "destination": h.chosen(&out.path().join("two.pdf"))}),
        )
        .expect_err("held-back incident");
    assert_eq!(e["kind"], "incident_not_exported");
    assert_eq!(e["field"], "incident");
    assert!(
        take().iter().all(|e| e["phase"] != "done"),
        "a failure is not done"
    );
    assert!(!out.path().join("two.pdf").exists());
}

/// The record part of a stored record (what an `*_update` command takes).
fn data_of(stored: &Value) -> Value {
    let mut record = stored.clone();
    for k in ["id", "revision", "created_at", "updated_at"] {
        record.as_object_mut().expect("object").remove(k);
    }
    record
}

impl Harness {
    fn case(&self, client: &str) -> Value {
        self.ok(
            "case_create",
            json!({"record": {"client_ids": [client], "case_number": "1(101)-123/2026",
                "court": "Bakı Ağır Cinayətlər Məhkəməsi"}}),
        )
    }

    /// Asserts an invalid-input error naming `field`.
    fn refused(&self, cmd: &str, args: Value, field: &str) {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} unexpectedly succeeded: {v}"),
            Err(e) => {
                assert_eq!(e["kind"], "invalid_input", "{cmd}: {e}");
                assert_eq!(e["field"], field, "{cmd}: {e}");
            }
        }
    }
}

#[test]
fn deadlines_are_created_edited_marked_done_and_shown() {
    let h = harness().unlocked();
    let client = h.client();
    let case = h.case(&client);
    let case_id = case["id"].as_str().expect("id");
    let due = (chrono::Local::now() + chrono::Duration::days(3)).to_rfc3339();
    let saved = h.ok(
        "deadline_create",
        json!({"deadline": {"case_id": case_id, "due": due, "kind": "appeal",
            "source_rule": "CPC art. 384.1: 20 days", "notes": ""}}),
    );
    assert_eq!(saved["done"], false);
    let id = saved["id"].as_str().expect("id").to_owned();
    // It is on the case timeline and on the agenda.
    let timeline = h.ok("case_timeline", json!({"id": case_id}));
    let on_timeline = timeline
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["id"] == id.as_str())
        .cloned()
        .expect("deadline on the timeline");
    assert_eq!(on_timeline["kind"], "deadline");
    assert_eq!(on_timeline["detail"], "CPC art. 384.1: 20 days");
    let agenda = h.ok("agenda", json!({"days": 30}));
    assert!(agenda
        .as_array()
        .expect("array")
        .iter()
        .any(|e| e["id"] == id.as_str()));

    // Marking it done takes it off the agenda but keeps it on the timeline.
    let mut record = data_of(&saved);
    record["done"] = json!(true);
    let done = h.ok(
        "deadline_update",
        json!({"id": id, "revision": 1, "deadline": record}),
    );
    assert_eq!(done["revision"], 2);
    assert_eq!(done["done"], true);
    let agenda = h.ok("agenda", json!({"days": 30}));
    assert!(!agenda
        .as_array()
        .expect("array")
        .iter()
        .any(|e| e["id"] == id.as_str()));
    let timeline = h.ok("case_timeline", json!({"id": case_id}));
    assert!(timeline
        .as_array()
        .expect("array")
        .iter()
        .any(|e| e["id"] == id.as_str() && e["done"] == true));

    // Malformed: a due date that is not a date; an unknown kind; a rule too
    // long. Each names its field, and nothing changes.
    let mut bad = record.clone();
    bad["due"] = json!("next Tuesday");
    h.refused(
        "deadline_update",
        json!({"id": id, "revision": 2, "deadline": bad}),
        "deadline",
    );
    let mut bad = record.clone();
    bad["source_rule"] = json!("x".repeat(5_000));
    h.refused(
        "deadline_update",
        json!({"id": id, "revision": 2, "deadline": bad}),
        "source_rule",
    );
    h.refused(
        "deadline_create",
        json!({"deadline": {"case_id": case_id, "due": due, "kind": "whenever"}}),
        "deadline",
    );
    h.refused(
        "deadline_update",
        json!({"id": "not-an-id", "revision": 2, "deadline": record}),
        "id",
    );
    assert_eq!(
        h.ok("deadline_get", json!({"id": id}))["revision"],
        2,
        "a refused edit changed the deadline"
    );
    // A stale revision is a conflict.
    assert_eq!(
        h.err_kind(
            "deadline_update",
            json!({"id": id, "revision": 1, "deadline": record})
        ),
        "conflict"
    );
}

#[test]
fn overdue_open_deadlines_stay_on_the_agenda() {
    let h = harness().unlocked();
    let client = h.client();
    let case = h.case(&client);
    let due = (chrono::Local::now() - chrono::Duration::days(5)).to_rfc3339();
    let saved = h.ok(
        "deadline_create",
        json!({"deadline": {"case_id": case["id"], "due": due, "kind": "complaint"}}),
    );
    let agenda = h.ok("agenda", json!({"days": 30}));
    let entries = agenda.as_array().expect("array");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], saved["id"]);
    assert_eq!(entries[0]["kind"], "deadline");
    let mut record = data_of(&saved);
    record["done"] = json!(true);
    h.ok(
        "deadline_update",
        json!({"id": saved["id"], "revision": 1, "deadline": record}),
    );
    let agenda = h.ok("agenda", json!({"days": 30}));
    assert_eq!(agenda, json!([]));
}

#[test]
fn clients_are_edited_with_their_revision() {
    let h = harness().unlocked();
    let id = h.client();
    let stored = h.ok("client_overview", json!({"id": id}))["client"].clone();
    let mut record = data_of(&stored);
    record["full_name"] = json!("Elçin Əliyev");
    let saved = h.ok(
        "client_update",
        json!({"id": id, "revision": 1, "client": record}),
    );
    assert_eq!(saved["revision"], 2);
    assert_eq!(saved["full_name"], "Elçin Əliyev");
    let list = h.ok("client_list", json!({}));
    assert_eq!(list[0]["full_name"], "Elçin Əliyev");

    let mut bad = record.clone();
    bad["pseudonym"] = json!("");
    h.refused(
        "client_update",
        json!({"id": id, "revision": 2, "client": bad}),
        "pseudonym",
    );
    let mut bad = record.clone();
    bad["procedural_status"] = json!("innocent");
    h.refused(
        "client_update",
        json!({"id": id, "revision": 2, "client": bad}),
        "client",
    );
    h.refused(
        "client_update",
        json!({"id": "123", "revision": 2, "client": record}),
        "id",
    );
    let now = h.ok("client_overview", json!({"id": id}))["client"].clone();
    assert_eq!(now["revision"], 2);
    assert_eq!(now["pseudonym"], "C-001");
    assert_eq!(
        h.err_kind(
            "client_update",
            json!({"id": id, "revision": 1, "client": record})
        ),
        "conflict"
    );
}

#[test]
fn cases_are_edited_with_their_revision() {
    let h = harness().unlocked();
    let client = h.client();
    let case = h.case(&client);
    let id = case["id"].as_str().expect("id");
    let mut record = data_of(&case);
    record["judge"] = json!("Hakim Quliyev");
    record["status"] = json!("trial");
    let saved = h.ok(
        "case_update",
        json!({"id": id, "revision": 1, "record": record}),
    );
    assert_eq!(saved["revision"], 2);
    assert_eq!(saved["judge"], "Hakim Quliyev");

    let mut bad = record.clone();
    bad["case_number"] = json!("   ");
    h.refused(
        "case_update",
        json!({"id": id, "revision": 2, "record": bad}),
        "case_number",
    );
    let mut bad = record.clone();
    bad["client_ids"] = json!(["nobody"]);
    h.refused(
        "case_update",
        json!({"id": id, "revision": 2, "record": bad}),
        "case",
    );
    let now = h.ok("case_get", json!({"id": id}));
    assert_eq!(now["revision"], 2);
    assert_eq!(now["case_number"], "1(101)-123/2026");
    assert_eq!(
        h.err_kind(
            "case_update",
            json!({"id": id, "revision": 1, "record": record})
        ),
        "conflict"
    );
}

#[test]
fn hearings_are_rescheduled_and_given_an_outcome() {
    let h = harness().unlocked();
    let client = h.client();
    let case = h.case(&client);
    let saved = h.ok(
        "hearing_create",
        json!({"hearing": {"case_id": case["id"], "at": "2026-11-20T10:00:00+04:00",
            "kind": "preventive_measure"}}),
    );
    let id = saved["id"].as_str().expect("id");
    let mut record = data_of(&saved);
    record["at"] = json!("2026-11-21T11:30:00+04:00");
    record["outcome"] = json!("Detention for 4 months");
    record["next_step"] = json!("Appeal within 3 days");
    let updated = h.ok(
        "hearing_update",
        json!({"id": id, "revision": 1, "hearing": record}),
    );
    assert_eq!(updated["revision"], 2);
    assert_eq!(updated["outcome"], "Detention for 4 months");
    let got = h.ok("hearing_get", json!({"id": id}));
    assert_eq!(got["at"], "2026-11-21T11:30:00+04:00");
    let timeline = h.ok("case_timeline", json!({"id": case["id"]}));
    assert_eq!(timeline[0]["detail"], "Detention for 4 months");

    let mut bad = record.clone();
    bad["at"] = json!("2026-13-40");
    h.refused(
        "hearing_update",
        json!({"id": id, "revision": 2, "hearing": bad}),
        "hearing",
    );
    let mut bad = record.clone();
    bad["court"] = json!("x".repeat(5_000));
    h.refused(
        "hearing_update",
        json!({"id": id, "revision": 2, "hearing": bad}),
        "court",
    );
    assert_eq!(h.ok("hearing_get", json!({"id": id}))["revision"], 2);
    assert_eq!(
        h.err_kind(
            "hearing_update",
            json!({"id": id, "revision": 1, "hearing": record})
        ),
        "conflict"
    );
}

/// The mock runtime above does not enforce Tauri's ACL, so a command that is
/// registered but missing from build.rs or the capability file passes every
/// test here and fails only in the real window. Keep the three lists equal.
#[test]
fn every_registered_command_is_granted_to_the_window() {
    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text.find(start).expect("start marker") + start.len();
        let len = text[from..].find(end).expect("end marker");
        &text[from..from + len]
    }
    let registered: std::collections::BTreeSet<String> =
        between(include_str!("../src/lib.rs"), "generate_handler![", "])")
            .split(',')
            .filter_map(|s| s.trim().rsplit("::").next().map(str::to_owned))
            .filter(|s| !s.is_empty())
            .collect();
    let declared: std::collections::BTreeSet<String> =
        between(include_str!("../build.rs"), "COMMANDS: &[&str] = &[", "];")
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect();
    let capability: Value =
        serde_json::from_str(include_str!("../capabilities/default.json")).expect("json");
    let granted: std::collections::BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert!(registered.len() > 30, "parsed too few: {registered:?}");
    assert_eq!(registered, declared, "lib.rs vs build.rs COMMANDS");
    assert_eq!(registered, granted, "lib.rs vs capabilities/default.json");
}

/// Issue 10: a poisoned vault mutex (a command panicked while holding the
/// vault) made `vault_lock` answer `internal` without locking, while the
/// window showed "locked", and no unlock could follow. The lock now takes
/// the mutex back, drops the vault and reports locked.
#[test]
fn a_lock_recovers_a_poisoned_vault_and_drops_it() {
    use tauri::Manager;
    let h = harness().unlocked();
    h.client();
    let slot = h._app.state::<AppState>().vault.clone();
    let _ = std::thread::spawn(move || {
        let _held = slot.lock();
        panic!("a command panicked while holding the vault");
    })
    .join();
    h.ok("vault_lock", json!({"draft": null}));
    assert_eq!(h.ok("vault_status", json!({}))["unlocked"], false);
    let slot = h._app.state::<AppState>().vault.clone();
    assert!(
        slot.lock().map(|g| g.is_none()).unwrap_or(false),
        "the vault (and its key) is still in memory, or the mutex is still poisoned"
    );
    assert_eq!(h.err_kind("client_list", json!({})), "locked");
    h.ok(
        "vault_unlock",
        json!({"passphrase": "correct horse battery staple"}),
    );
    assert_eq!(
        h.ok("client_list", json!({}))[0]["full_name"],
        "Elçin Məmmədov"
    );
}

/// Issue 10: `vault_lock` waited behind a running export (same mutex) and
/// the export went on to write its file. Now the lock stops the export at
/// its next attachment, no file is left, and the vault is dropped.
#[test]
fn a_lock_during_an_export_stops_it_and_leaves_no_file() {
    use tauri::{Listener, Manager};
    use vekil::model::{Consent, EvidenceNote, Incident, IncidentType};
    let h = harness().unlocked();
    let client = h.client();
    let out = tempfile::tempdir().expect("temp dir");
    let public = vekil::import::keygen(&out.path().join("ngo.txt")).expect("keygen");
    h.ok(
        "recipient_add",
        json!({"name": "NGO", "agePublicKey": public}),
    );
    {
        // Forty 1.5 MB scans on an incident the client consented to share.
        let slot = h._app.state::<AppState>().vault.clone();
        let guard = slot.lock().expect("vault");
        let v = guard.as_ref().expect("unlocked");
        let mut i = Incident::quick(
            client.parse().expect("uuid"),
            "Bakı İstintaq Təcridxanası",
            chrono::DateTime::parse_from_rfc3339("2026-11-24T09:30:00+04:00").expect("time"),
            IncidentType::AccessDenied,
        );
        i.consent = vec![Consent {
            recipient: "NGO".into(),
            granted: true,
            include_health: false,
            recorded_on: None,
        }];
        i.status = vekil::model::RecordStatus::Final;
        let i = v.insert(i).expect("incident");
        let mut e = EvidenceNote::new("Протокол задержания, сканы");
        e.incident_ids = vec![i.id];
        let e = v.insert(e).expect("evidence");
        for n in 0..40u32 {
            // Plain text leaves an NGO export as it is, so the export has
            // forty files to copy when the lock comes.
            let line = format!("Протокол {n}: həbs protokolu, sətir\n");
            let scan = line.repeat(1536 * 1024 / line.len());
            v.attach(e.id, &format!("skan-{n}.txt"), scan.as_bytes())
                .expect("attach");
        }
    }
    let (tx, attachments) = std::sync::mpsc::channel();
    h._app.listen("export-progress", move |e| {
        if e.payload().contains("\"attachments\"") {
            let _ = tx.send(());
        }
    });
    let bundle = out.path().join("mart.age");
    let window = h.window.clone();
    let destination = h.chosen(&bundle);
    let export = std::thread::spawn(move || {
        get_ipc_response(
            &window,
            request(
                "export_write",
                InvokeBody::Json(json!({"request": {"format": "bundle", "profile": "ngo",
                    "recipients": ["NGO"], "from": null, "to": null, "client": null,
                    "without_pdf": true},
                    "destination": destination})),
                &[],
            ),
        )
        .map(|b| b.deserialize::<Value>().expect("json"))
    });
    attachments
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the export reached its attachments");
    h.ok("vault_lock", json!({"draft": null}));
    let result = export.join().expect("export thread");
    let e = result.expect_err("the export finished although the vault was locked");
    assert_eq!(e["kind"], "locked", "{e}");
    let left: Vec<_> = std::fs::read_dir(out.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "ngo.txt")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(h.ok("vault_status", json!({}))["unlocked"], false);
    let slot = h._app.state::<AppState>().vault.clone();
    assert!(slot.lock().map(|g| g.is_none()).unwrap_or(false));
}

/// The unlock answers with what it found, as codes the window words: here
/// a scrypt cost lowered in vault.json behind the app's back. The full
/// check is one command away, the same one `vekil verify-vault` runs.
#[test]
fn unlock_reports_a_changed_header_and_verify_runs_the_full_check() {
    let h = harness().unlocked();
    h.client();
    h.ok("vault_lock", json!({"draft": null}));
    let header_path = h.dir.path().join("vault").join("vault.json");
    let mut header: Value =
        serde_json::from_slice(&std::fs::read(&header_path).expect("header")).expect("json");
    header["kdf_log_n"] = json!(1);
    std::fs::write(&header_path, header.to_string()).expect("write header");

    let report = h.ok(
        "vault_unlock",
        json!({"passphrase": "correct horse battery staple"}),
    );
    assert_eq!(report["read_only"], Value::Null);
    assert_eq!(report["notices"][0]["code"], "header_altered");
    assert_eq!(report["notices"][0]["fields"], json!(["kdf_log_n"]));
    assert_eq!(report["last_change"]["counter"], 1);
    assert_eq!(report["last_change"]["on_another_computer"], false);
    // This computer's record lives with the test's own files.
    assert!(h.dir.path().join("seen-vaults.json").exists());

    let verified = h.ok("vault_verify", json!({}));
    assert_eq!(verified["records"], 1);
    assert_eq!(verified["problems"], json!([]));
    h.ok("vault_lock", json!({"draft": null}));
    assert_eq!(h.err_kind("vault_verify", json!({})), "locked");
}

/// The `vekil` CLI built beside this test (`cargo build -p vekil`, or any
/// `cargo test -p vekil`, puts it in the same target directory).
fn vekil_cli() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target directory")
        .join("vekil");
    assert!(
        bin.is_file(),
        "{} is missing; build the CLI first with `cargo build -p vekil`",
        bin.display()
    );
    bin
}

/// Issue 11.7: the CLI and the app give the same agenda, statistics and
/// export from one vault, because each is one core function. The vault's
/// time zone is chosen in the app; the CLI runs on a computer in UTC and
/// must still draw days in Baku.
#[test]
fn the_cli_and_the_app_agree_on_agenda_stats_and_export() {
    let h = harness().unlocked();
    let set = h.ok("time_zone_set", json!({"zone": "Asia/Baku"}));
    assert_eq!(set["zone"], "Asia/Baku");
    assert_eq!(set["follows_computer"], false);
    assert_eq!(h.ok("time_zone_get", json!({})), set);
    h.refused("time_zone_set", json!({"zone": "Baku"}), "zone");
    assert!(h
        .ok("time_zone_names", json!({}))
        .as_array()
        .expect("names")
        .contains(&json!("Asia/Baku")));

    let client = h.client();
    let case = h.case(&client);
    for (at, facility) in [
        ("2025-03-01T01:00:00+04:00", "Bakı İSS-1"),
        ("2025-03-31T23:30:00+04:00", "Bakı İSS-1"),
        ("2025-04-01T02:00:00+04:00", "Gəncə İVS"),
        ("2025-02-28T23:00:00+04:00", "Gəncə İVS"),
    ] {
        h.ok(
            "incident_quick",
            json!({"quick": {"client_id": client, "facility": facility, "at": at,
                "incident_type": "access_delayed"}}),
        );
    }
    // Baku has kept +04:00 all year since 2016.
    let zone = chrono::FixedOffset::east_opt(4 * 3600).expect("offset");
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    for (days, kind) in [(-5, "appeal"), (4, "complaint")] {
        let due = (today + chrono::Duration::days(days))
            .and_hms_opt(10, 0, 0)
            .expect("time")
            .and_local_timezone(zone)
            .single()
            .expect("due")
            .to_rfc3339();
        h.ok(
            "deadline_create",
            json!({"deadline": {"case_id": case["id"], "due": due, "kind": kind}}),
        );
    }

    let app_agenda = h.ok("agenda", json!({"days": 30}));
    let app_stats = h.ok("export_stats", json!({}));
    let app_export = h.dir.path().join("app.json");
    h.ok(
        "export_write",
        json!({"request": {"format": "json", "profile": "full", "recipients": [],
                           "from": "2025-03-01", "to": "2025-03-31", "client": null},
               "destination": h.chosen(&app_export)}),
    );
    assert_eq!(app_agenda.as_array().map(Vec::len), Some(2));
    assert_eq!(app_stats["by_month"]["2025-03"], 2, "{app_stats}");
    h.ok("vault_lock", json!({"draft": null}));

    let cli = |args: &[&str]| -> Value {
        let out = std::process::Command::new(vekil_cli())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", h.dir.path())
            .env("TMPDIR", h.dir.path())
            .env("TZ", "UTC")
            .env("VEKIL_VAULT", h.dir.path().join("vault"))
            .env("VEKIL_PASSPHRASE", "correct horse battery staple")
            .output()
            .expect("run vekil");
        assert!(
            out.status.success(),
            "vekil {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };
    assert_eq!(cli(&["agenda", "--days", "30", "--json"]), app_agenda);
    assert_eq!(cli(&["stats", "--json"]), app_stats);
    let cli_export = h.dir.path().join("cli.json");
    cli(&[
        "export",
        "--format",
        "json",
        "--from",
        "2025-03-01",
        "--to-date",
        "2025-03-31",
        "--out",
        cli_export.to_str().expect("utf-8"),
    ]);
    let read = |p: &std::path::Path| -> Value {
        let mut v: Value = serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json");
        v.as_object_mut().expect("log").remove("generated_at");
        v
    };
    let (app_log, cli_log) = (read(&app_export), read(&cli_export));
    assert_eq!(app_log["incidents"].as_array().map(Vec::len), Some(2));
    assert_eq!(cli_log, app_log);
}

#[test]
fn the_client_page_opens_on_its_newest_incidents_and_shows_more_on_request() {
    let h = harness().unlocked();
    let client = h.client();
    let page = vekil::overview::INCIDENT_PAGE as usize;
    for i in 0..page + 5 {
        h.ok(
            "incident_quick",
            json!({"quick": {"client_id": client, "facility": "Kürdəxanı",
                "at": format!("2026-{:02}-{:02}T09:30:00+04:00", 1 + i / 28, 1 + i % 28),
                "incident_type": "access_denied"}}),
        );
    }
    let o = h.ok("client_overview", json!({"id": client}));
    assert_eq!(o["incident_total"], page + 5);
    assert_eq!(o["incidents"].as_array().expect("list").len(), page);
    let rest = h.ok("client_incidents", json!({"id": client, "offset": page}));
    let rest = rest.as_array().expect("list");
    assert_eq!(rest.len(), 5, "the oldest five");
    assert_eq!(rest[4]["occurred"]["at"], "2026-01-01T09:30:00+04:00");
    assert_eq!(
        h.err_kind("client_incidents", json!({"id": "C-001", "offset": 0})),
        "invalid_input"
    );
}
