//! Handing batches from one thread to another, and back to be refilled.
//!
//! Where work is split between two threads (a stream decrypted ahead of
//! its reader, [`crate::read_ahead`]; a query read while its rows are
//! handled, `Vault::for_each_raw_beside`), one thread fills batches and
//! the other takes them in order. Taken batches go back to be filled
//! again, so that each thread frees what it allocated: glibc's allocator
//! serialises frees into another thread's arena, and handing decoded
//! records over to be freed on the other side doubled the CPU time of a
//! CSV export's writing and gained nothing (docs/benchmarks.md, section
//! 2). At most [`AHEAD`] batches wait, so memory stays bounded; the
//! batches' own types wipe what they hold when dropped.

use std::sync::mpsc;

/// Batches filled and waiting to be taken, at most.
const AHEAD: usize = 4;

/// Whether this process may run on two cores at once. On one, a second
/// thread only takes turns with the first, and each hand-over waits for
/// the scheduler: a CSV export of 100,000 incidents took twice as long
/// (docs/benchmarks.md, section 2), so the work is done in line instead.
pub(crate) fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// The two ends of a relay of batches `B`.
pub(crate) fn relay<B>() -> (Filler<B>, Taker<B>) {
    let (full, to_take) = mpsc::sync_channel(AHEAD);
    let (empty, to_fill) = mpsc::channel();
    (Filler { full, to_fill }, Taker { to_take, empty })
}

/// The taker is gone: nothing more needs filling.
#[derive(Debug)]
pub(crate) struct Gone;

/// The end that fills batches.
pub(crate) struct Filler<B> {
    full: mpsc::SyncSender<B>,
    to_fill: mpsc::Receiver<B>,
}

impl<B> Filler<B> {
    /// A batch the taker gave back, to be filled again, if one is waiting.
    pub(crate) fn reuse(&self) -> Option<B> {
        self.to_fill.try_recv().ok()
    }

    /// Hands a filled batch over, waiting while [`AHEAD`] are untaken.
    pub(crate) fn hand_over(&self, batch: B) -> Result<(), Gone> {
        self.full.send(batch).map_err(|_| Gone)
    }
}

/// The end that takes batches, in the order they were handed over.
pub(crate) struct Taker<B> {
    to_take: mpsc::Receiver<B>,
    empty: mpsc::Sender<B>,
}

impl<B> Taker<B> {
    /// The next batch; `None` once the filler is dropped and every batch
    /// was taken.
    pub(crate) fn next(&self) -> Option<B> {
        self.to_take.recv().ok()
    }

    /// Gives a batch back to be filled again; it is dropped here if the
    /// filler is done.
    pub(crate) fn give_back(&self, batch: B) {
        let _ = self.empty.send(batch);
    }
}
