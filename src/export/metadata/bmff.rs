//! MP4, QuickTime, 3GP and M4A (ISO base media files): a bounded walk of
//! the box tree, reading box headers and seeking past media data, so a
//! long video costs a few reads, not a pass over its bytes.
//!
//! No stripper: removing a box moves the media data, and every chunk
//! offset (`stco`/`co64`) would have to be rewritten. A recording leaves
//! as is only if every box is one this walk knows and none carries
//! metadata: no `udta` (where phones put `©xyz`, the location), `meta`,
//! `uuid` (XMP, Sony's GPS), `XMP_`, no track other than video and sound
//! (Apple's and Google's location tracks are `meta`/`camm` tracks whose
//! samples are in the media data), no external data reference, and
//! `free`/`skip`/`wide` padding that is all zeros (an editor may leave an
//! old `udta` in a `free` box). Anything else is held back with the box
//! found.
//!
//! Bounds: a box smaller than its header, a child larger than its parent,
//! a 64-bit size past the end, nesting deeper than [`MAX_DEPTH`] or more
//! than [`MAX_BOXES`] boxes make the file malformed. Size 0 means "to the
//! end of the enclosing box" (the file, at the top). Every step moves
//! forward by at least a header, so no file can loop.

use super::{Cleaned, MetadataHold};
use std::io::{Read, Seek, SeekFrom};

/// Deepest nesting accepted (real files nest about 8 deep).
pub const MAX_DEPTH: usize = 32;
/// Most boxes accepted in one file.
pub const MAX_BOXES: usize = 100_000;

/// Boxes that hold only other boxes, walked into.
const CONTAINERS: &[&[u8; 4]] = &[
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"mvex", b"moof", b"traf",
    b"mfra", b"tref",
];

/// Boxes whose content is structure or media, not descriptive data.
const LEAVES: &[&[u8; 4]] = &[
    b"ftyp", b"styp", b"mdat", b"mvhd", b"tkhd", b"mdhd", b"vmhd", b"smhd", b"gmhd", b"stsd",
    b"stts", b"ctts", b"cslg", b"stss", b"stps", b"sdtp", b"stsc", b"stsz", b"stz2", b"stco",
    b"co64", b"sgpd", b"sbgp", b"subs", b"saiz", b"saio", b"elst", b"mehd", b"trex", b"trep",
    b"mfhd", b"tfhd", b"tfdt", b"trun", b"tfra", b"mfro", b"sidx", b"prft", b"tapt", b"load",
    b"hint", b"vdep", b"cdsc", b"chap", b"sync", b"tmcd", b"pdin",
];

/// Padding that must be empty (all zeros).
const PADDING: &[&[u8; 4]] = &[b"free", b"skip", b"wide"];

/// The walk's outcome, before it becomes a [`Cleaned`].
#[derive(Debug)]
pub(super) enum Verdict {
    Clean,
    Metadata(String),
    Malformed,
}

impl Verdict {
    pub(super) fn into_cleaned(self, media_type: &str) -> Cleaned {
        match self {
            Self::Clean => Cleaned::AsIs,
            Self::Metadata(found) => Cleaned::HeldBack(MetadataHold::RecordingMetadata { found }),
            Self::Malformed => super::malformed(media_type),
        }
    }
}

struct Walk<'r, R> {
    r: &'r mut R,
    boxes: usize,
}

/// Checks the `size` bytes `r` yields.
pub(super) fn check<R: Read + Seek>(r: &mut R, size: u64) -> std::io::Result<Verdict> {
    let mut w = Walk { r, boxes: 0 };
    match w.children(0, size, 0) {
        Ok(()) => Ok(Verdict::Clean),
        Err(Stop::Verdict(v)) => Ok(v),
        Err(Stop::Io(e)) => Err(e),
    }
}

