//! Where a streamed export waits until it may be written.
//!
//! A writer produces its file in one pass over the records, but the file
//! may not go out yet: the re-identification check must first have seen
//! every record (see [`super::select`]), and a bundle lists each file's
//! size and SHA-256 in its manifest, which comes first in the archive. So
//! the writer writes into a [`Spill`], which counts and hashes the bytes
//! and keeps them in memory up to [`MEMORY_BYTES`]; past that it encrypts
//! them (age, to a key made for this one spill and held only in memory)
//! into a file that has no name: opened with `O_TMPFILE` in the vault's
//! folder, or removed the moment it is opened where that flag is not
//! supported. Plaintext never reaches the disk, nothing is left behind
//! after a crash that anyone could read (the key died with the process),
//! and memory stays bounded whatever the export's size. Once the check
//! passes, [`Spilled::reader`] reads the bytes back as many times as
//! needed (to sign a report, then to copy it into place).
//!
//! This costs one encryption and one decryption of the file, far less
//! than producing it twice from the vault (a counting pass for the size,
//! then a writing pass), which was the alternative.
//!
//! A copy that is only read back, never published ([`Spill::unhashed`]:
//! the rows an export copies, an imported log) keeps its first
//! `limit` bytes in memory when the rest goes to disk, instead of moving
//! them into the file too: they are read from memory, so only the bytes
//! past the limit are encrypted and decrypted (at 100,000 incidents, 48 of
//! an export's ~160 MiB of rows; docs/benchmarks.md, section 2). The
//! memory held is the same limit; it is held until the copy is dropped
//! rather than until it outgrows the limit.

