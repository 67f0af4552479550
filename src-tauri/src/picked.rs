//! Files the lawyer chose, known to the page only by an opaque token.
//!
//! The page never names a path. A path reaches the backend one of two
//! ways: from a native dialog the backend ran itself (`dialog.rs`), or from
//! files dropped on the window, received by the backend's own drop handler
//! (`dropped.rs`). Either way the path stays here and the page gets a
//! token: 128 random bits, good for one use, for one purpose (a token for
//! a file to attach cannot become an export destination, which would
//! overwrite that file), for [`TOKEN_LIFETIME`] at most, and forgotten
//! when the vault locks. A compromised page (a pdf.js or image-decoder
//! bug giving an attacker script in the window) can therefore only reach
//! files the lawyer chose, for the use they were chosen for.
//!
//! It keeps nothing on disk; the folder of the last choice is remembered in
//! memory, so the next dialog opens there, until the vault locks.

use crate::error::{CmdResult, CommandError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a choice stays usable if nothing uses it.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// What a chosen file is for; a token is only good for its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An export file to write (the export save dialog).
    Export,
    /// A travel release request to write (its save dialog).
    TravelRequest,
    /// A file to encrypt into the vault (the open dialog, or a drop).
    Attach,
}

impl Purpose {
    /// The argument name the page sends the token in, for error messages.
    fn field(self) -> &'static str {
        match self {
            Self::Export | Self::TravelRequest => "destination",
            Self::Attach => "file",
        }
    }
}

/// A choice taken out for use; [`Picks::give_back`] returns it if the use
/// failed before anything was written.
#[derive(Debug)]
pub struct Taken {
    token: String,
    entry: Entry,
    generation: u64,
}

impl Taken {
    /// The chosen file.
    pub fn path(&self) -> &Path {
        &self.entry.path
    }

    /// The lawyer confirmed, in the save dialog, replacing the file that
    /// was there when they chose it.
    pub fn replace(&self) -> bool {
        self.entry.replace
    }
}

#[derive(Debug, Clone)]
struct Entry {
    path: PathBuf,
    purpose: Purpose,
    replace: bool,
    born: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Bumped by every [`Picks::clear`]: a choice made across a lock, or
    /// given back after one, is dropped.
    generation: u64,
    last_folder: Option<PathBuf>,
}

/// The choices the page holds tokens for. Shared by every command.
#[derive(Default)]
pub struct Picks {
    inner: Mutex<Inner>,
}

