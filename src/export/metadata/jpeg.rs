//! JPEG: an allow-list of marker segments.
//!
//! Kept: SOI; APP0 `JFIF` (its thumbnail, if any, removed); APP2
//! `ICC_PROFILE`; APP14 `Adobe`; the tables and frame headers needed to
//! decode (DQT, DHT, DAC, DRI, SOFn), every scan (SOS and its
//! entropy-coded data, restart markers included) and the first EOI.
//! Dropped: every other APPn (APP1 EXIF and XMP, APP2 MPF, APP13
//! IPTC/Photoshop, maker data…), COM, and everything after the first EOI
//! (MPF secondary images with their own EXIF, motion-photo videos).
//!
//! One value of the EXIF block is carried over: the orientation, without
//! which a phone's portrait photo shows on its side. It is written into a
//! new, minimal EXIF block of one tag; nothing else of the original block
//! is copied.
//! Anything else, a length past the end, or no frame, scan or EOI: `None`.

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;

/// The copy without metadata, or `None` if `b` is not a well-formed JPEG.
pub(super) fn strip(b: &[u8]) -> Option<Vec<u8>> {
    if b.get(..2)? != [0xFF, SOI] {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2;
    let (mut frame, mut scan) = (false, false);
    let mut orientation: Option<u16> = None;
    // Where the minimal EXIF block goes: after SOI and a JFIF header.
    let mut exif_at = out.len();
    let mut after_jfif = false;
    loop {
        if *b.get(pos)? != 0xFF {
            return None;
        }
        // Fill bytes before a marker.
        while *b.get(pos + 1)? == 0xFF {
            pos += 1;
        }
        let marker = b[pos + 1];
        let seg = pos + 2;
        if marker == EOI {
            if !(frame && scan) {
                return None;
            }
            out.extend_from_slice(&[0xFF, EOI]);
            if let Some(o) = orientation {
                let block = orientation_exif(o);
                out.splice(exif_at..exif_at, block);
            }
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([*b.get(seg)?, *b.get(seg + 1)?]));
        if len < 2 {
            return None;
        }
        let end = seg.checked_add(len)?;
        let payload = b.get(seg + 2..end)?;
        if marker == 0xE1 && orientation.is_none() {
            orientation = exif_orientation(payload);
        }
        let keep: Option<std::borrow::Cow<'_, [u8]>> = match marker {
            0xE0 if payload.starts_with(b"JFIF\0") => {
                after_jfif = out.len() == 2;
                Some(jfif_without_thumbnail(payload)?)
            }
            0xE2 if payload.starts_with(b"ICC_PROFILE\0") => Some(payload.into()),
            0xEE if payload.starts_with(b"Adobe") => Some(payload.into()),
            0xE0..=0xEF | 0xFE => None,
            0xDB | 0xC4 | 0xCC | 0xDD => Some(payload.into()),
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                frame = true;
                Some(payload.into())
            }
            SOS if frame => {
                scan = true;
                Some(payload.into())
            }
            _ => return None,
        };
        if let Some(p) = keep {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&u16::try_from(p.len() + 2).ok()?.to_be_bytes());
            out.extend_from_slice(&p);
            if std::mem::take(&mut after_jfif) {
                exif_at = out.len();
            }
        }
        pos = end;
        if marker == SOS {
            // Entropy-coded data runs to the next marker that is neither
            // a stuffed zero, a restart marker nor fill.
            let data_start = pos;
            loop {
                let ff = pos + b.get(pos..)?.iter().position(|&x| x == 0xFF)?;
                match *b.get(ff + 1)? {
                    0x00 | 0xD0..=0xD7 => pos = ff + 2,
                    _ => {
                        pos = ff;
                        break;
                    }
                }
            }
            out.extend_from_slice(&b[data_start..pos]);
        }
    }
}

/// The JFIF header with its embedded thumbnail (a picture of the picture
/// that may predate a crop) removed.
fn jfif_without_thumbnail(p: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    // "JFIF\0", version (2), units, x and y density (2 + 2), thumbnail w, h.
    let head = p.get(..14)?;
    if head[12] == 0 && head[13] == 0 && p.len() == 14 {
        return Some(p.into());
    }
    let mut h = head.to_vec();
    h[12] = 0;
    h[13] = 0;
    Some(h.into())
}

/// The orientation (EXIF tag 0x0112, 2 to 8) in an APP1 EXIF payload;
/// `None` for 1 (upright), absent, or anything that does not parse.
fn exif_orientation(payload: &[u8]) -> Option<u16> {
    let tiff = payload.strip_prefix(b"Exif\0\0")?;
    let little = match tiff.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    };
    let b = tiff.get(4..8)?;
    let ifd = if little {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    } else {
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    } as usize;
    let count = usize::from(u16_at(ifd)?);
    (0..count).find_map(|i| {
        let e = ifd.checked_add(2 + i * 12)?;
        // Tag 0x0112, type SHORT, count 1: the value sits in the entry.
        if u16_at(e)? != 0x0112 || u16_at(e + 2)? != 3 {
            return None;
        }
        u16_at(e + 8).filter(|v| (2..=8).contains(v))
    })
}

/// A new APP1 segment holding only an orientation tag.
fn orientation_exif(o: u16) -> Vec<u8> {
    let mut tiff = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    tiff.extend_from_slice(&o.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // value padding, no next IFD
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((tiff.len() + 6 + 2) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}