use super::{io_err, ExportError, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Bytes a spill keeps in memory before it moves them, encrypted, to disk.
pub const MEMORY_BYTES: usize = 24 << 20;

const WHAT: &str = "the export's encrypted temporary copy";

/// Receives a file being produced; see the module documentation.
pub struct Spill {
    dir: PathBuf,
    limit: usize,
    memory: Chunks,
    file: Option<(
        age::stream::StreamWriter<BufWriter<File>>,
        age::x25519::Identity,
    )>,
    len: u64,
    /// `None` for a spill nobody needs the hash of.
    sha: Option<Sha256>,
    /// Whether the bytes in memory stay there when the rest goes to disk
    /// (see the module documentation).
    keep_head: bool,
}

impl Spill {
    /// A spill whose bytes, if they outgrow memory, go to `dir`.
    pub fn new(dir: &Path) -> Self {
        Self::with_limit(dir, MEMORY_BYTES)
    }

    /// A spill that keeps at most `limit` bytes in memory.
    pub fn with_limit(dir: &Path, limit: usize) -> Self {
        Self {
            dir: dir.to_path_buf(),
            limit,
            memory: Chunks::default(),
            file: None,
            len: 0,
            sha: Some(Sha256::new()),
            keep_head: false,
        }
    }

    /// A spill that keeps at most `limit` bytes in memory and computes no
    /// hash (its [`Spilled::sha256`] is empty): for a copy that is only
    /// read back, never published. Its first `limit` bytes stay in
    /// memory; only the rest is encrypted to disk.
    pub(crate) fn unhashed(dir: &Path, limit: usize) -> Self {
        Self {
            sha: None,
            keep_head: true,
            ..Self::with_limit(dir, limit)
        }
    }

    /// Appends to the memory copy.
    fn keep(&mut self, buf: &[u8]) {
        self.memory.push(buf, self.limit);
    }

    /// Opens the encrypted file; moves what is in memory into it unless
    /// the head stays in memory.
    fn overflow(&mut self) -> std::io::Result<()> {
        let key = age::x25519::Identity::generate();
        let recipient = key.to_public();
        let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
            .map_err(std::io::Error::other)?;
        let file = anonymous_file(&self.dir)?;
        let mut w = enc.wrap_output(BufWriter::with_capacity(1 << 16, file))?;
        if !self.keep_head {
            std::io::copy(&mut self.memory.reader(), &mut w)?;
            self.memory = Chunks::default();
        }
        self.file = Some((w, key));
        Ok(())
    }

    /// Ends the file: its size and SHA-256 are then known.
    pub fn finish(self) -> Result<Spilled> {
        let Self {
            memory,
            file,
            len,
            sha,
            ..
        } = self;
        let body = match file {
            None => Body::Memory(memory),
            Some((w, key)) => {
                let file = w
                    .finish()
                    .and_then(|b| b.into_inner().map_err(|e| e.into_error()))
                    .map_err(io_err(WHAT))?;
                Body::File {
                    head: memory,
                    file,
                    key,
                }
            }
        };
        Ok(Spilled {
            sha256: sha.map(|h| hex::encode(h.finalize())).unwrap_or_default(),
            len,
            body,
        })
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        if self.file.is_none() && self.memory.len() + buf.len() > self.limit {
            if self.keep_head {
                // Memory filled to the limit; the rest to the file.
                let room = self.limit.saturating_sub(self.memory.len()).min(buf.len());
                let (head, tail) = buf.split_at(room);
                self.keep(head);
                rest = tail;
            }
            self.overflow()?;
        }
        match &mut self.file {
            Some((w, _)) => w.write_all(rest)?,
            None => self.keep(rest),
        }
        if let Some(sha) = &mut self.sha {
            sha.update(buf);
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes held in memory, in blocks that are never moved: a `Vec` grown
/// by doubling copies itself each time and leaves the old copy to wipe
/// (for a 48 MiB copy of rows, 48 MiB more copied and wiped, and as many
/// pages touched). Each block is wiped when dropped.
#[derive(Default)]
struct Chunks {
    blocks: Vec<Zeroizing<Vec<u8>>>,
    len: usize,
}

impl Chunks {
    /// Appends `buf`; a new block holds as many bytes as are held already
    /// (64 KiB to 4 MiB, never past `limit` in all).
    fn push(&mut self, mut buf: &[u8], limit: usize) {
        while !buf.is_empty() {
            let full = self.blocks.last().is_none_or(|b| b.len() == b.capacity());
            if full {
                let size = self
                    .len
                    .clamp(1 << 16, 1 << 22)
                    .min(limit.saturating_sub(self.len))
                    .max(1);
                self.blocks.push(Zeroizing::new(Vec::with_capacity(size)));
            }
            let Some(b) = self.blocks.last_mut() else {
                return;
            };
            let n = (b.capacity() - b.len()).min(buf.len());
            b.extend_from_slice(&buf[..n]);
            self.len += n;
            buf = &buf[n..];
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// The bytes, from the start.
    fn reader(&self) -> ChunksReader<'_> {
        ChunksReader {
            blocks: &self.blocks,
            at: 0,
        }
    }
}

/// Reads [`Chunks`] in order.
struct ChunksReader<'a> {
    blocks: &'a [Zeroizing<Vec<u8>>],
    /// Position in the first block.
    at: usize,
}

impl Read for ChunksReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some((first, rest)) = self.blocks.split_first() {
            let left = &first[self.at..];
            if left.is_empty() {
                self.blocks = rest;
                self.at = 0;
                continue;
            }
            let n = left.len().min(buf.len());
            buf[..n].copy_from_slice(&left[..n]);
            self.at += n;
            return Ok(n);
        }
        Ok(0)
    }
}

enum Body {
    Memory(Chunks),
    File {
        /// The bytes before the file's (empty unless the head is kept).
        head: Chunks,
        file: File,
        key: age::x25519::Identity,
    },
}

/// A finished spill: its size and hash, and its bytes to read back.
pub struct Spilled {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Their number.
    pub len: u64,
    body: Body,
}

impl std::fmt::Debug for Spilled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spilled")
            .field("sha256", &self.sha256)
            .field("len", &self.len)
            .field("on_disk", &matches!(self.body, Body::File { .. }))
            .finish()
    }
}

