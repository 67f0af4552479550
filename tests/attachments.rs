//! Attachments at intake (issue 9, point 4): the media type is read from
//! the file's content, never its name, and an edit of an evidence note
//! cannot add an attachment or rewrite what intake recorded about one.

mod common;
mod media_support;

use common::new_vault;
use media_support::*;
use vekil::model::*;
use vekil::Error;

fn note(v: &vekil::Vault) -> Stored<EvidenceNote> {
    let c = v
        .insert(Client::new("Rəşad Məmmədov", "C-001"))
        .expect("client");
    let mut n = EvidenceNote::new("Xəsarətlərin fotoları / Фото побоев");
    n.client_id = Some(c.id);
    n.kind = EvidenceKind::Photo;
    v.insert(n).expect("note")
}

fn zip_entry(name: &str, data: &[u8]) -> Vec<u8> {
    let mut z = b"PK\x03\x04".to_vec();
    z.extend_from_slice(&[0u8; 14]); // version, flags, method, time, date, crc
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(name.as_bytes());
    z.extend_from_slice(data);
    z
}

/// A TIFF whose IFD0 holds one tag (and, for a DNG, DNGVersion).
fn tiff(dng: bool) -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    let n: u16 = if dng { 2 } else { 1 };
    t.extend_from_slice(&n.to_le_bytes());
    // ImageWidth = 16 (SHORT).
    t.extend_from_slice(&[0x00, 0x01, 3, 0, 1, 0, 0, 0, 16, 0, 0, 0]);
    if dng {
        // DNGVersion 1.4.0.0 (BYTE × 4).
        t.extend_from_slice(&[0x12, 0xC6, 1, 0, 4, 0, 0, 0, 1, 4, 0, 0]);
    }
    t.extend_from_slice(&[0, 0, 0, 0]);
    t
}

