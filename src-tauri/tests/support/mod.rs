//! The mock-runtime harness the desktop command tests share: a window on
//! Tauri's mock runtime with every command registered, calls through the
//! same IPC path the page uses, and the save dialog's choice as a token.
#![allow(dead_code)] // each test binary uses its own part of it

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};
use vekil_desktop::picked::Purpose;
use vekil_desktop::state::AppState;

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub _app: tauri::App<tauri::test::MockRuntime>,
    pub window: WebviewWindow<tauri::test::MockRuntime>,
}

pub fn harness() -> Harness {
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
        dir,
        _app: app,
        window,
    }
}

pub fn request(cmd: &str, body: InvokeBody, headers: &[(&'static str, &str)]) -> InvokeRequest {
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

/// What the backend's save dialog does when the lawyer picks `path` (the
/// mock runtime has no GTK): records the choice and returns its token.
pub fn chosen(window: &WebviewWindow<tauri::test::MockRuntime>, path: &std::path::Path) -> String {
    use tauri::Manager;
    let state = window.state::<AppState>();
    let picks = &state.picks;
    let replace = path.exists();
    picks
        .add(
            picks.generation(),
            path.to_path_buf(),
            Purpose::Export,
            replace,
        )
        .expect("token")
}

impl Harness {
    pub fn chosen(&self, path: &std::path::Path) -> String {
        chosen(&self.window, path)
    }

    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(&self.window, request(cmd, InvokeBody::Json(args), &[]))
            .map(|b| b.deserialize::<Value>().expect("json response"))
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    pub fn err_kind(&self, cmd: &str, args: Value) -> String {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} unexpectedly succeeded: {v}"),
            Err(e) => e["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{cmd}: untyped error {e}"))
                .to_owned(),
        }
    }

    pub fn unlocked(self) -> Self {
        self.ok(
            "vault_create",
            json!({"passphrase": "correct horse battery staple"}),
        );
        self
    }

    pub fn client(&self) -> String {
        let c = self.ok(
            "client_create",
            json!({"client": {"full_name": "Elçin Məmmədov", "pseudonym": "C-001"}}),
        );
        c["id"].as_str().expect("id").to_owned()
    }
}
