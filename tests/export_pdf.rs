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