impl Spilled {
    /// The bytes, from the start (each call starts again).
    pub fn reader(&mut self) -> Result<Box<dyn Read + '_>> {
        match &mut self.body {
            Body::Memory(v) => Ok(Box::new(v.reader())),
            Body::File { head, file, key } => {
                Ok(Box::new(head.reader().chain(decrypted(file, key)?)))
            }
        }
    }

    /// Calls `f` with a reader of the bytes, from the start, whose part
    /// on disk is read and decrypted on a second thread, a little ahead
    /// of `f` ([`crate::read_ahead`]): for a reader that has work of its
    /// own to do with every byte (decoding each copied record).
    pub(crate) fn read_ahead<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Read) -> Result<R>,
    ) -> Result<R> {
        let Body::File { head, file, key } = &mut self.body else {
            return f(&mut *self.reader()?);
        };
        let on_disk = decrypted(file, key)?;
        let head = &*head;
        crate::read_ahead::read_ahead(on_disk, |r| f(&mut head.reader().chain(r)))
    }

    /// The file the bytes went to, if they did not stay in memory.
    #[cfg(test)]
    pub(crate) fn file_for_test(&mut self) -> Option<&mut File> {
        match &mut self.body {
            Body::File { file, .. } => Some(file),
            Body::Memory(_) => None,
        }
    }

    /// Copies every byte to `out`; refuses a copy that is not exactly as
    /// long as what was written (the temporary file was cut or grown).
    pub fn copy_to(&mut self, out: &mut dyn Write) -> Result<()> {
        let len = self.len;
        let mut r = self.reader()?;
        let n = std::io::copy(&mut r, out).map_err(io_err(WHAT))?;
        if n != len {
            return Err(ExportError::Crypto(format!(
                "{WHAT} holds {n} bytes where {len} were written"
            )));
        }
        Ok(())
    }
}

/// The bytes of a spill's file, decrypted, from the start.
fn decrypted<'f>(file: &'f mut File, key: &age::x25519::Identity) -> Result<impl Read + Send + 'f> {
    file.seek(SeekFrom::Start(0)).map_err(io_err(WHAT))?;
    let dec = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 16, &*file))
        .map_err(|e| ExportError::Crypto(format!("{WHAT}: {e}")))?;
    dec.decrypt(std::iter::once(key as &dyn age::Identity))
        .map_err(|e| ExportError::Crypto(format!("{WHAT}: {e}")))
}

