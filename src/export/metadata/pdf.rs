//! PDF: no stripper, a conservative check. A PDF leaves as is only if
//! nothing in it, compressed or not, is document metadata.
//!
//! The file is read as bytes, and so is the inflated content of every
//! stream that inflates (object streams, where a catalog's `/Metadata` or
//! an `/Info` dictionary can hide from a plain byte search, included).
//! In all of them, every name is read with its `#xx` escapes decoded, and
//! the file is held back if one is a document-information key (`Info`,
//! `Author`, `Producer`…), `Metadata`, `PieceInfo`, an embedded file or
//! thumbnail, `Encrypt`, or a filter this build cannot undo (LZW, ASCII85,
//! ASCIIHex, RunLength, Crypt), or if an embedded image carries EXIF, XMP
//! or IPTC. Old revisions left in the file by incremental saves are bytes
//! of the file, so they are checked too. Inflating stops at
//! [`super::MAX_IN_MEMORY`] in all.

use super::{Cleaned, MetadataHold};
use std::io::Read;

/// Names that hold back a PDF, and the reason token each reports.
const NAMES: &[(&[u8], &str)] = &[
    (b"Info", "Info"),
    (b"Author", "Info"),
    (b"Creator", "Info"),
    (b"Producer", "Info"),
    (b"Title", "Info"),
    (b"Subject", "Info"),
    (b"Keywords", "Info"),
    (b"CreationDate", "Info"),
    (b"ModDate", "Info"),
    (b"Metadata", "Metadata"),
    (b"PieceInfo", "PieceInfo"),
    (b"EmbeddedFile", "EmbeddedFile"),
    (b"EmbeddedFiles", "EmbeddedFile"),
    (b"FileAttachment", "EmbeddedFile"),
    (b"Thumb", "Thumb"),
    (b"Encrypt", "Encrypt"),
    (b"LZWDecode", "LZWDecode"),
    (b"LZW", "LZWDecode"),
    (b"ASCII85Decode", "ASCII85Decode"),
    (b"A85", "ASCII85Decode"),
    (b"ASCIIHexDecode", "ASCIIHexDecode"),
    (b"AHx", "ASCIIHexDecode"),
    (b"RunLengthDecode", "RunLengthDecode"),
    (b"RL", "RunLengthDecode"),
    (b"Crypt", "Crypt"),
];

/// Byte markers of metadata blocks inside embedded images or streams.
const MARKERS: &[(&[u8], &str)] = &[
    (b"Exif\0\0", "Exif"),
    (b"<x:xmpmeta", "XMP"),
    (b"http://ns.adobe.com/xap/1.0/", "XMP"),
    (b"Photoshop 3.0\0", "IPTC"),
];

pub(super) fn check(b: &[u8]) -> Cleaned {
    let held = |found: &str| {
        Cleaned::HeldBack(MetadataHold::PdfMetadata {
            found: found.into(),
        })
    };
    if !b[..b.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return super::malformed("application/pdf");
    }
    if let Some(found) = scan(b) {
        return held(found);
    }
    let mut budget = super::MAX_IN_MEMORY;
    for data in streams(b) {
        match inflate(data, budget) {
            Inflated::Ok(v) => {
                budget -= v.len() as u64;
                if let Some(found) = scan(&v) {
                    return held(found);
                }
            }
            Inflated::NotZlib => {}
            Inflated::TooLarge => {
                return Cleaned::HeldBack(MetadataHold::TooLarge {
                    media_type: "application/pdf".into(),
                    size: b.len() as u64,
                })
            }
        }
    }
    Cleaned::AsIs
}

/// The first name or marker in `v` that holds a PDF back.
fn scan(v: &[u8]) -> Option<&'static str> {
    names(v)
        .find_map(|n| {
            NAMES
                .iter()
                .find(|(name, _)| *name == n.as_slice())
                .map(|(_, f)| *f)
        })
        .or_else(|| {
            MARKERS
                .iter()
                .find(|(m, _)| v.windows(m.len()).any(|w| w == *m))
                .map(|(_, f)| *f)
        })
}

/// The raw data of each `stream … endstream`.
fn streams(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pos = 0;
    std::iter::from_fn(move || loop {
        let at = pos + find(&b[pos..], b"stream")?;
        pos = at + 6;
        if at >= 3 && &b[at - 3..at] == b"end" {
            continue;
        }
        let mut start = pos;
        if b.get(start) == Some(&b'\r') {
            start += 1;
        }
        if b.get(start) != Some(&b'\n') {
            continue;
        }
        start += 1;
        let end = start + find(&b[start..], b"endstream").unwrap_or(b.len() - start);
        pos = end;
        return Some(&b[start..end]);
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

enum Inflated {
    Ok(zeroize::Zeroizing<Vec<u8>>),
    NotZlib,
    TooLarge,
}

/// Inflates a zlib stream, reading at most `budget` bytes of output. A
/// stream that stops early (a trailing newline, a short `/Length`) still
/// yields what it inflated so far.
fn inflate(data: &[u8], budget: u64) -> Inflated {
    if data.len() < 2
        || data[0] & 0x0F != 8
        || !u16::from_be_bytes([data[0], data[1]]).is_multiple_of(31)
    {
        return Inflated::NotZlib;
    }
    let mut out = zeroize::Zeroizing::new(Vec::new());
    let mut z = flate2::read::ZlibDecoder::new(data).take(budget.saturating_add(1));
    let mut buf = [0u8; 16 * 1024];
    loop {
        match z.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    if out.len() as u64 > budget {
        return Inflated::TooLarge;
    }
    Inflated::Ok(out)
}

/// Every PDF name in `b` (`/Name`), `#xx` escapes decoded.
fn names(b: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let slash = pos + b.get(pos..)?.iter().position(|&c| c == b'/')?;
        let mut i = slash + 1;
        let mut name = vec![];
        while let Some(&c) = b.get(i) {
            if c.is_ascii_whitespace() || b"()<>[]{}/%\0".contains(&c) {
                break;
            }
            if c == b'#' {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    name.push(v);
                    i += 3;
                    continue;
                }
            }
            name.push(c);
            i += 1;
        }
        pos = i.max(slash + 1);
        Some(name)
    })
}
