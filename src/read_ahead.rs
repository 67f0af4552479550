//! Reading a stream on a second thread, a little ahead of its reader.
//!
//! Bundles and the encrypted copies large exports and imports make are
//! age streams: decrypting one (ChaCha20-Poly1305) is a tenth to a half of
//! the work of whoever reads it, who parses, hashes or decodes every byte
//! on the same core. [`read_ahead`] moves the decryption to a second core:
//! a thread reads the source into a few buffers ahead of the reader, and
//! the reader takes them in order. Buffers go back to that thread to be
//! filled again (each thread frees what it allocated), and they are
//! wiped when dropped, since they hold plaintext. Memory stays bounded:
//! [`AHEAD`] buffers of [`BUFFER`] bytes. With one core there is no
//! second thread ([`two_cores`]).

use std::io::Read;
use std::sync::mpsc;
use zeroize::Zeroizing;

/// Bytes read ahead at a time.
const BUFFER: usize = 256 << 10;
/// Buffers filled and waiting, at most.
const AHEAD: usize = 4;

/// A buffer, how many of its bytes were filled (fewer than its length at
/// the end of the source), and the error the source gave after them.
type Filled = (Zeroizing<Vec<u8>>, usize, Option<std::io::Error>);

/// Calls `f` with a reader of `source`'s bytes, which a second thread
/// reads ahead of it. When `f` returns, the thread stops, however much of
/// the source is left; an error reading the source is the reader's error.
pub(crate) fn read_ahead<R>(source: impl Read + Send, f: impl FnOnce(&mut dyn Read) -> R) -> R {
    let mut source = source;
    if !two_cores() {
        return f(&mut source);
    }
    std::thread::scope(|s| {
        let (full, to_read) = mpsc::sync_channel::<Filled>(AHEAD);
        let (empty, to_fill) = mpsc::channel::<Zeroizing<Vec<u8>>>();
        s.spawn(move || loop {
            let mut buf = to_fill
                .try_recv()
                .unwrap_or_else(|_| Zeroizing::new(vec![0; BUFFER]));
            let (n, error) = fill(&mut source, &mut buf);
            let end = error.is_some() || n < buf.len();
            // A failed send: the reader is gone, and so is the need.
            if full.send((buf, n, error)).is_err() || end {
                return;
            }
        });
        f(&mut Ahead {
            to_read,
            empty,
            current: None,
            at: 0,
            error: None,
            ended: false,
        })
    })
}

/// Whether this process may run on two cores at once. On one, a second
/// thread only takes turns with the first, and each hand-over waits for
/// the scheduler: a CSV export of 100,000 incidents took twice as long
/// (docs/benchmarks.md, section 2), so the work is done in line instead.
pub(crate) fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// Reads `buf` full, or up to the end or an error; the number of bytes
/// read, and the error.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

/// The reader's end: the buffers the thread filled, in order.
struct Ahead {
    to_read: mpsc::Receiver<Filled>,
    empty: mpsc::Sender<Zeroizing<Vec<u8>>>,
    /// The buffer being read and how many of its bytes were filled.
    current: Option<(Zeroizing<Vec<u8>>, usize)>,
    at: usize,
    /// The source's error, for once `current` is read.
    error: Option<std::io::Error>,
    /// Whether the last buffer (short, or followed by an error) came.
    ended: bool,
}

impl Read for Ahead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some((buf, filled)) = &self.current {
                if self.at < *filled {
                    let n = (filled - self.at).min(out.len());
                    out[..n].copy_from_slice(&buf[self.at..self.at + n]);
                    self.at += n;
                    return Ok(n);
                }
            }
            if let Some((buf, _)) = self.current.take() {
                // Fails only once the thread is done: the buffer is dropped.
                let _ = self.empty.send(buf);
            }
            if let Some(e) = self.error.take() {
                return Err(e);
            }
            if self.ended {
                return Ok(0);
            }
            match self.to_read.recv() {
                Ok((buf, filled, error)) => {
                    self.ended = error.is_some() || filled < buf.len();
                    self.error = error;
                    self.current = Some((buf, filled));
                    self.at = 0;
                }
                // Gone without its last buffer: not the end of the source.
                Err(mpsc::RecvError) => {
                    self.ended = true;
                    return Err(std::io::Error::other(
                        "the thread reading ahead stopped before the end",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A source that hands out at most `step` bytes per read and fails
    /// after `fail_at` bytes, if set.
    struct Source {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
        fail_at: Option<usize>,
    }

    impl Read for Source {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.fail_at.is_some_and(|f| self.at >= f) {
                return Err(std::io::Error::other("the disk failed"));
            }
            let mut n = self.step.min(out.len()).min(self.bytes.len() - self.at);
            if let Some(f) = self.fail_at {
                n = n.min(f - self.at);
            }
            out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn bytes(n: usize) -> Vec<u8> {
        "Rəşad Məmmədov — Рашад Мамедов; "
            .bytes()
            .cycle()
            .take(n)
            .collect()
    }

    proptest! {
        /// Whatever the source's length (around and across the buffers)
        /// and the sizes of both sides' reads, the bytes arrive as they
        /// are, in order, and end where the source ends.
        #[test]
        fn bytes_arrive_as_read(
            len in prop_oneof![0usize..2_000, Just(BUFFER - 1), Just(BUFFER), Just(BUFFER + 1), 0usize..(6 * BUFFER)],
            step in 1usize..100_000,
            out in 1usize..70_000,
        ) {
            let want = bytes(len);
            let src = Source { bytes: want.clone(), at: 0, step, fail_at: None };
            let got = read_ahead(src, |r| {
                let mut got = vec![];
                let mut chunk = vec![0; out];
                loop {
                    let n = r.read(&mut chunk).expect("read");
                    if n == 0 {
                        return got;
                    }
                    got.extend_from_slice(&chunk[..n]);
                }
            });
            prop_assert!(got == want, "{} bytes came for {}", got.len(), want.len());
        }
    }

    /// The source's error reaches the reader after the bytes before it,
    /// never as an early end.
    #[test]
    fn a_failing_source_fails_the_reader() {
        for fail_at in [0, 10, BUFFER, 3 * BUFFER + 5] {
            let src = Source {
                bytes: bytes(5 * BUFFER),
                at: 0,
                step: 4096,
                fail_at: Some(fail_at),
            };
            let (got, err) = read_ahead(src, |r| {
                let mut got = vec![];
                let err = r.read_to_end(&mut got).expect_err("fails");
                (got.len(), err.to_string())
            });
            assert_eq!(got, fail_at);
            assert_eq!(err, "the disk failed");
        }
    }

    /// A reader that stops early ends the thread, however much is left
    /// (the test would hang otherwise).
    #[test]
    fn a_reader_that_stops_early_stops_the_thread() {
        for stop in [0, 1, BUFFER + 3, 5 * BUFFER] {
            let src = Source {
                bytes: bytes(20 * BUFFER),
                at: 0,
                step: 1 << 16,
                fail_at: None,
            };
            let got = read_ahead(src, |r| {
                let mut got = vec![0; stop];
                r.read_exact(&mut got).expect("read");
                got
            });
            assert_eq!(got, bytes(stop));
        }
    }
}
