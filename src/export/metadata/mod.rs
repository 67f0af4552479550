//! What an attachment carries besides its content (EXIF, GPS, XMP,
//! document properties, a phone's location atom), and whether an exported
//! copy can leave without it.
//!
//! Each format has a checker that keeps only what it knows (an allow-list)
//! and reports one of three outcomes ([`Cleaned`]): a stripped copy, the
//! file as is because nothing was found, or held back with a reason code
//! ([`MetadataHold`]) that the preview shows per file. Anything this build
//! cannot prove clean is held back: a format without a checker, a file
//! that does not parse, a file whose content is not the type recorded at
//! intake. The stored original is never changed. The table of what is
//! kept and removed per type is `docs/formats/attachments.md`.
//!
//! Checkers walk the container structure and never decode pictures or
//! sound, so a stripped image is byte for byte the same picture. Every
//! length read from a file is checked against the bytes that remain
//! before anything is sliced or allocated, and every walk is bounded in
//! depth and count, so a hostile file costs at most one pass over it.

mod bmff;
mod jpeg;
mod pdf;
mod png;
mod webp;

use crate::model::AttachmentRef;
use crate::store::media_type::{self, SNIFF_BYTES};
use crate::Vault;
use serde::Serialize;
use sha2::Digest;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use ts_rs::TS;
use uuid::Uuid;
use zeroize::Zeroizing;

/// Files over this size are held back unless their format is checked
/// without reading it whole (MP4/QuickTime): a photo or a PDF this large
/// is not what a phone or a scanner makes.
pub const MAX_IN_MEMORY: u64 = 256 * 1024 * 1024;

/// The outcome of cleaning one attachment for an export.
#[derive(Debug)]
pub enum Cleaned {
    /// Metadata was found and removed; these bytes leave instead.
    Stripped(Zeroizing<Vec<u8>>),
    /// Nothing to remove was found: the original leaves unchanged.
    AsIs,
    /// The file stays in the vault, for this reason.
    HeldBack(MetadataHold),
}

/// Why an attachment stays in the vault: a code with parameters for the
/// window (and the CLI) to word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum MetadataHold {
    /// This build has no checker for this type (HEIC, TIFF, RAW, office
    /// documents, MP3…).
    CannotStrip {
        /// The media type recorded at intake.
        media_type: String,
    },
    /// The file does not follow its format (truncated, a length past the
    /// end, a bad checksum, nesting too deep), so it cannot be checked.
    Malformed {
        /// The media type recorded at intake.
        media_type: String,
    },
    /// The content is not of the type recorded for it (a record from
    /// another vault, or from before types were read from the content).
    TypeMismatch {
        /// The media type recorded.
        stored: String,
        /// The type the content has.
        found: String,
    },
    /// A PDF with document properties or XMP metadata, or with parts this
    /// build cannot look into (encryption, unusual compression).
    PdfMetadata {
        /// The PDF name or marker found (`Info`, `Metadata`, `Exif`…).
        found: String,
    },
    /// An MP4/QuickTime/3GP/M4A recording with user data, a location, a
    /// metadata track, or a part this build does not know.
    RecordingMetadata {
        /// The box found (`udta`, `©xyz`, `meta`, `track:meta`…).
        found: String,
    },
    /// The stored file is missing or does not decrypt; `vekil
    /// verify-vault` says which.
    Unreadable,
    /// Larger than this build checks in memory ([`MAX_IN_MEMORY`]).
    TooLarge {
        /// The media type recorded at intake.
        media_type: String,
        /// Size in bytes.
        #[ts(type = "number")]
        size: u64,
    },
}

/// What happens to one attachment of an exported evidence note, for the
/// preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AttachmentStatus {
    /// The evidence note.
    pub evidence_id: Uuid,
    /// Position in the note's stored attachments (from 0).
    pub index: u32,
    /// The file's name, as the lawyer sees it in the vault.
    pub file_name: String,
    /// Media type recorded at intake.
    pub media_type: String,
    /// Size of the stored original in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Whether and how it leaves.
    pub status: AttachmentOutcome,
}

/// Whether an attachment leaves, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum AttachmentOutcome {
    /// Leaves as a copy with its metadata removed.
    Stripped {
        /// Size of the copy in bytes.
        #[ts(type = "number")]
        size: u64,
    },
    /// Leaves unchanged: no metadata was found.
    AsIs,
    /// Stays in the vault.
    HeldBack {
        /// Why.
        reason: MetadataHold,
    },
}

