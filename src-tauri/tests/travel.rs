//! Travel mode and erase through the IPC path the window uses: a refused
//! seal leaves the vault open, a sealed vault refuses every unlock with its
//! own error kind, erase works without a passphrase.

mod support;

use serde_json::json;
use support::*;

const PASS: &str = "correct horse battery staple";

#[test]
fn seal_refusal_keeps_the_vault_open_and_a_sealed_vault_says_so() {
    let h = harness().unlocked();
    h.client();
    let keys = tempfile::tempdir().expect("temp dir");
    let key = vekil::import::keygen(&keys.path().join("custodian.key")).expect("keygen");
    h.ok(
        "recipient_add",
        json!({"name": "Leyla Həsənova", "agePublicKey": key}),
    );
    let seal = |pass: &str| {
        h.call(
            "travel_seal",
            json!({"passphrase": pass, "custodians": ["Leyla Həsənova"], "threshold": null}),
        )
    };
    let e = seal("not the passphrase at all").unwrap_err();
    assert_eq!(e["kind"], "wrong_passphrase");
    assert_eq!(
        h.ok("client_list", json!({})).as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        h.err_kind(
            "travel_seal",
            json!({"passphrase": PASS, "custodians": ["Nobody"], "threshold": null})
        ),
        "unknown_custodian"
    );

    let sealed = seal(PASS).expect("sealed");
    assert_eq!(sealed["threshold"], 1);
    assert_eq!(h.err_kind("client_list", json!({})), "locked");
    let status = h.ok("vault_status", json!({}));
    assert_eq!(
        (status["sealed"].clone(), status["unlocked"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        h.err_kind("vault_unlock", json!({"passphrase": PASS})),
        "sealed"
    );
    assert!(h.ok("travel_status", json!({}))["custodians"][0]["fingerprint"].is_string());
    assert_eq!(
        h.err_kind(
            "travel_open",
            json!({"releases": [], "newPassphrase": "yeni parol, Şəki yolunda"})
        ),
        "no_request"
    );

    let report = h.ok("vault_erase", json!({}));
    assert_eq!(report["key_files_destroyed"], 1, "the sealed share");
    assert_eq!(h.ok("vault_status", json!({}))["exists"], false);
}