fn guard(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding it leaves a valid map behind.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A fresh token: 128 bits from the operating system's generator, in hex.
fn new_token() -> String {
    let a = uuid::Uuid::new_v4().as_u128();
    let b = uuid::Uuid::new_v4().as_u128();
    // Each v4 UUID carries 122 random bits; two give 128 and more.
    format!("{:032x}", a ^ b.rotate_left(64))
}

impl Picks {
    /// An empty set of choices.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current generation, taken before a dialog opens: a lock while
    /// the dialog is up makes [`Picks::add`] drop the choice.
    pub fn generation(&self) -> u64 {
        guard(&self.inner).generation
    }

    /// Records a chosen file and returns its token; `None` if the vault was
    /// locked since `since` (the choice belongs to a session that ended).
    pub fn add(
        &self,
        since: u64,
        path: PathBuf,
        purpose: Purpose,
        replace: bool,
    ) -> Option<String> {
        let mut inner = guard(&self.inner);
        if inner.generation != since {
            return None;
        }
        let now = Instant::now();
        inner
            .entries
            .retain(|_, e| now.duration_since(e.born) < TOKEN_LIFETIME);
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            inner.last_folder = Some(folder.to_path_buf());
        }
        let token = new_token();
        inner.entries.insert(
            token.clone(),
            Entry {
                path,
                purpose,
                replace,
                born: now,
            },
        );
        Some(token)
    }

    /// Takes the choice behind `token` for `purpose`: refused (and left
    /// alone) for another purpose, and refused once used or expired.
    pub fn take(&self, token: &str, purpose: Purpose) -> CmdResult<Taken> {
        self.take_at(token, purpose, Instant::now())
    }

    fn take_at(&self, token: &str, purpose: Purpose, now: Instant) -> CmdResult<Taken> {
        let mut inner = guard(&self.inner);
        let fresh = |e: &Entry| e.purpose == purpose && now.duration_since(e.born) < TOKEN_LIFETIME;
        match inner.entries.get(token.trim()) {
            Some(e) if fresh(e) => {}
            _ => return Err(expired(purpose)),
        }
        let (token, entry) = inner
            .entries
            .remove_entry(token.trim())
            .ok_or_else(|| expired(purpose))?;
        Ok(Taken {
            token,
            entry,
            generation: inner.generation,
        })
    }

    /// Returns a choice whose use failed before anything was written, so
    /// the lawyer can try again without choosing again. Dropped if the
    /// vault locked meanwhile or the choice has expired.
    pub fn give_back(&self, taken: Taken) {
        let mut inner = guard(&self.inner);
        if inner.generation == taken.generation && taken.entry.born.elapsed() < TOKEN_LIFETIME {
            inner.entries.insert(taken.token, taken.entry);
        }
    }

    /// Forgets every choice and the last folder (the vault locked).
    pub fn clear(&self) {
        let mut inner = guard(&self.inner);
        inner.entries.clear();
        inner.last_folder = None;
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// The folder of the last choice in this session, for the next dialog.
    pub fn last_folder(&self) -> Option<PathBuf> {
        guard(&self.inner).last_folder.clone()
    }
}

fn expired(purpose: Purpose) -> CommandError {
    CommandError {
        field: Some(purpose.field().into()),
        ..CommandError::new(
            "choice_expired",
            "That file choice was already used, has expired or was made before the vault locked. Choose the file again.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind<T: std::fmt::Debug>(r: CmdResult<T>) -> String {
        r.expect_err("refused").kind
    }

    #[test]
    fn a_token_is_good_once_and_only_for_its_purpose() {
        let picks = Picks::new();
        let g = picks.generation();
        let path = PathBuf::from("/media/usb/Rəşad Məmmədov/hesabat.pdf");
        let token = picks
            .add(g, path.clone(), Purpose::Attach, false)
            .expect("token");
        assert_eq!(token.len(), 32);
        assert!(!token.contains("hesabat") && !token.contains('/'));
        // The file to attach is never an export destination (that would
        // overwrite it), and the refusal leaves the choice usable.
        assert_eq!(kind(picks.take(&token, Purpose::Export)), "choice_expired");
        assert_eq!(
            kind(picks.take(&token, Purpose::TravelRequest)),
            "choice_expired"
        );
        let taken = picks.take(&token, Purpose::Attach).expect("taken");
        assert_eq!(taken.path(), path);
        assert!(!taken.replace());
        let again = picks.take(&token, Purpose::Attach).expect_err("used");
        assert_eq!(again.kind, "choice_expired");
        assert_eq!(again.field.as_deref(), Some("file"));
        assert_eq!(
            kind(picks.take("not a token", Purpose::Export)),
            "choice_expired"
        );
    }

    #[test]
    fn tokens_are_unguessable_and_distinct() {
        let picks = Picks::new();
        let g = picks.generation();
        let tokens: std::collections::HashSet<String> = (0..1000)
            .filter_map(|_| picks.add(g, "/tmp/x.age".into(), Purpose::Export, false))
            .collect();
        assert_eq!(tokens.len(), 1000);
        assert!(tokens
            .iter()
            .all(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn a_lock_forgets_every_choice_even_one_made_during_it() {
        let picks = Picks::new();
        let before = picks.generation();
        let token = picks
            .add(before, "/home/v/ixrac.age".into(), Purpose::Export, true)
            .expect("token");
        let taken = picks.take(&token, Purpose::Export).expect("taken");
        assert!(taken.replace());
        picks.clear();
        // An export interrupted by the lock does not bring its choice back.
        picks.give_back(taken);
        assert_eq!(kind(picks.take(&token, Purpose::Export)), "choice_expired");
        // A dialog that was open across the lock gives no token.
        assert!(picks
            .add(before, "/home/v/b.age".into(), Purpose::Export, false)
            .is_none());
        assert_eq!(picks.last_folder(), None);
        let now = picks.generation();
        assert!(picks
            .add(now, "/home/v/c.age".into(), Purpose::Export, false)
            .is_some());
        assert_eq!(picks.last_folder(), Some(PathBuf::from("/home/v")));
    }

    #[test]
    fn a_failed_use_gives_the_choice_back() {
        let picks = Picks::new();
        let g = picks.generation();
        let token = picks
            .add(
                g,
                "/run/media/v/USB/отчёт.csv".into(),
                Purpose::Export,
                false,
            )
            .expect("token");
        let taken = picks.take(&token, Purpose::Export).expect("taken");
        picks.give_back(taken);
        let taken = picks.take(&token, Purpose::Export).expect("given back");
        assert_eq!(taken.path(), Path::new("/run/media/v/USB/отчёт.csv"));
    }

    #[test]
    fn an_old_choice_expires() {
        let picks = Picks::new();
        let g = picks.generation();
        let token = picks
            .add(g, "/tmp/a.json".into(), Purpose::Export, false)
            .expect("token");
        let later = Instant::now() + TOKEN_LIFETIME + Duration::from_secs(1);
        assert_eq!(
            kind(picks.take_at(&token, Purpose::Export, later)),
            "choice_expired"
        );
        // Still there for a use within its lifetime.
        assert!(picks.take(&token, Purpose::Export).is_ok());
    }
}
