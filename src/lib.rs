//! Vekil core: the encrypted case-file vault for defense lawyers.
//!
//! Everything a lawyer's records touch lives here, so that it can be tested
//! without a window: the vault (SQLCipher database whose key is wrapped with
//! age), the domain model and its validation, the record store with its
//! hash-chained revision history, search, timelines and the CLI. The desktop
//! shell (`src-tauri`) only adapts these functions to IPC; it holds no logic.
//!
//! The crate has no network code at all and must never gain any.

#![forbid(unsafe_code)]

pub mod cancel;
pub mod cli;
pub mod dates;
pub mod error;
pub mod export;
pub mod import;
pub mod load;
pub mod model;
pub mod overview;
pub mod process;
mod read_ahead;
mod relay;
pub mod search;
pub mod secret;
pub mod stats;
pub mod store;
pub mod text;
pub mod timeline;
pub mod vault;

pub use error::{Error, Result};
pub use vault::Vault;
