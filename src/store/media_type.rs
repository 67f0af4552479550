//! What kind of file an attachment is, read from its first bytes.
//!
//! The media type decides how an export treats a file's embedded
//! metadata, so it must describe the content: a phone video renamed
//! `notes.txt` is still a video with its location in it. It is sniffed
//! once at intake from the first [`SNIFF_BYTES`] and stored in the
//! evidence note, which an edit cannot change (see `model::evidence`).
//!
//! Most types come from the `infer` crate (magic numbers, including the
//! zip-based office formats). What it does not tell apart is done here:
//! the ISO base media family by `ftyp` brand (HEIC, HEIF, AVIF, MP4,
//! QuickTime, 3GP, M4A, CR3, which `infer` lumps together or misses),
//! TIFF against DNG and the TIFF-based raw formats, and plain UTF-8 text.
//! Anything else is `application/octet-stream`.

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The type of an unrecognised file.
pub const UNKNOWN: &str = "application/octet-stream";

/// The media type of a file whose first bytes (up to [`SNIFF_BYTES`]) are
/// `head`; `complete` says whether `head` is the whole file (so a text
/// file cut in the middle of a character is still text).
pub fn sniff(head: &[u8], complete: bool) -> &'static str {
    if let Some(t) = iso_bmff(head) {
        return t;
    }
    if let Some(t) = tiff_family(head) {
        return t;
    }
    if let Some(kind) = infer::get(head) {
        let t = kind.mime_type();
        // "BM" alone is a weak signature: a text starting "BMW…" is no bitmap.
        if t != "image/bmp" || bmp_header(head) {
            return canonical(t);
        }
    }
    if is_text(head, complete) {
        return "text/plain";
    }
    UNKNOWN
}

/// Registered names where `infer` uses private ones, so that one type
/// has one name.
fn canonical(t: &'static str) -> &'static str {
    match t {
        "audio/m4a" => "audio/mp4",
        "audio/x-wav" => "audio/wav",
        "audio/x-flac" => "audio/flac",
        other => other,
    }
}

fn bmp_header(b: &[u8]) -> bool {
    // BITMAPINFOHEADER and its successors start with their own size.
    b.get(14..18)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .is_some_and(|n| matches!(n, 12 | 40 | 52 | 56 | 64 | 108 | 124))
}

/// ISO base media files (MP4, QuickTime, HEIF…) by the brands in `ftyp`.
fn iso_bmff(b: &[u8]) -> Option<&'static str> {
    let kind = b.get(4..8)?;
    if kind != b"ftyp" {
        // Old QuickTime files have no `ftyp`; they start with the movie.
        return matches!(kind, b"moov" | b"mdat" | b"wide").then_some("video/quicktime");
    }
    let size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    if size < 16 {
        return Some(UNKNOWN);
    }
    let end = size.min(b.len());
    let major = b.get(8..12)?;
    let compatible = b.get(16..end).unwrap_or_default().chunks_exact(4);
    let brands = std::iter::once(major).chain(compatible);
    // The most specific brand decides (images before video before
    // audio before plain MP4), wherever it is listed.
    let mut best: Option<&'static str> = None;
    for t in brands.filter_map(brand) {
        let rank = |t: &str| match t {
            "image/heic" | "image/avif" | "image/x-canon-cr3" => 0,
            "image/heif" => 1,
            "video/quicktime" | "video/3gpp" | "video/3gpp2" => 2,
            "audio/mp4" => 3,
            _ => 4,
        };
        if best.is_none_or(|b| rank(t) < rank(b)) {
            best = Some(t);
        }
    }
    Some(best.unwrap_or(UNKNOWN))
}

fn brand(b: &[u8]) -> Option<&'static str> {
    Some(match b {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => {
            "image/heic"
        }
        b"avif" | b"avis" => "image/avif",
        b"mif1" | b"msf1" | b"mif2" => "image/heif",
        b"crx " => "image/x-canon-cr3",
        b"qt  " => "video/quicktime",
        b"M4A " | b"M4B " | b"M4P " => "audio/mp4",
        _ if b.starts_with(b"3gp") || b.starts_with(b"3gg") || b.starts_with(b"3gr") => {
            "video/3gpp"
        }
        _ if b.starts_with(b"3g2") => "video/3gpp2",
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso7" | b"iso8" | b"iso9"
        | b"mp41" | b"mp42" | b"mp71" | b"avc1" | b"dash" | b"mmp4" | b"M4V " | b"M4VH"
        | b"M4VP" | b"f4v " | b"MSNV" | b"XAVC" => "video/mp4",
        _ => return None,
    })
}

