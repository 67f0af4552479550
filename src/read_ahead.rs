//! Reading a stream on a second thread, a little ahead of its reader.
//!
//! Bundles and the encrypted copies large exports and imports make are
//! age streams: decrypting one (ChaCha20-Poly1305) is a tenth to a half of
//! the work of whoever reads it, who parses, hashes or decodes every byte
//! on the same core. [`read_ahead`] moves the decryption to a second core:
//! a thread reads the source into buffers a little ahead of the reader,
//! relayed to it in order and back ([`crate::relay`]). The buffers are
//! wiped when dropped, since they hold plaintext. With one core there is
//! no second thread.

use crate::relay::{self, Taker};
use std::io::Read;
use zeroize::Zeroizing;

/// Bytes read ahead at a time.
const BUFFER: usize = 256 << 10;

/// A buffer of the source's bytes.
struct Chunk {
    buf: Zeroizing<Vec<u8>>,
    /// How many of its bytes were filled: fewer than its length at the
    /// end of the source.
    filled: usize,
    /// The error the source gave after those bytes, until the reader has
    /// it.
    error: Option<std::io::Error>,
}

impl Chunk {
    fn new() -> Self {
        Self {
            buf: Zeroizing::new(vec![0; BUFFER]),
            filled: 0,
            error: None,
        }
    }

    /// Whether the source ends with this chunk.
    fn last(&self) -> bool {
        self.error.is_some() || self.filled < self.buf.len()
    }
}

/// Calls `f` with a reader of `source`'s bytes, which a second thread
/// reads ahead of it. When `f` returns, the thread stops, however much of
/// the source is left; an error reading the source is the reader's error.
pub(crate) fn read_ahead<R>(source: impl Read + Send, f: impl FnOnce(&mut dyn Read) -> R) -> R {
    let mut source = source;
    if !relay::two_cores() {
        return f(&mut source);
    }
    let (filler, taker) = relay::relay::<Chunk>();
    std::thread::scope(|s| {
        s.spawn(move || loop {
            let mut chunk = filler.reuse().unwrap_or_else(Chunk::new);
            (chunk.filled, chunk.error) = fill(&mut source, &mut chunk.buf);
            let last = chunk.last();
            // Gone: the reader stopped, and so does the need.
            if filler.hand_over(chunk).is_err() || last {
                return;
            }
        });
        f(&mut Ahead {
            taker,
            current: None,
            at: 0,
        })
    })
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

/// The reader's end: the chunks the thread filled, in order.
struct Ahead {
    taker: Taker<Chunk>,
    /// The chunk being read, and how far.
    current: Option<Chunk>,
    at: usize,
}

impl Read for Ahead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(c) = &mut self.current {
                if self.at < c.filled {
                    let n = (c.filled - self.at).min(out.len());
                    out[..n].copy_from_slice(&c.buf[self.at..self.at + n]);
                    self.at += n;
                    return Ok(n);
                }
                if let Some(e) = c.error.take() {
                    return Err(e);
                }
                if c.last() {
                    return Ok(0);
                }
            }
            if let Some(c) = self.current.take() {
                self.taker.give_back(c);
            }
            match self.taker.next() {
                Some(c) => {
                    self.current = Some(c);
                    self.at = 0;
                }
                // Gone without its last chunk: not the end of the source.
                None => {
                    return Err(std::io::Error::other(
                        "the thread reading ahead stopped before the end",
                    ))
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