/// The attachments of one evidence note, sorted for an export.
pub(crate) struct Sorted {
    /// What leaves: originals, and stripped copies under their own hash.
    pub kept: Vec<AttachmentRef>,
    /// One line per attachment for the preview.
    pub statuses: Vec<AttachmentStatus>,
    /// How many stay in the vault.
    pub held: u32,
    /// Whether any copy was stripped.
    pub stripped_any: bool,
}

/// Cleans every attachment of evidence note `evidence_id`; a stripped
/// copy's hash is recorded in `stripped` (copy → original) so the bundle
/// can rebuild it from the original.
pub(crate) fn sort_attachments(
    vault: &Vault,
    evidence_id: Uuid,
    attachments: Vec<AttachmentRef>,
    stripped: &mut HashMap<String, String>,
) -> Sorted {
    let mut out = Sorted {
        kept: Vec::with_capacity(attachments.len()),
        statuses: Vec::with_capacity(attachments.len()),
        held: 0,
        stripped_any: false,
    };
    for (index, a) in attachments.into_iter().enumerate() {
        // A missing or damaged file stays, with a reason, rather than
        // stopping every export of the vault; `verify-vault` names it.
        let cleaned = vault
            .open_attachment(&a.sha256)
            .ok()
            .and_then(|mut r| clean_reader(&a.media_type, &mut r, a.size).ok())
            .unwrap_or(Cleaned::HeldBack(MetadataHold::Unreadable));
        let (status, leaves) = match cleaned {
            Cleaned::AsIs => (AttachmentOutcome::AsIs, Some(a.clone())),
            Cleaned::Stripped(copy) => {
                let sha = hex::encode(sha2::Sha256::digest(&*copy));
                stripped.insert(sha.clone(), a.sha256.to_ascii_lowercase());
                out.stripped_any = true;
                let size = copy.len() as u64;
                let r = AttachmentRef {
                    sha256: sha,
                    size,
                    ..a.clone()
                };
                (AttachmentOutcome::Stripped { size }, Some(r))
            }
            Cleaned::HeldBack(reason) => {
                out.held += 1;
                (AttachmentOutcome::HeldBack { reason }, None)
            }
        };
        out.kept.extend(leaves);
        out.statuses.push(AttachmentStatus {
            evidence_id,
            index: u32::try_from(index).unwrap_or(u32::MAX),
            file_name: a.file_name,
            media_type: a.media_type,
            size: a.size,
            status,
        });
    }
    out
}

/// Media types whose container is walked without reading the file whole.
fn is_bmff(media_type: &str) -> bool {
    matches!(
        media_type,
        "video/mp4" | "video/quicktime" | "video/3gpp" | "video/3gpp2" | "audio/mp4"
    )
}

/// Cleans `bytes`, recorded as `media_type` at intake, for an export.
pub fn clean(media_type: &str, bytes: &[u8]) -> Cleaned {
    if let Some(hold) = mismatch(
        media_type,
        &bytes[..bytes.len().min(SNIFF_BYTES)],
        bytes.len() as u64,
    ) {
        return Cleaned::HeldBack(hold);
    }
    if is_bmff(media_type) {
        let mut r = std::io::Cursor::new(bytes);
        return match bmff::check(&mut r, bytes.len() as u64) {
            Ok(c) => c.into_cleaned(media_type),
            Err(_) => malformed(media_type),
        };
    }
    in_memory(media_type, bytes)
}

/// Cleans the attachment `reader` yields (`size` bytes), seeking past
/// the media data of recordings instead of reading it. I/O errors are
/// the reader's (a damaged vault file), not the format's.
pub fn clean_reader<R: Read + Seek>(
    media_type: &str,
    reader: &mut R,
    size: u64,
) -> std::io::Result<Cleaned> {
    let mut head = Zeroizing::new(Vec::new());
    reader
        .by_ref()
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    if let Some(hold) = mismatch(media_type, &head, size) {
        return Ok(Cleaned::HeldBack(hold));
    }
    if is_bmff(media_type) {
        reader.seek(SeekFrom::Start(0))?;
        return Ok(bmff::check(reader, size)?.into_cleaned(media_type));
    }
    let kind = kind_of(media_type);
    if kind == Kind::Other {
        return Ok(Cleaned::HeldBack(MetadataHold::CannotStrip {
            media_type: media_type.into(),
        }));
    }
    if size > MAX_IN_MEMORY {
        return Ok(Cleaned::HeldBack(MetadataHold::TooLarge {
            media_type: media_type.into(),
            size,
        }));
    }
    reader.seek(SeekFrom::Start(0))?;
    let mut all = Zeroizing::new(Vec::new());
    reader.take(size).read_to_end(&mut all)?;
    Ok(in_memory(media_type, &all))
}

