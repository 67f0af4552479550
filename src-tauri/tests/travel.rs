//! Travel mode and erase through the IPC path the window uses: a refused
//! seal leaves the vault open, a sealed vault refuses every unlock with its
//! own error kind, erase works without a passphrase.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};
use vekil_desktop::state::AppState;

struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    window: WebviewWindow<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let state =
        AppState::new(dir.path().join("vault"), dir.path().join("settings.json")).with_test_kdf(10);
    let app = vekil_desktop::with_commands(mock_builder())
        .manage(state)
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock window");
    Harness {
        _dir: dir,
        _app: app,
        window,
    }
}

fn request(cmd: &str, body: InvokeBody, headers: &[(&'static str, &str)]) -> InvokeRequest {
    let mut map = tauri::http::HeaderMap::new();
    for (k, v) in headers {
        map.insert(*k, v.parse().expect("header"));
    }
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body,
        headers: map,
        invoke_key: INVOKE_KEY.to_string(),
    }
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(&self.window, request(cmd, InvokeBody::Json(args), &[]))
            .map(|b| b.deserialize::<Value>().expect("json response"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    fn err_kind(&self, cmd: &str, args: Value) -> String {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} unexpectedly succeeded: {v}"),
            Err(e) => e["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{cmd}: untyped error {e}"))
                .to_owned(),
        }
    }

    fn unlocked(self) -> Self {
        self.ok(
            "vault_create",
            json!({"passphrase": "correct horse battery staple"}),
        );
        self
    }

    fn client(&self) -> String {
        let c = self.ok(
            "client_create",
            json!({"client": {"full_name": "Elçin Məmmədov", "pseudonym": "C-001"}}),
        );
        c["id"].as_str().expect("id").to_owned()
    }
}

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
