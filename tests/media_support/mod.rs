//! Real media files built byte by byte for the metadata tests: each has
//! the exact structure a phone or a scanner writes (valid markers, chunk
//! CRCs, box sizes), carries GPS/EXIF/XMP canaries where asked, and
//! parses in exiftool. Shared by the integration tests and, through
//! `#[path]`, by the unit tests of `src/export/metadata/`, so there is one
//! set of builders.
#![allow(dead_code)]

/// Text planted in every metadata block; must never appear in an export.
pub const CANARY: &str = "Rəşad Məmmədov telefonu";
/// The latitude planted in GPS blocks (Baku), as degrees/minutes/hundredths of seconds.
pub const GPS_LAT: [u32; 3] = [40, 24, 3348];
/// The longitude planted in GPS blocks.
pub const GPS_LON: [u32; 3] = [49, 52, 140];

fn be16(v: usize) -> [u8; 2] {
    u16::try_from(v).expect("fits in 16 bits").to_be_bytes()
}

fn be32(v: usize) -> [u8; 4] {
    u32::try_from(v).expect("fits in 32 bits").to_be_bytes()
}

/// A little-endian TIFF block as EXIF carries it: IFD0 with the camera
/// make and a GPS IFD holding a position in Baku.
pub fn exif_tiff() -> Vec<u8> {
    let make = format!("{CANARY}\0");
    // Layout: header 8; IFD0 at 8 with 2 entries (2 + 24 + 4 = 30) → 38;
    // GPS IFD at 38 with 4 entries (2 + 48 + 4 = 54) → 92; then data.
    let make_at = 92usize;
    let lat_at = make_at + make.len();
    let lon_at = lat_at + 24;
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 0x010F, 2, make.len() as u32, make_at as u32); // Make
    entry(&mut t, 0x8825, 4, 1, 38); // GPSInfo
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), 38);
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from(b'N')); // GPSLatitudeRef
    entry(&mut t, 0x0002, 5, 3, lat_at as u32); // GPSLatitude
    entry(&mut t, 0x0003, 2, 2, u32::from(b'E')); // GPSLongitudeRef
    entry(&mut t, 0x0004, 5, 3, lon_at as u32); // GPSLongitude
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), make_at);
    t.extend_from_slice(make.as_bytes());
    for [d, m, s] in [GPS_LAT, GPS_LON] {
        for (n, den) in [(d, 1u32), (m, 1), (s, 100)] {
            t.extend_from_slice(&n.to_le_bytes());
            t.extend_from_slice(&den.to_le_bytes());
        }
    }
    t
}

/// An XMP packet with a creator and a GPS position.
pub fn xmp_packet() -> Vec<u8> {
    format!(
        "<?xpacket begin='\u{feff}' id='W5M0MpCehiHzreSzNTczkc9d'?>\
         <x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\
         <rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:exif='http://ns.adobe.com/exif/1.0/'>\
         <dc:creator><rdf:Seq><rdf:li>{CANARY}</rdf:li></rdf:Seq></dc:creator>\
         <exif:GPSLatitude>40,24.558N</exif:GPSLatitude><exif:GPSLongitude>49,52.023E</exif:GPSLongitude>\
         </rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>"
    )
    .into_bytes()
}

fn jpeg_segment(j: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    j.extend_from_slice(&[0xFF, marker]);
    j.extend_from_slice(&be16(payload.len() + 2));
    j.extend_from_slice(payload);
}

