//! WebP: a walk of the RIFF chunks.
//!
//! Kept: VP8X (with its EXIF and XMP flags cleared), ICCP, ANIM, ALPH,
//! VP8, VP8L, and ANMF frames whose own chunks are among ALPH, VP8 and
//! VP8L. Dropped: EXIF, XMP and any other chunk, and bytes after the
//! RIFF's declared size. The RIFF size is rewritten to match.

const KEEP: &[&[u8; 4]] = &[
    b"VP8X", b"ICCP", b"ANIM", b"ALPH", b"VP8 ", b"VP8L", b"ANMF",
];
const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;

/// The chunks of `b`: (fourcc, data), each length checked; `None` if one
/// runs past the end.
fn chunks(b: &[u8]) -> Option<Vec<(&[u8; 4], &[u8])>> {
    let mut out = vec![];
    let mut pos = 0usize;
    while pos < b.len() {
        let head = b.get(pos..pos.checked_add(8)?)?;
        let kind: &[u8; 4] = head[..4].try_into().ok()?;
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        if len > b.len() - pos - 8 {
            return None;
        }
        out.push((kind, &b[pos + 8..pos + 8 + len]));
        // Chunks are padded to an even length (the last pad may be missing).
        pos = (pos + 8 + len + (len & 1)).min(b.len());
    }
    Some(out)
}

fn put(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Option<()> {
    out.extend_from_slice(kind);
    out.extend_from_slice(&u32::try_from(data.len()).ok()?.to_le_bytes());
    out.extend_from_slice(data);
    if !data.len().is_multiple_of(2) {
        out.push(0);
    }
    Some(())
}

/// The copy without metadata, or `None` if `b` is not a well-formed WebP.
pub(super) fn strip(b: &[u8]) -> Option<Vec<u8>> {
    if b.get(..4)? != b"RIFF" || b.get(8..12)? != b"WEBP" {
        return None;
    }
    let size = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize;
    let body = b.get(12..size.checked_add(8)?)?;
    let mut out = b"RIFF\0\0\0\0WEBP".to_vec();
    let mut image = false;
    for (kind, data) in chunks(body)? {
        if !KEEP.contains(&kind) {
            continue;
        }
        match kind {
            b"VP8X" => {
                let mut d = data.to_vec();
                *d.first_mut()? &= !(EXIF_FLAG | XMP_FLAG);
                put(&mut out, kind, &d)?;
                continue;
            }
            b"ANMF" => {
                let frame = chunks(data.get(16..)?)?;
                if frame
                    .iter()
                    .any(|(k, _)| !matches!(*k, b"ALPH" | b"VP8 " | b"VP8L"))
                {
                    return None;
                }
                image = true;
            }
            b"VP8 " | b"VP8L" => image = true,
            _ => {}
        }
        put(&mut out, kind, data)?;
    }
    if !image {
        return None;
    }
    let riff = u32::try_from(out.len() - 8).ok()?.to_le_bytes();
    out[4..8].copy_from_slice(&riff);
    Some(out)
}
