//! Stopping long vault operations from another thread.
//!
//! The desktop app locks the vault when the lawyer presses the panic chord,
//! walks away, or closes the lid. Locking must not wait behind an export of
//! a thousand attachments or a bundle being imported, so each [`Vault`]
//! carries a [`Cancel`] flag (see [`Vault::cancel_handle`]). The lock sets
//! it; the long operations — bundle export, import and attachment
//! streaming — check it between records and between 64 KiB chunks, stop
//! with [`CancelError::Cancelled`], and remove any partial output file.
//! Short operations (one record) do not check it: they finish in
//! milliseconds and are then refused by the caller.
//!
//! A check is one atomic load, so checking every chunk costs nothing
//! measurable. The CLI never sets the flag.
//!
//! [`Vault`]: crate::Vault
//! [`Vault::cancel_handle`]: crate::Vault::cancel_handle

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Why an operation stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CancelError {
    /// The flag was set (the vault is being locked).
    #[error("the operation was stopped because the vault was locked, and nothing was written; unlock the vault and start it again")]
    Cancelled,
}

/// A shared "stop now" flag. Clones share the flag; once set it stays set,
/// so a vault whose handle was cancelled is never used for long work again.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag: every operation checking it stops at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the flag is set.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` once the flag is set.
    pub fn check(&self) -> Result<(), CancelError> {
        if self.is_cancelled() {
            Err(CancelError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Wraps a reader so that every read fails once the flag is set; for
    /// streams (`std::io::copy`) that have no loop of our own to check in.
    /// The error's kind is `Interrupted`-free (`Other`), so `io::copy` does
    /// not retry it; callers map it back with [`Cancel::check`].
    pub fn reader<R: Read>(&self, inner: R) -> CancelRead<R> {
        CancelRead {
            inner,
            cancel: self.clone(),
        }
    }

    /// Wraps a writer so that every write fails once the flag is set.
    pub fn writer<W: Write>(&self, inner: W) -> CancelWrite<W> {
        CancelWrite {
            inner,
            cancel: self.clone(),
        }
    }
}

fn stopped() -> std::io::Error {
    std::io::Error::other(CancelError::Cancelled)
}

/// See [`Cancel::reader`].
#[derive(Debug)]
pub struct CancelRead<R> {
    inner: R,
    cancel: Cancel,
}

impl<R: Read> Read for CancelRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(stopped());
        }
        self.inner.read(buf)
    }
}

/// See [`Cancel::writer`].
#[derive(Debug)]
pub struct CancelWrite<W> {
    inner: W,
    cancel: Cancel,
}

impl<W> CancelWrite<W> {
    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for CancelWrite<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(stopped());
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_flag_that_stays_set() {
        let a = Cancel::new();
        let b = a.clone();
        assert_eq!(a.check(), Ok(()));
        b.cancel();
        assert_eq!(a.check(), Err(CancelError::Cancelled));
        assert!(b.is_cancelled());
    }

    #[test]
    fn wrapped_streams_stop_once_cancelled() {
        let c = Cancel::new();
        let text = "Rəşad Məmmədov — Рашад Мамедов".repeat(100);
        let mut r = c.reader(text.as_bytes());
        let mut first = [0u8; 16];
        assert_eq!(r.read(&mut first).ok(), Some(16));
        let mut w = c.writer(Vec::new());
        w.write_all(&first).expect("write before cancel");
        c.cancel();
        assert!(r.read(&mut first).is_err());
        assert!(w.write_all(b"more").is_err());
        assert_eq!(w.into_inner(), &text.as_bytes()[..16]);
    }
}