/// The image part of a baseline greyscale JPEG of `w`×`h` pixels (all
/// mid-grey), from the first DQT to the EOI: decodable by libjpeg.
pub fn jpeg_image_data(w: u16, h: u16) -> Vec<u8> {
    let mut j = vec![];
    let mut dqt = vec![0u8];
    dqt.extend_from_slice(&[1u8; 64]);
    jpeg_segment(&mut j, 0xDB, &dqt);
    let mut sof = vec![8u8];
    sof.extend_from_slice(&h.to_be_bytes());
    sof.extend_from_slice(&w.to_be_bytes());
    sof.extend_from_slice(&[1, 1, 0x11, 0]);
    jpeg_segment(&mut j, 0xC0, &sof);
    // One code each: DC category 0, AC end-of-block.
    for class_id in [0x00u8, 0x10] {
        let mut dht = vec![class_id, 1];
        dht.extend_from_slice(&[0u8; 15]);
        dht.push(0);
        jpeg_segment(&mut j, 0xC4, &dht);
    }
    jpeg_segment(&mut j, 0xDA, &[1, 1, 0x00, 0, 63, 0]);
    // Each 8×8 block is two one-bit codes "0" "0"; pad the last byte with 1s.
    let blocks = usize::from(w.div_ceil(8)) * usize::from(h.div_ceil(8));
    let bits = blocks * 2;
    let mut data = vec![0u8; bits.div_ceil(8)];
    if bits % 8 != 0 {
        let last = data.len() - 1;
        data[last] = 0xFF >> (bits % 8);
    }
    j.extend_from_slice(&data);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

/// A plain JPEG: SOI, JFIF, image. Nothing to remove.
pub fn jpeg_plain(w: u16, h: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    jpeg_segment(&mut j, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    j.extend_from_slice(&jpeg_image_data(w, h));
    j
}

/// A phone photo: JFIF, EXIF with GPS, XMP, an MPF index, IPTC, a
/// comment, an ICC profile marker and an Adobe marker; after the EOI an
/// MPF secondary image with its own EXIF, then a motion-photo video.
pub fn jpeg_phone(w: u16, h: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    jpeg_segment(&mut j, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_tiff());
    jpeg_segment(&mut j, 0xE1, &exif);
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend_from_slice(&xmp_packet());
    jpeg_segment(&mut j, 0xE1, &xmp);
    let mut mpf = b"MPF\0".to_vec();
    mpf.extend_from_slice(b"II*\0\x08\0\0\0\0\0\0\0\0\0");
    jpeg_segment(&mut j, 0xE2, &mpf);
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend_from_slice(&[0u8; 16]);
    jpeg_segment(&mut j, 0xE2, &icc);
    let mut iptc = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
    let mut record = vec![0x1C, 0x02, 0x50]; // IPTC 2:80, By-line
    record.extend_from_slice(&be16(CANARY.len()));
    record.extend_from_slice(CANARY.as_bytes());
    iptc.extend_from_slice(&be32(record.len()));
    iptc.extend_from_slice(&record);
    jpeg_segment(&mut j, 0xED, &iptc);
    jpeg_segment(&mut j, 0xEE, b"Adobe\0\x64\0\0\0\0\0");
    jpeg_segment(&mut j, 0xFE, CANARY.as_bytes());
    j.extend_from_slice(&jpeg_image_data(w, h));
    // MPF secondary image, with its own EXIF.
    j.extend_from_slice(&[0xFF, 0xD8]);
    let mut exif2 = b"Exif\0\0".to_vec();
    exif2.extend_from_slice(&exif_tiff());
    jpeg_segment(&mut j, 0xE1, &exif2);
    j.extend_from_slice(&jpeg_image_data(8, 8));
    // Motion photo: a video appended after the image.
    j.extend_from_slice(&mp4(true));
    j
}

/// A portrait phone photo: JFIF, then EXIF (big-endian) with Orientation
/// 6 (turn 90° clockwise to show), a camera make and a GPS pointer.
pub fn jpeg_rotated(w: u16, h: u16) -> Vec<u8> {
    let make = format!("{CANARY}\0");
    let mut tiff = b"MM\0*\0\0\0\x08\0\x02".to_vec();
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend_from_slice(&[0x01, 0x0F, 0, 2]);
    tiff.extend_from_slice(&be32(make.len()));
    tiff.extend_from_slice(&be32(8 + 2 + 24 + 4));
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(make.as_bytes());
    let mut j = vec![0xFF, 0xD8];
    jpeg_segment(&mut j, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    jpeg_segment(&mut j, 0xE1, &exif);
    j.extend_from_slice(&jpeg_image_data(w, h));
    j
}

fn crc(kind: &[u8], data: &[u8]) -> [u8; 4] {
    let mut c = flate2::Crc::new();
    c.update(kind);
    c.update(data);
    c.sum().to_be_bytes()
}

/// One PNG chunk with its real CRC.
pub fn png_chunk(p: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    p.extend_from_slice(&be32(data.len()));
    p.extend_from_slice(kind);
    p.extend_from_slice(data);
    p.extend_from_slice(&crc(kind, data));
}

/// The PNG signature.
pub const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";

fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = vec![];
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    ihdr
}

fn png_pixels(w: u32, h: u32) -> Vec<u8> {
    use std::io::Write;
    let mut raw = vec![];
    for y in 0..h {
        raw.push(0); // filter: none
        raw.extend((0..w).map(|x| ((x * 7 + y * 13) % 256) as u8));
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("compress");
    z.finish().expect("compress")
}

/// A plain PNG: IHDR, gAMA, pHYs, IDAT, IEND.
pub fn png_plain(w: u32, h: u32) -> Vec<u8> {
    let mut p = PNG_SIG.to_vec();
    png_chunk(&mut p, b"IHDR", &png_header(w, h));
    png_chunk(&mut p, b"gAMA", &45455u32.to_be_bytes());
    png_chunk(&mut p, b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]);
    png_chunk(&mut p, b"IDAT", &png_pixels(w, h));
    png_chunk(&mut p, b"IEND", b"");
    p
}

/// A PNG carrying EXIF with GPS, text, XMP, compressed text, a time and
/// a private chunk, plus bytes after the IEND.
pub fn png_tagged(w: u32, h: u32) -> Vec<u8> {
    use std::io::Write;
    let mut p = PNG_SIG.to_vec();
    png_chunk(&mut p, b"IHDR", &png_header(w, h));
    png_chunk(&mut p, b"eXIf", &exif_tiff());
    png_chunk(&mut p, b"tEXt", format!("Author\0{CANARY}").as_bytes());
    let mut itxt = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    itxt.extend_from_slice(&xmp_packet());
    png_chunk(&mut p, b"iTXt", &itxt);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(CANARY.as_bytes()).expect("compress");
    let mut ztxt = b"Comment\0\0".to_vec();
    ztxt.extend_from_slice(&z.finish().expect("compress"));
    png_chunk(&mut p, b"zTXt", &ztxt);
    png_chunk(&mut p, b"tIME", &[0x07, 0xE9, 3, 11, 9, 30, 0]);
    png_chunk(&mut p, b"prVt", CANARY.as_bytes());
    png_chunk(&mut p, b"IDAT", &png_pixels(w, h));
    png_chunk(&mut p, b"IEND", b"");
    p.extend_from_slice(CANARY.as_bytes());
    p
}

fn riff_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(kind);
    out.extend_from_slice(&u32::try_from(data.len()).expect("small").to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
}

/// The VP8L bitstream of a 1×1 lossless image.
const VP8L_1X1: &[u8] = b"\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";

/// A WebP (extended format, 1×1) with EXIF (GPS) and XMP chunks and the
/// matching VP8X flags; `tagged = false` gives the simple format.
pub fn webp(tagged: bool) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    if tagged {
        let mut vp8x = vec![0x08 | 0x04, 0, 0, 0]; // EXIF | XMP
        vp8x.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // canvas 1×1 (minus one)
        riff_chunk(&mut body, b"VP8X", &vp8x);
    }
    riff_chunk(&mut body, b"VP8L", VP8L_1X1);
    if tagged {
        riff_chunk(&mut body, b"EXIF", &exif_tiff());
        riff_chunk(&mut body, b"XMP ", &xmp_packet());
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).expect("small").to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// An ISO-BMFF box.
pub fn bmff_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = be32(payload.len() + 8).to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(payload);
    b
}

fn full_box(kind: &[u8; 4], flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = flags.to_be_bytes().to_vec(); // version 0 + flags
    p.extend_from_slice(payload);
    bmff_box(kind, &p)
}

/// The `ftyp` box with these brands (major first).
pub fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let mut p = major.to_vec();
    p.extend_from_slice(&[0, 0, 2, 0]);
    for c in compatible {
        p.extend_from_slice(*c);
    }
    bmff_box(b"ftyp", &p)
}

