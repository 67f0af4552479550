//! Stripping embedded metadata (EXIF, GPS, XMP, text chunks) from exported
//! copies of images, so a photo of a refusal notice does not also give
//! away where and on which phone it was taken.
//!
//! Only the two formats phones and scanners actually produce for this use
//! are handled, by walking their container structure (no decoding, so the
//! picture itself is byte-for-byte unchanged): JPEG (APP1–APP15 except
//! the ICC colour profile and Adobe colour marker, and comments) and PNG
//! (`tEXt`, `zTXt`, `iTXt`, `eXIf`, `tIME` chunks). Anything else, or a
//! file that does not parse, returns `None` and the caller holds the file
//! back. The stored original is never changed.

/// The exported copy without metadata, or `None` if this build cannot
/// clean this kind of file.
pub fn strip(media_type: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    match media_type {
        "image/jpeg" => strip_jpeg(bytes),
        "image/png" => strip_png(bytes),
        _ => None,
    }
}

/// Whether [`strip`] handles this media type.
pub fn can_strip(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png")
}

fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut pos = 2;
    loop {
        if pos + 1 >= b.len() || b[pos] != 0xFF {
            return None;
        }
        // Fill bytes before a marker.
        let mut m = pos + 1;
        while m < b.len() && b[m] == 0xFF {
            m += 1;
        }
        let marker = *b.get(m)?;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0xDA => {
                // Start of scan: the rest is image data; copy it unchanged.
                out.extend_from_slice(&b[pos..]);
                return Some(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                pos = m + 1;
            }
            _ => {
                let len = usize::from(u16::from_be_bytes([*b.get(m + 1)?, *b.get(m + 2)?]));
                if len < 2 {
                    return None;
                }
                let end = m + 1 + len;
                let seg = b.get(m + 1..end)?;
                let payload = &seg[2..];
                let keep = match marker {
                    0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
                    0xEE => payload.starts_with(b"Adobe"),
                    0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
                    _ => true,
                };
                if keep {
                    out.extend_from_slice(&[0xFF, marker]);
                    out.extend_from_slice(seg);
                }
                pos = end;
            }
        }
    }
}

fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !b.starts_with(SIG) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(SIG);
    let mut pos = SIG.len();
    loop {
        let len = u32::from_be_bytes(b.get(pos..pos + 4)?.try_into().ok()?) as usize;
        let kind = b.get(pos + 4..pos + 8)?;
        let end = pos.checked_add(12)?.checked_add(len)?;
        let chunk = b.get(pos..end)?;
        let drop = matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME");
        if !drop {
            out.extend_from_slice(chunk);
        }
        pos = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_exif() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        // APP0 JFIF
        j.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0]);
        // APP1 Exif with a GPS canary
        let exif = b"Exif\0\0GPS-CANARY 40.4093N 49.8671E";
        j.extend_from_slice(&[0xFF, 0xE1]);
        j.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        j.extend_from_slice(exif);
        // COM
        j.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x06, b'c', b'a', b'm', b'!']);
        // DQT (kept)
        j.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]);
        // SOS + data + EOI
        j.extend_from_slice(&[
            0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9,
        ]);
        j
    }

    #[test]
    fn jpeg_loses_exif_and_comments_keeps_image() {
        let j = jpeg_with_exif();
        let s = strip("image/jpeg", &j).expect("parsed");
        let text = String::from_utf8_lossy(&s);
        assert!(!text.contains("GPS-CANARY"));
        assert!(!text.contains("cam!"));
        assert!(text.contains("JFIF"));
        assert!(s.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        assert!(s
            .windows(6)
            .any(|w| w == [0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]));
        // Idempotent.
        assert_eq!(strip("image/jpeg", &s).expect("again"), s);
    }

    #[test]
    fn png_loses_text_chunks() {
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        let chunk = |p: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
            p.extend_from_slice(&(data.len() as u32).to_be_bytes());
            p.extend_from_slice(kind);
            p.extend_from_slice(data);
            p.extend_from_slice(&[0, 0, 0, 0]);
        };
        chunk(&mut p, b"IHDR", &[0; 13]);
        chunk(&mut p, b"tEXt", b"Location\0GPS-CANARY");
        chunk(&mut p, b"IDAT", b"pixels");
        chunk(&mut p, b"IEND", b"");
        let s = strip("image/png", &p).expect("parsed");
        assert!(!String::from_utf8_lossy(&s).contains("GPS-CANARY"));
        assert!(String::from_utf8_lossy(&s).contains("pixels"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_never_grows(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512), png in proptest::prelude::any::<bool>()) {
            let mut input = if png { b"\x89PNG\r\n\x1a\n".to_vec() } else { vec![0xFF, 0xD8] };
            input.extend_from_slice(&bytes);
            let media = if png { "image/png" } else { "image/jpeg" };
            if let Some(out) = strip(media, &input) {
                proptest::prop_assert!(out.len() <= input.len() + 2);
            }
        }
    }

    #[test]
    fn malformed_or_unknown_is_refused() {
        assert!(strip("image/jpeg", b"\xff\xd8\xff\xe1\xff\xff").is_none());
        assert!(strip("image/jpeg", b"not a jpeg").is_none());
        assert!(strip("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\xffIHDR").is_none());
        assert!(strip("image/heic", b"whatever").is_none());
        // Truncated JPEG: no SOS/EOI.
        let j = jpeg_with_exif();
        assert!(strip("image/jpeg", &j[..20]).is_none());
    }
}
