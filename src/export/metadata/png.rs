//! PNG: an allow-list of chunks, each CRC checked.
//!
//! Kept: what a decoder needs to show the same picture, in the same
//! colours and size: IHDR, PLTE, IDAT, IEND, tRNS, cHRM, gAMA, iCCP,
//! sBIT, sRGB, cICP, mDCV, cLLI, bKGD, hIST, pHYs, and the animation
//! chunks acTL, fcTL, fdAT. Dropped: everything else, among them tEXt,
//! zTXt, iTXt (XMP), eXIf, tIME, dSIG, sPLT (a named palette) and private
//! chunks, and any bytes after IEND.
//!
//! Each chunk's length is checked against the bytes that remain before
//! anything is read, and its CRC is verified: a chunk that does not match
//! its checksum is damage or a hiding place, and decoders refuse it too.

/// The PNG signature.
const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";

const KEEP: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"bKGD", b"hIST", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

/// The copy without metadata, or `None` if `b` is not a well-formed PNG.
pub(super) fn strip(b: &[u8]) -> Option<Vec<u8>> {
    if !b.starts_with(SIG) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(SIG);
    let mut pos = SIG.len();
    let mut first = true;
    let mut idat = false;
    loop {
        let head = b.get(pos..pos.checked_add(8)?)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind: &[u8; 4] = head[4..8].try_into().ok()?;
        // Length first: a 2 GB claim in a small file stops here.
        if len > b.len() - pos - 8 || b.len() - pos - 8 - len < 4 {
            return None;
        }
        let data = &b[pos + 8..pos + 8 + len];
        let end = pos + 12 + len;
        let stored_crc = u32::from_be_bytes(b[end - 4..end].try_into().ok()?);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        if crc.sum() != stored_crc || (first && kind != b"IHDR") {
            return None;
        }
        first = false;
        idat |= kind == b"IDAT";
        if KEEP.contains(&kind) {
            out.extend_from_slice(&b[pos..end]);
        }
        pos = end;
        if kind == b"IEND" {
            return idat.then_some(out);
        }
    }
}