fn mismatch(media_type: &str, head: &[u8], size: u64) -> Option<MetadataHold> {
    let found = media_type::sniff(head, head.len() as u64 == size);
    (found != media_type).then(|| MetadataHold::TypeMismatch {
        stored: media_type.into(),
        found: found.into(),
    })
}

fn malformed(media_type: &str) -> Cleaned {
    Cleaned::HeldBack(MetadataHold::Malformed {
        media_type: media_type.into(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg,
    Png,
    Webp,
    Pdf,
    Text,
    Other,
}

fn kind_of(media_type: &str) -> Kind {
    match media_type {
        "image/jpeg" => Kind::Jpeg,
        "image/png" => Kind::Png,
        "image/webp" => Kind::Webp,
        "application/pdf" => Kind::Pdf,
        "text/plain" => Kind::Text,
        _ => Kind::Other,
    }
}

/// A stripper's result: the copy, or `None` if the file does not parse.
fn stripped(media_type: &str, original: &[u8], copy: Option<Vec<u8>>) -> Cleaned {
    match copy {
        Some(c) if c == original => Cleaned::AsIs,
        Some(c) => Cleaned::Stripped(Zeroizing::new(c)),
        None => malformed(media_type),
    }
}

fn in_memory(media_type: &str, bytes: &[u8]) -> Cleaned {
    match kind_of(media_type) {
        Kind::Jpeg => stripped(media_type, bytes, jpeg::strip(bytes)),
        Kind::Png => stripped(media_type, bytes, png::strip(bytes)),
        Kind::Webp => stripped(media_type, bytes, webp::strip(bytes)),
        Kind::Pdf => pdf::check(bytes),
        // Text has no place for hidden fields: what is there is the text.
        Kind::Text if media_type::is_text(bytes, true) => Cleaned::AsIs,
        Kind::Text => malformed(media_type),
        Kind::Other => Cleaned::HeldBack(MetadataHold::CannotStrip {
            media_type: media_type.into(),
        }),
    }
}

/// A box or marker name for a reason: printable ASCII as is (`©` for the
/// QuickTime 0xA9 prefix), anything else in hex.
fn token(name: &[u8]) -> String {
    name.iter()
        .map(|&b| match b {
            0xA9 => "©".to_string(),
            0x20..=0x7E => char::from(b).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect()
}

#[cfg(test)]
#[path = "../../../tests/media_support/mod.rs"]
mod samples;

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn held(c: Cleaned) -> MetadataHold {
        match c {
            Cleaned::HeldBack(h) => h,
            other => panic!("expected held back, got {other:?}"),
        }
    }

    fn stripped_bytes(c: Cleaned) -> Vec<u8> {
        match c {
            Cleaned::Stripped(b) => b.to_vec(),
            other => panic!("expected a stripped copy, got {other:?}"),
        }
    }

    #[test]
    fn content_must_match_the_recorded_type() {
        // A record from elsewhere says "text" about a photo with GPS.
        assert_eq!(
            held(clean("text/plain", &jpeg_phone(16, 16))),
            MetadataHold::TypeMismatch {
                stored: "text/plain".into(),
                found: "image/jpeg".into()
            }
        );
        assert!(matches!(
            held(clean("image/jpeg", &png_tagged(2, 2))),
            MetadataHold::TypeMismatch { .. }
        ));
    }

    #[test]
    fn types_without_a_checker_are_held_back() {
        let heic = [ftyp(b"heic", &[b"mif1", b"heic"]), bmff_box(b"meta", &[])].concat();
        assert_eq!(
            held(clean("image/heic", &heic)),
            MetadataHold::CannotStrip {
                media_type: "image/heic".into()
            }
        );
        assert_eq!(
            held(clean("image/tiff", b"II*\0\x08\0\0\0\0\0\0\0\0\0")),
            MetadataHold::CannotStrip {
                media_type: "image/tiff".into()
            }
        );
        let mp3 = b"ID3\x04\0\0\0\0\0\x10TPE1\0\0\0\x06\0\0\0Rashad";
        assert!(matches!(
            held(clean("audio/mpeg", mp3)),
            MetadataHold::CannotStrip { .. }
        ));
    }

    #[test]
    fn text_leaves_as_is() {
        let t = "Müstəntiq icazə vermədi.\nСледователь отказал.\n".as_bytes();
        assert!(matches!(clean("text/plain", t), Cleaned::AsIs));
    }

    #[test]
    fn jpeg_phone_photo_keeps_only_the_picture() {
        let j = jpeg_phone(16, 16);
        let s = stripped_bytes(clean("image/jpeg", &j));
        assert!(!contains(&s, CANARY.as_bytes()));
        assert!(!contains(&s, b"Exif"));
        assert!(!contains(&s, b"MPF"));
        assert!(!contains(&s, b"ftyp"), "motion-photo video left");
        assert!(contains(&s, b"JFIF") && contains(&s, b"ICC_PROFILE") && contains(&s, b"Adobe"));
        assert!(s.ends_with(&jpeg_image_data(16, 16)), "picture unchanged");
        assert_eq!(s.iter().filter(|&&b| b == 0xD9).count(), 1, "one EOI");
        // A clean file leaves as is.
        assert!(matches!(clean("image/jpeg", &s), Cleaned::AsIs));
        assert!(matches!(
            clean("image/jpeg", &jpeg_plain(8, 8)),
            Cleaned::AsIs
        ));
    }

    #[test]
    fn jpeg_keeps_only_the_orientation_of_its_exif() {
        let j = jpeg_rotated(16, 16);
        let s = stripped_bytes(clean("image/jpeg", &j));
        assert!(!contains(&s, CANARY.as_bytes()));
        let app1 = 2 + 18; // SOI, then the JFIF segment
        assert_eq!(
            &s[app1..app1 + 2],
            &[0xFF, 0xE1],
            "orientation block after JFIF"
        );
        let seg_len = usize::from(u16::from_be_bytes([s[app1 + 2], s[app1 + 3]]));
        assert_eq!(seg_len, 2 + 6 + 8 + 2 + 12 + 4, "one tag and nothing else");
        assert!(contains(&s, &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6]));
        assert!(!contains(&s, &[0x01, 0x0F]), "camera make gone");
        // Stripping again changes nothing.
        assert!(matches!(clean("image/jpeg", &s), Cleaned::AsIs));
    }

    #[test]
    fn jpeg_truncated_or_without_a_scan_is_malformed() {
        let j = jpeg_phone(16, 16);
        let eoi = j.windows(2).position(|w| w == [0xFF, 0xD9]).unwrap_or(0);
        for cut in [4, 20, 200, eoi] {
            assert!(
                matches!(
                    held(clean("image/jpeg", &j[..cut])),
                    MetadataHold::Malformed { .. }
                ),
                "cut at {cut}"
            );
        }
        // A declared segment length past the end.
        assert!(matches!(
            held(clean("image/jpeg", b"\xff\xd8\xff\xe1\xff\xff")),
            MetadataHold::Malformed { .. }
        ));
        // Markers but no frame or scan.
        assert!(matches!(
            held(clean("image/jpeg", b"\xff\xd8\xff\xd9")),
            MetadataHold::Malformed { .. }
        ));
    }

    #[test]
    fn png_keeps_allow_listed_chunks_only() {
        let p = png_tagged(3, 2);
        let s = stripped_bytes(clean("image/png", &p));
        assert!(!contains(&s, CANARY.as_bytes()));
        for gone in [b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME", b"prVt"] {
            assert!(!contains(&s, gone), "{}", String::from_utf8_lossy(gone));
        }
        assert!(s.ends_with(b"IEND\xae\x42\x60\x82"), "nothing after IEND");
        assert!(matches!(clean("image/png", &s), Cleaned::AsIs));
        assert!(matches!(
            clean("image/png", &png_plain(5, 5)),
            Cleaned::AsIs
        ));
    }

    #[test]
    fn png_huge_length_bad_crc_or_truncation_is_malformed() {
        let mut huge = PNG_SIG.to_vec();
        png_chunk(&mut huge, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        huge.extend_from_slice(&0x7FFF_FFF0u32.to_be_bytes());
        huge.extend_from_slice(b"IDAT");
        huge.extend_from_slice(&[0u8; 64]);
        assert!(matches!(
            held(clean("image/png", &huge)),
            MetadataHold::Malformed { .. }
        ));
        let mut bad_crc = png_plain(2, 2);
        let at = bad_crc.len() - 20;
        bad_crc[at] ^= 0x55;
        assert!(matches!(
            held(clean("image/png", &bad_crc)),
            MetadataHold::Malformed { .. }
        ));
        let p = png_plain(2, 2);
        assert!(matches!(
            held(clean("image/png", &p[..p.len() - 12])),
            MetadataHold::Malformed { .. }
        ));
    }

    #[test]
    fn webp_loses_exif_and_xmp_and_their_flags() {
        let w = webp(true);
        let s = stripped_bytes(clean("image/webp", &w));
        assert!(!contains(&s, CANARY.as_bytes()));
        assert!(!contains(&s, b"EXIF") && !contains(&s, b"XMP "));
        let vp8x = s.windows(4).position(|c| c == b"VP8X").expect("VP8X kept");
        assert_eq!(s[vp8x + 8] & 0x0C, 0, "EXIF and XMP flags cleared");
        let riff = u32::from_le_bytes([s[4], s[5], s[6], s[7]]) as usize;
        assert_eq!(riff + 8, s.len(), "RIFF size fixed");
        assert!(matches!(clean("image/webp", &s), Cleaned::AsIs));
        assert!(matches!(clean("image/webp", &webp(false)), Cleaned::AsIs));
    }

    #[test]
    fn pdf_without_properties_leaves_with_them_is_held() {
        assert!(matches!(
            clean("application/pdf", &pdf(false, false)),
            Cleaned::AsIs
        ));
        assert_eq!(
            held(clean("application/pdf", &pdf(true, false))),
            MetadataHold::PdfMetadata {
                found: "Info".into()
            }
        );
        assert_eq!(
            held(clean("application/pdf", &pdf(false, true))),
            MetadataHold::PdfMetadata {
                found: "Metadata".into()
            }
        );
    }

    #[test]
    fn pdf_metadata_inside_a_compressed_object_stream_is_found() {
        use std::io::Write;
        let hidden = b"1 0 << /Type /Catalog /Pages 2 0 R /Met#61data 9 0 R >>";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(hidden).expect("compress");
        let body = z.finish().expect("compress");
        let mut p =
            b"%PDF-1.7\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
                .to_vec();
        p.extend_from_slice(format!("{} >>\nstream\n", body.len()).as_bytes());
        p.extend_from_slice(&body);
        p.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        assert!(!contains(&p, b"Metadata"), "a byte search would miss it");
        assert_eq!(
            held(clean("application/pdf", &p)),
            MetadataHold::PdfMetadata {
                found: "Metadata".into()
            }
        );
        // A filter this build cannot undo hides what it holds.
        let lzw = b"%PDF-1.4\n1 0 obj\n<< /Filter /LZWDecode /Length 3 >>\nstream\nabc\nendstream\nendobj\n";
        assert_eq!(
            held(clean("application/pdf", lzw)),
            MetadataHold::PdfMetadata {
                found: "LZWDecode".into()
            }
        );
    }

    #[test]
    fn recordings_with_location_or_user_data_are_held() {
        assert!(matches!(clean("video/mp4", &mp4(false)), Cleaned::AsIs));
        assert_eq!(
            held(clean("video/mp4", &mp4(true))),
            MetadataHold::RecordingMetadata {
                found: "udta".into()
            }
        );
        assert!(matches!(
            clean("video/quicktime", &mp4_with(b"qt  ", false)),
            Cleaned::AsIs
        ));
        assert!(matches!(
            held(clean("video/3gpp", &mp4_with(b"3gp4", true))),
            MetadataHold::RecordingMetadata { .. }
        ));
        assert!(matches!(
            clean("audio/mp4", &mp4_with(b"M4A ", false)),
            Cleaned::AsIs
        ));
    }

    #[test]
    fn hostile_recordings_are_malformed_not_hangs() {
        let base = mp4(false);
        // A zero-size box inside a container (it would "extend" to the
        // parent's end) followed by more data; and a box claiming less
        // than its own header.
        let mut small = base.clone();
        small.extend_from_slice(&[0, 0, 0, 4, b'f', b'r', b'e', b'e']);
        assert!(matches!(
            held(clean("video/mp4", &small)),
            MetadataHold::Malformed { .. }
        ));
        // A child larger than its parent.
        let child = [&[0u8, 0, 1, 0][..], b"trak"].concat();
        let parent = bmff_box(b"moov", &child);
        let file = [ftyp(b"isom", &[b"isom"]), parent].concat();
        assert!(matches!(
            held(clean("video/mp4", &file)),
            MetadataHold::Malformed { .. }
        ));
        // 10,000 nested boxes.
        let mut nested = bmff_box(b"free", &[]);
        for _ in 0..10_000 {
            nested = bmff_box(b"moov", &nested);
        }
        let file = [ftyp(b"isom", &[b"isom"]), nested].concat();
        assert!(matches!(
            held(clean("video/mp4", &file)),
            MetadataHold::Malformed { .. }
        ));
        // A 64-bit size far past the end.
        let mut big = ftyp(b"isom", &[b"isom"]);
        big.extend_from_slice(&[0, 0, 0, 1]);
        big.extend_from_slice(b"mdat");
        big.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            held(clean("video/mp4", &big)),
            MetadataHold::Malformed { .. }
        ));
    }

    #[test]
    fn a_zero_size_last_box_runs_to_the_end() {
        let mut f = mp4(false);
        f.extend_from_slice(&[0, 0, 0, 0, b'm', b'd', b'a', b't', 1, 2, 3]);
        assert!(matches!(clean("video/mp4", &f), Cleaned::AsIs));
    }

    #[test]
    fn reader_and_slice_agree() {
        for (t, f) in [
            ("video/mp4", mp4(true)),
            ("video/mp4", mp4(false)),
            ("image/jpeg", jpeg_phone(8, 8)),
            ("application/pdf", pdf(true, true)),
            (
                "image/heic",
                [ftyp(b"heic", &[b"heic"]), bmff_box(b"meta", &[])].concat(),
            ),
        ] {
            let a = format!("{:?}", clean(t, &f));
            let mut r = std::io::Cursor::new(&f);
            let b = format!(
                "{:?}",
                clean_reader(t, &mut r, f.len() as u64).expect("read")
            );
            assert_eq!(a, b, "{t}");
        }
    }

    proptest::proptest! {
        /// Random bytes behind each format's magic: no panic, and the work
        /// is bounded by construction (one pass, bounded depth and count).
        #[test]
        fn random_bytes_behind_each_magic(which in 0usize..7, bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let (t, magic): (&str, &[u8]) = [
                ("image/jpeg", &b"\xff\xd8\xff"[..]),
                ("image/png", PNG_SIG),
                ("image/webp", b"RIFF\x00\x01\x00\x00WEBP"),
                ("application/pdf", b"%PDF-1.7\n"),
                ("video/mp4", b"\0\0\0\x10ftypisom\0\0\0\0"),
                ("video/quicktime", b"\0\0\0\x14ftypqt  \0\0\0\0qt  "),
                ("text/plain", b"R\xc9\x99dd "),
            ][which];
            let mut input = magic.to_vec();
            input.extend_from_slice(&bytes);
            match clean(t, &input) {
                Cleaned::Stripped(out) => proptest::prop_assert!(out.len() <= input.len()),
                Cleaned::AsIs | Cleaned::HeldBack(_) => {}
            }
        }

        /// Random bytes inside a well-formed file's structure (a JPEG
        /// segment, a PNG chunk, a box).
        #[test]
        fn random_bytes_inside_a_valid_frame(which in 0usize..3, bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1024)) {
            let (t, f) = match which {
                0 => ("image/jpeg", [&[0xFF, 0xD8, 0xFF, 0xE1][..], &((bytes.len() + 2) as u16).to_be_bytes(), &bytes, &jpeg_image_data(8, 8)].concat()),
                1 => {
                    let mut p = PNG_SIG.to_vec();
                    png_chunk(&mut p, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
                    png_chunk(&mut p, b"zzZz", &bytes);
                    p.extend_from_slice(&png_plain(1, 1)[33..]);
                    ("image/png", p)
                }
                _ => ("video/mp4", [ftyp(b"isom", &[b"isom"]), bmff_box(b"moov", &bytes)].concat()),
            };
            let _ = clean(t, &f);
        }
    }
}
