//! PDF reports: text extractable by `pdftotext` (Azerbaijani and Russian),
//! fonts embedded, page numbers and the manifest hash in the footer.

mod export_support;

use export_support::*;
use vekil::export::{self, ExportOptions};

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = tool("pdftotext", "poppler-utils")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

#[test]
fn log_report_text_is_extractable() {
    let f = fixture();
    let set = export::select(&f.vault, &ExportOptions::default()).expect("select");
    let path = f.tmp.path().join("log.pdf");
    let sha = "ab".repeat(32);
    let file = std::fs::File::create(&path).expect("create");
    export::pdf::write_log(&set, vekil::export::Lang::En, Some(&sha), file).expect("pdf");
    if let Some(dir) = std::env::var_os("VEKIL_PDF_OUT") {
        std::fs::copy(&path, std::path::Path::new(&dir).join("log.pdf")).expect("copy for viewing");
    }
    let text = pdftotext(&path);
    for needle in [
        "Incident log",
        "Summary",
        "Əli Həsənov",
        "Bakı şəhəri 1 saylı İstintaq Təcridxanası",
        "Müstəntiq icazə vermədi; ğ ı ö ş ç ü İ Ə",
        "Следователь запретил свидание",
        "Иван Петров",
        "Page 1 of",
        &sha,
        "UN Basic Principles on the Role of Lawyers, principle 8",
    ] {
        assert!(
            text.contains(needle),
            "pdftotext output lacks {needle:?}:\n{text}"
        );
    }
    // Fonts are embedded, not referenced.
    let fonts = tool("pdffonts", "poppler-utils")
        .arg(&path)
        .output()
        .expect("pdffonts");
    let listing = String::from_utf8_lossy(&fonts.stdout);
    assert!(listing.contains("DejaVuSans"), "{listing}");
    for line in listing.lines().filter(|l| l.contains("DejaVu")) {
        assert!(line.contains(" yes "), "font not embedded: {line}");
    }
}

#[test]
fn single_incident_report() {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    let path = f.tmp.path().join("one.pdf");
    let file = std::fs::File::create(&path).expect("create");
    export::pdf::write_incident(&set, f.inc_health, vekil::export::Lang::En, None, file)
        .expect("pdf");
    if let Some(dir) = std::env::var_os("VEKIL_PDF_OUT") {
        std::fs::copy(&path, std::path::Path::new(&dir).join("one.pdf")).expect("copy for viewing");
    }
    let text = pdftotext(&path);
    assert!(text.contains("Incident report"));
    assert!(text.contains("Client B-02"));
    assert!(
        !text.contains("Иван Петров"),
        "NGO profile PDF shows the real name"
    );
    assert!(text.contains("Page 1 of 1"));
}

/// The words `pdftotext -bbox` finds on each page: (page, text, xMin,
/// yMin, xMax, yMax), in points.
fn word_boxes(pdf: &std::path::Path) -> Vec<(usize, String, [f64; 4])> {
    let out = tool("pdftotext", "poppler-utils")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext -bbox");
    assert!(out.status.success(), "pdftotext -bbox failed");
    let html = String::from_utf8(out.stdout).expect("UTF-8");
    let attr = |tag: &str, name: &str| -> f64 {
        let from = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        tag[from..tag[from..].find('"').expect("quote") + from]
            .parse()
            .expect("a number")
    };
    let mut page = 0;
    let mut words = vec![];
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let (tag, text) = rest.split_once('>').expect("a word tag");
            let text = text.trim_end_matches("</word>").to_owned();
            let b = ["xMin", "yMin", "xMax", "yMax"].map(|n| attr(tag, n));
            words.push((page, text, b));
        }
    }
    words
}

/// No word is drawn over another, in any language: a long Russian label
/// ("Названная причина (дословно)") once ran into its value's column,
/// which made both unreadable in the report an NGO files.
#[test]
fn no_text_is_drawn_over_other_text() {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    for lang in [
        vekil::export::Lang::En,
        vekil::export::Lang::Az,
        vekil::export::Lang::Ru,
    ] {
        for (name, one) in [("log", false), ("one", true)] {
            let path = f.tmp.path().join(format!("{name}-{lang:?}.pdf"));
            let file = std::fs::File::create(&path).expect("create");
            if one {
                export::pdf::write_incident(&set, f.inc_health, lang, None, file).expect("pdf");
            } else {
                export::pdf::write_log(&set, lang, None, file).expect("pdf");
            }
            let words = word_boxes(&path);
            assert!(words.len() > 20, "{name} {lang:?}: too few words");
            for (i, (p, a, ba)) in words.iter().enumerate() {
                for (q, b, bb) in &words[i + 1..] {
                    let across = ba[2].min(bb[2]) - ba[0].max(bb[0]);
                    let down = ba[3].min(bb[3]) - ba[1].max(bb[1]);
                    assert!(
                        p != q || across <= 0.5 || down <= 0.5,
                        "{name} {lang:?}, page {p}: {a:?} and {b:?} are drawn over each other"
                    );
                }
            }
        }
    }
}