/// A new file in `dir` that no other process can open by name.
fn anonymous_file(dir: &Path) -> std::io::Result<File> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{open, Mode, OFlags};
        use rustix::io::Errno;
        match open(
            dir,
            OFlags::RDWR | OFlags::TMPFILE | OFlags::CLOEXEC,
            Mode::RUSR | Mode::WUSR,
        ) {
            Ok(fd) => return Ok(File::from(fd)),
            // File systems without O_TMPFILE: a named file, removed below.
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let path = dir.join(format!(".vekil-spill-{}", uuid::Uuid::new_v4()));
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let file = o.open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> Vec<u8> {
        "Rəşad Məmmədov — Рашад Мамедов; ə ı İ ş ğ\n"
            .repeat(n)
            .into_bytes()
    }

    fn round_trip(limit: usize, bytes: &[u8]) -> (Spilled, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tmp");
        let mut s = Spill::with_limit(dir.path(), limit);
        for chunk in bytes.chunks(1000) {
            s.write_all(chunk).expect("write");
        }
        (s.finish().expect("finish"), dir)
    }

    #[test]
    fn small_files_stay_in_memory_and_read_back_the_same() {
        let bytes = text(100);
        let (mut s, dir) = round_trip(1 << 20, &bytes);
        assert_eq!(s.len, bytes.len() as u64);
        assert_eq!(s.sha256, hex::encode(Sha256::digest(&bytes)));
        let mut back = vec![];
        s.copy_to(&mut back).expect("copy");
        assert_eq!(back, bytes);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }

    #[test]
    fn large_files_go_to_disk_encrypted_and_nameless() {
        let bytes = text(5_000);
        let (mut s, dir) = round_trip(10_000, &bytes);
        assert!(matches!(s.body, Body::File { .. }));
        // No file by any name: nothing to find in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
        // What is on disk is not the text.
        if let Body::File { file, .. } = &mut s.body {
            let mut raw = vec![];
            file.seek(SeekFrom::Start(0)).expect("seek");
            file.read_to_end(&mut raw).expect("read");
            assert!(raw.len() > bytes.len());
            let needle = "Məmmədov".as_bytes();
            assert!(!raw.windows(needle.len()).any(|w| w == needle));
        }
        for _ in 0..2 {
            let mut back = vec![];
            s.copy_to(&mut back).expect("copy");
            assert_eq!(back, bytes, "read back twice, the same each time");
        }
        assert_eq!(s.sha256, hex::encode(Sha256::digest(&bytes)));
    }

    /// A reader that stops early (an error, a lock) ends the thread
    /// reading ahead, however much was left, and the bytes stay readable.
    #[test]
    fn reading_ahead_stops_with_its_reader() {
        // Many times what is read ahead: the thread would block if it
        // did not see its reader go.
        let bytes = text(100_000);
        let (mut s, _dir) = round_trip(10_000, &bytes);
        for stop in [0, 5_000, 300_007, 900_000] {
            let mut first = vec![0; stop];
            let r: Result<()> = s.read_ahead(|r| {
                r.read_exact(&mut first).map_err(io_err(WHAT))?;
                Err(ExportError::Crypto("stopped by the test".into()))
            });
            assert!(matches!(r, Err(ExportError::Crypto(m)) if m == "stopped by the test"));
            assert_eq!(first, bytes[..stop]);
        }
        let mut back = vec![];
        s.read_ahead(|r| r.read_to_end(&mut back).map_err(io_err(WHAT)))
            .expect("read ahead");
        assert_eq!(back, bytes);
    }

    proptest::proptest! {
        /// Whatever the sizes of the writes and wherever the limit falls
        /// (within the first block of memory, across several, or past
        /// all of them), the bytes read back as written, twice.
        #[test]
        fn any_writes_read_back_as_written(
            sizes in proptest::collection::vec(0usize..70_000, 0..12),
            limit in proptest::prop_oneof![
                proptest::strategy::Just(0usize),
                proptest::strategy::Just(1_000),
                proptest::strategy::Just(100_000),
                proptest::strategy::Just(1 << 20),
            ],
            head in proptest::bool::ANY,
        ) {
            let all = text(20_000);
            let dir = tempfile::tempdir().expect("tmp");
            let mut s = if head {
                Spill::unhashed(dir.path(), limit)
            } else {
                Spill::with_limit(dir.path(), limit)
            };
            let mut want = vec![];
            let mut at = 0;
            for n in sizes {
                let piece = &all[at..at + n];
                at += n;
                s.write_all(piece).expect("write");
                want.extend_from_slice(piece);
            }
            let mut s = s.finish().expect("finish");
            for _ in 0..2 {
                let mut back = vec![];
                s.copy_to(&mut back).expect("copy");
                proptest::prop_assert_eq!(&back, &want);
            }
            let mut back = vec![];
            s.read_ahead(|r| r.read_to_end(&mut back).map_err(io_err(WHAT)))
                .expect("read ahead");
            proptest::prop_assert_eq!(&back, &want, "read ahead");
        }
    }

    /// A copy only read back keeps its head in memory: the file holds
    /// only what came past the limit (encrypted), and the whole reads back
    /// in order, as often as asked, however the writes fall across the
    /// limit.
    #[test]
    fn a_copy_read_back_keeps_its_head_in_memory_and_encrypts_only_the_rest() {
        let bytes = text(5_000);
        for (limit, chunk) in [(10_000, 1000), (10_000, 777), (10_000, 30_000), (0, 4096)] {
            let dir = tempfile::tempdir().expect("tmp");
            let mut s = Spill::unhashed(dir.path(), limit);
            for c in bytes.chunks(chunk) {
                s.write_all(c).expect("write");
            }
            let mut s = s.finish().expect("finish");
            assert_eq!(s.len, bytes.len() as u64);
            assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
            let file = s
                .file_for_test()
                .expect("past the limit, the rest goes to disk");
            let mut raw = vec![];
            file.seek(SeekFrom::Start(0)).expect("seek");
            file.read_to_end(&mut raw).expect("read");
            // age's header and tags add well under 1 KiB here.
            let rest = bytes.len() - limit;
            assert!(
                raw.len() > rest && raw.len() < rest + 1024,
                "{} bytes on disk for {rest} past the limit",
                raw.len()
            );
            let needle = "Məmmədov".as_bytes();
            assert!(!raw.windows(needle.len()).any(|w| w == needle));
            for _ in 0..2 {
                let mut back = vec![];
                s.copy_to(&mut back).expect("copy");
                assert_eq!(back, bytes, "limit {limit}, writes of {chunk}");
            }
        }
    }
}