/// A one-track MP4 (`isom`) whose sample tables point into its `mdat`;
/// with `located`, the phone's `udta` box with a `©xyz` position.
pub fn mp4(located: bool) -> Vec<u8> {
    mp4_with(b"isom", located)
}

/// Like [`mp4`] with another major brand (`qt  `, `3gp4`, `M4A `…).
pub fn mp4_with(major: &[u8; 4], located: bool) -> Vec<u8> {
    let mut mvhd = vec![0u8; 96];
    mvhd[8..12].copy_from_slice(&1000u32.to_be_bytes()); // timescale
    mvhd[16..20].copy_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd[20..22].copy_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    let mut tkhd = vec![0u8; 80];
    tkhd[72..76].copy_from_slice(&(16u32 << 16).to_be_bytes());
    tkhd[76..80].copy_from_slice(&(16u32 << 16).to_be_bytes());
    let mut mdhd = vec![0u8; 20];
    mdhd[8..12].copy_from_slice(&1000u32.to_be_bytes());
    let mut hdlr = vec![0u8; 4];
    hdlr.extend_from_slice(b"vide");
    hdlr.extend_from_slice(&[0u8; 12]);
    hdlr.extend_from_slice(b"VideoHandler\0");
    let dref = full_box(b"dref", 0, &{
        let mut d = 1u32.to_be_bytes().to_vec();
        d.extend_from_slice(&full_box(b"url ", 1, b""));
        d
    });
    let dinf = bmff_box(b"dinf", &dref);
    let stbl = bmff_box(
        b"stbl",
        &[
            full_box(b"stsd", 0, &0u32.to_be_bytes()),
            full_box(b"stts", 0, &0u32.to_be_bytes()),
            full_box(b"stsc", 0, &0u32.to_be_bytes()),
            full_box(b"stsz", 0, &[0u8; 8]),
            full_box(b"stco", 0, &0u32.to_be_bytes()),
        ]
        .concat(),
    );
    let vmhd = full_box(b"vmhd", 1, &[0u8; 8]);
    let minf = bmff_box(b"minf", &[vmhd, dinf, stbl].concat());
    let mdia = bmff_box(
        b"mdia",
        &[
            full_box(b"mdhd", 0, &mdhd),
            full_box(b"hdlr", 0, &hdlr),
            minf,
        ]
        .concat(),
    );
    let trak = bmff_box(b"trak", &[full_box(b"tkhd", 3, &tkhd), mdia].concat());
    let mut moov = vec![full_box(b"mvhd", 0, &mvhd), trak];
    if located {
        let xyz = "+40.4093+049.8671/";
        let mut p = be16(xyz.len()).to_vec();
        p.extend_from_slice(&[0x15, 0xC7]); // language
        p.extend_from_slice(xyz.as_bytes());
        moov.push(bmff_box(b"udta", &bmff_box(b"\xa9xyz", &p)));
    }
    let compatible: &[&[u8; 4]] = &[major, b"mp41"];
    [
        ftyp(major, compatible),
        bmff_box(b"moov", &moov.concat()),
        bmff_box(b"mdat", &[0u8; 32]),
    ]
    .concat()
}

/// A small PDF with one page; `info` adds a document information
/// dictionary naming an author, `xmp` a catalog `/Metadata` stream.
pub fn pdf(info: bool, xmp: bool) -> Vec<u8> {
    let packet = String::from_utf8(xmp_packet()).unwrap_or_default();
    let mut objects = vec![
        if xmp {
            "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>".to_string()
        } else {
            "<< /Type /Catalog /Pages 2 0 R >>".to_string()
        },
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>".into(),
        "<< /Length 8 >>\nstream\n0 0 m S\n\nendstream".into(),
    ];
    if xmp {
        objects.push(format!(
            "<< /Type /Metadata /Subtype /XML /Length {} >>\nstream\n{packet}\nendstream",
            packet.len() + 1
        ));
    }
    if info {
        objects.push(format!("<< /Author ({CANARY}) /Producer (Scanner 9) >>"));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let info_ref = if info {
        format!(" /Info {} 0 R", objects.len())
    } else {
        String::new()
    };
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Whether `haystack` contains `needle`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