/// TIFF, and the formats built on it that a phone or camera writes.
fn tiff_family(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"FUJIFILMCCD-RAW") {
        return Some("image/x-fuji-raf");
    }
    let little = match b.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        b"IIRO" | b"IIRS" | b"MMOR" => return Some("image/x-olympus-orf"),
        b"IIU\0" => return Some("image/x-panasonic-rw2"),
        b"II+\0" | b"MM\0+" => return Some("image/tiff"), // BigTIFF
        _ => return None,
    };
    if b.get(8..11) == Some(b"CR\x02") {
        return Some("image/x-canon-cr2");
    }
    let u16_at = |at: usize| {
        b.get(at..at + 2).map(|s| {
            if little {
                u16::from_le_bytes([s[0], s[1]])
            } else {
                u16::from_be_bytes([s[0], s[1]])
            }
        })
    };
    let ifd = b.get(4..8).map(|s| {
        let a = [s[0], s[1], s[2], s[3]];
        (if little {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }) as usize
    })?;
    // DNGVersion (0xC612) in the first directory makes it a DNG.
    let count = u16_at(ifd).unwrap_or(0) as usize;
    let dng = (0..count).any(|i| u16_at(ifd + 2 + i * 12) == Some(0xC612));
    Some(if dng {
        "image/x-adobe-dng"
    } else {
        "image/tiff"
    })
}

/// UTF-8 text without control characters other than tab, line feed,
/// form feed and carriage return. An XMP packet saved as a file is
/// metadata, not text.
pub(crate) fn is_text(b: &[u8], complete: bool) -> bool {
    let text = match std::str::from_utf8(b) {
        Ok(t) => t,
        // A character cut by the end of the head is fine.
        Err(e) if !complete && e.error_len().is_none() => {
            match std::str::from_utf8(&b[..e.valid_up_to()]) {
                Ok(t) => t,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        && !text.contains("<x:xmpmeta")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftyp_brands() {
        let ftyp = |major: &[u8; 4], compat: &[&[u8; 4]]| {
            let mut b = ((16 + 4 * compat.len()) as u32).to_be_bytes().to_vec();
            b.extend_from_slice(b"ftyp");
            b.extend_from_slice(major);
            b.extend_from_slice(&[0; 4]);
            for c in compat {
                b.extend_from_slice(*c);
            }
            b
        };
        assert_eq!(
            sniff(&ftyp(b"isom", &[b"isom", b"avc1"]), true),
            "video/mp4"
        );
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"mif1", b"heic"]), true),
            "image/heic"
        );
        assert_eq!(sniff(&ftyp(b"mif1", &[b"avif"]), true), "image/avif");
        assert_eq!(sniff(&ftyp(b"msf1", &[b"msf1"]), true), "image/heif");
        assert_eq!(sniff(&ftyp(b"isom", &[b"3gp5"]), true), "video/3gpp");
        assert_eq!(sniff(&ftyp(b"3g2a", &[]), true), "video/3gpp2");
        assert_eq!(sniff(&ftyp(b"crx ", &[b"crx "]), true), "image/x-canon-cr3");
        assert_eq!(sniff(&ftyp(b"zzzz", &[b"yyyy"]), true), UNKNOWN);
        assert_eq!(
            sniff(b"\0\0\0\x08wide\0\0\0\x08mdat", true),
            "video/quicktime"
        );
        // An ftyp that claims to be shorter than its own fields.
        assert_eq!(sniff(b"\0\0\0\x04ftypisom\0\0\0\0", true), UNKNOWN);
    }

    #[test]
    fn text_and_not_text() {
        assert_eq!(
            sniff("Rədd cavabı\r\nОтказ\t№ 5".as_bytes(), true),
            "text/plain"
        );
        // NFD: a base letter and a combining mark.
        assert_eq!(sniff("s\u{327}ə".as_bytes(), true), "text/plain");
        assert_eq!(sniff(b"BMW hisobat", true), "text/plain");
        assert_eq!(sniff(b"nul\0byte", true), UNKNOWN);
        assert_eq!(sniff(b"\xff\xfeU\0T\0F\0", true), UNKNOWN);
        let cut = "ə".as_bytes();
        assert_eq!(sniff(&cut[..1], false), "text/plain");
        assert_eq!(sniff(&cut[..1], true), UNKNOWN);
        assert_eq!(
            sniff(b"<?xpacket?><x:xmpmeta xmlns:x='adobe:ns:meta/'/>", true),
            UNKNOWN
        );
    }

    #[test]
    fn raw_formats() {
        assert_eq!(sniff(b"II*\0\x10\0\0\0CR\x02\0", true), "image/x-canon-cr2");
        assert_eq!(sniff(b"IIRO\x08\0\0\0", true), "image/x-olympus-orf");
        assert_eq!(sniff(b"FUJIFILMCCD-RAW 0201", true), "image/x-fuji-raf");
        // A directory offset far past the end does not panic.
        assert_eq!(sniff(b"MM\0*\xff\xff\xff\xf0", true), "image/tiff");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_get_a_type(prefix in 0usize..8, bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let magic: [&[u8]; 8] = [b"", b"\0\0\0\x18ftyp", b"II*\0", b"MM\0*", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"RIFF", b"\xff\xd8\xff"];
            let mut input = magic[prefix].to_vec();
            input.extend_from_slice(&bytes);
            let t = sniff(&input, true);
            proptest::prop_assert!(t.contains('/'));
        }
    }
}