#[test]
fn media_type_comes_from_the_content_not_the_name() {
    let (_t, _d, v, _) = new_vault();
    let n = note(&v);
    let heic = [ftyp(b"heic", &[b"mif1", b"heic"]), bmff_box(b"meta", &[])].concat();
    let avif = [ftyp(b"avif", &[b"mif1", b"miaf"]), bmff_box(b"meta", &[])].concat();
    let heif = [ftyp(b"mif1", &[b"mif1"]), bmff_box(b"meta", &[])].concat();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("Şəkil.png", jpeg_plain(16, 16), "image/jpeg"),
        ("foto.jpg", png_plain(4, 4), "image/png"),
        ("image.jpg", webp(true), "image/webp"),
        ("IMG_0001.jpg", heic, "image/heic"),
        ("photo.jpeg", avif, "image/avif"),
        ("photo.png", heif, "image/heif"),
        ("clip.txt", mp4_with(b"qt  ", true), "video/quicktime"),
        ("видео.mp4", mp4_with(b"3gp4", true), "video/3gpp"),
        ("səs.mp3", mp4_with(b"M4A ", false), "audio/mp4"),
        ("a.png", mp4(false), "video/mp4"),
        ("scan.pdf", tiff(false), "image/tiff"),
        ("scan.tif", tiff(true), "image/x-adobe-dng"),
        ("qərar.txt", pdf(true, false), "application/pdf"),
        (
            "Отказ.jpg",
            "Müstəntiq icazə vermədi.\nСледователь отказал.\n"
                .as_bytes()
                .to_vec(),
            "text/plain",
        ),
        (
            "izahat.pdf",
            zip_entry("word/document.xml", b"<w:document/>"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "izahat.docx",
            zip_entry("mimetype", b"application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "refusal.jpg",
            (0..4096u32).map(|i| (i * 7 % 251) as u8).collect(),
            "application/octet-stream",
        ),
    ];
    for (name, bytes, want) in &cases {
        let a = v.attach(n.id, name, bytes).expect("attach");
        assert_eq!(a.media_type, *want, "{name}");
        assert_eq!(a.file_name, *name);
    }
    let stored = v.get::<EvidenceNote>(n.id).expect("note");
    let types: Vec<&str> = stored
        .data
        .attachments
        .iter()
        .map(|a| a.media_type.as_str())
        .collect();
    let wanted: Vec<&str> = cases.iter().map(|c| c.2).collect();
    assert_eq!(types, wanted, "stored as sniffed at intake");
}

#[test]
fn streamed_files_are_sniffed_too() {
    let (t, _d, v, _) = new_vault();
    let n = note(&v);
    let path = t.path().join("IMG_2291.jpg");
    std::fs::write(&path, mp4_with(b"qt  ", true)).expect("write");
    let a = v.attach_file(n.id, &path).expect("attach file");
    assert_eq!(a.media_type, "video/quicktime");
}

fn refused_field(r: Result<Stored<EvidenceNote>, Error>) -> String {
    match r {
        Err(Error::Invalid(e)) => e.field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn an_edit_cannot_rewrite_or_add_attachments() {
    let (_t, _d, v, _) = new_vault();
    let n = note(&v);
    let a = v
        .attach(n.id, "IMG_0001.MOV", &mp4_with(b"qt  ", true))
        .expect("attach");
    let current = v.get::<EvidenceNote>(n.id).expect("note");

    // The page claims the video is a text file.
    let mut lie = current.data.clone();
    lie.attachments[0].media_type = "text/plain".into();
    assert_eq!(
        refused_field(v.update(n.id, current.revision, lie)),
        "attachments[0].media_type"
    );
    let mut size = current.data.clone();
    size.attachments[0].size += 1;
    assert_eq!(
        refused_field(v.update(n.id, current.revision, size)),
        "attachments[0].size"
    );
    // A reference to a file never attached (or attached elsewhere).
    let mut added = current.data.clone();
    added.attachments.push(AttachmentRef {
        sha256: "ab".repeat(32),
        file_name: "başqa.jpg".into(),
        size: 10,
        media_type: "image/jpeg".into(),
    });
    assert_eq!(
        refused_field(v.update(n.id, current.revision, added)),
        "attachments[1]"
    );
    // Listing the same file twice is adding it.
    let mut twice = current.data.clone();
    twice.attachments.push(a.clone());
    assert_eq!(
        refused_field(v.update(n.id, current.revision, twice)),
        "attachments[1]"
    );
    // Nothing changed in the vault.
    let after = v.get::<EvidenceNote>(n.id).expect("note");
    assert_eq!(after.revision, current.revision);
    assert_eq!(after.data.attachments, vec![a.clone()]);

    // Renaming and editing the rest is fine; so is removing.
    let mut renamed = current.data.clone();
    renamed.attachments[0].file_name = "otaq-3.mov".into();
    renamed.description.push_str(" (yenilənib)");
    let s = v.update(n.id, current.revision, renamed).expect("rename");
    assert_eq!(s.data.attachments[0].file_name, "otaq-3.mov");
    assert_eq!(s.data.attachments[0].media_type, "video/quicktime");
    let mut removed = s.data.clone();
    removed.attachments.clear();
    let s = v.update(n.id, s.revision, removed).expect("remove");
    assert!(s.data.attachments.is_empty());
    // Once removed, it cannot be put back by an edit either.
    let mut back = s.data.clone();
    back.attachments.push(a);
    assert_eq!(
        refused_field(v.update(n.id, s.revision, back)),
        "attachments[0]"
    );
}

#[test]
fn a_new_note_cannot_bring_attachments() {
    let (_t, _d, v, _) = new_vault();
    let n = note(&v);
    let a = v
        .attach(n.id, "refusal.pdf", &pdf(false, false))
        .expect("attach");
    let mut copy = EvidenceNote::new("Копия отказа");
    copy.client_id = n.data.client_id;
    copy.attachments.push(AttachmentRef {
        media_type: "text/plain".into(),
        ..a
    });
    match v.insert(copy) {
        Err(Error::Invalid(e)) => assert_eq!(e.field, "attachments[0]"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