enum Stop {
    Verdict(Verdict),
    Io(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

fn malformed() -> Stop {
    Stop::Verdict(Verdict::Malformed)
}

fn metadata(kind: &[u8]) -> Stop {
    Stop::Verdict(Verdict::Metadata(super::token(kind)))
}

impl<R: Read + Seek> Walk<'_, R> {
    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> Result<(), Stop> {
        self.r.seek(SeekFrom::Start(at))?;
        self.r.read_exact(buf)?;
        Ok(())
    }

    /// Walks the boxes filling `[start, end)`.
    fn children(&mut self, start: u64, end: u64, depth: usize) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(malformed());
        }
        let mut pos = start;
        while pos < end {
            self.boxes += 1;
            if self.boxes > MAX_BOXES || end - pos < 8 {
                return Err(malformed());
            }
            let mut h = [0u8; 8];
            self.read_at(pos, &mut h)?;
            let kind: [u8; 4] = [h[4], h[5], h[6], h[7]];
            let (size, header) = match u32::from_be_bytes([h[0], h[1], h[2], h[3]]) {
                0 => (end - pos, 8),
                1 => {
                    if end - pos < 16 {
                        return Err(malformed());
                    }
                    let mut large = [0u8; 8];
                    self.read_at(pos + 8, &mut large)?;
                    (u64::from_be_bytes(large), 16)
                }
                n => (u64::from(n), 8),
            };
            if size < header || size > end - pos {
                return Err(malformed());
            }
            let body = pos + header;
            let box_end = pos + size;
            self.one(&kind, body, box_end, depth)?;
            pos = box_end;
        }
        Ok(())
    }

    fn one(&mut self, kind: &[u8; 4], body: u64, end: u64, depth: usize) -> Result<(), Stop> {
        if CONTAINERS.contains(&kind) {
            return self.children(body, end, depth + 1);
        }
        if PADDING.contains(&kind) {
            return self.zeros(body, end, kind);
        }
        match kind {
            b"hdlr" => self.handler(body, end),
            b"dref" => self.data_references(body, end, depth),
            _ if LEAVES.contains(&kind) => Ok(()),
            _ => Err(metadata(kind)),
        }
    }

    /// A track's handler: only video and sound tracks leave.
    fn handler(&mut self, body: u64, end: u64) -> Result<(), Stop> {
        if end - body < 12 {
            return Err(malformed());
        }
        let mut h = [0u8; 12];
        self.read_at(body, &mut h)?;
        // version/flags, pre_defined (QuickTime: component type), then the type.
        let kind = &h[8..12];
        match kind {
            b"vide" | b"soun" => Ok(()),
            // QuickTime's data handler inside `minf` names the alias type.
            b"alis" | b"url " if &h[4..8] == b"dhlr" => Ok(()),
            _ => Err(Stop::Verdict(Verdict::Metadata(format!(
                "track:{}",
                super::token(kind)
            )))),
        }
    }

    /// Data references must point into this file (flag 1, no location).
    fn data_references(&mut self, body: u64, end: u64, depth: usize) -> Result<(), Stop> {
        if end - body < 8 {
            return Err(malformed());
        }
        let mut pos = body + 8; // version/flags, entry count
        while pos < end {
            self.boxes += 1;
            if self.boxes > MAX_BOXES || end - pos < 12 || depth > MAX_DEPTH {
                return Err(malformed());
            }
            let mut h = [0u8; 12];
            self.read_at(pos, &mut h)?;
            let size = u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]));
            if size < 12 || size > end - pos {
                return Err(malformed());
            }
            let self_contained = h[11] & 1 == 1;
            if !matches!(&h[4..8], b"url " | b"alis") || !self_contained || size != 12 {
                return Err(metadata(b"dref"));
            }
            pos += size;
        }
        Ok(())
    }

    fn zeros(&mut self, body: u64, end: u64, kind: &[u8; 4]) -> Result<(), Stop> {
        self.r.seek(SeekFrom::Start(body))?;
        let mut left = end - body;
        let mut buf = [0u8; 8192];
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            self.r.read_exact(&mut buf[..n])?;
            if buf[..n].iter().any(|&b| b != 0) {
                return Err(metadata(kind));
            }
            left -= n as u64;
        }
        Ok(())
    }
}
