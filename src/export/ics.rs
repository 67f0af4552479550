//! iCalendar (RFC 5545) of hearings and deadlines, for the lawyer's
//! calendar program (`docs/formats/calendar-ics.md`).
//!
//! Written by hand rather than with a crate: the subset needed (VEVENT with
//! UTC times) is small, and the three rules that calendar programs are
//! strict about are easy to get exactly right here: CRLF line ends, lines
//! folded at 75 octets without splitting a UTF-8 character, and `\`, `;`,
//! `,` and newlines escaped in text values.

use super::{ExportSet, Result};
use crate::model::Record;
use chrono::{DateTime, FixedOffset, Utc};
use std::io::Write;

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line at 75 octets (RFC 5545 §3.1), never inside a
/// UTF-8 sequence, and ends every physical line with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn utc(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
}

/// Writes the calendar.
pub fn write(set: &ExportSet, out: impl Write) -> Result<()> {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Vekil//Vekil case-file manager//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    let stamp = set.generated_at.format("%Y%m%dT%H%M%SZ").to_string();
    let case_no = |id| {
        set.cases
            .iter()
            .find(|c| c.record.id == id)
            .map(|c| c.record.data.case_number.clone())
            .unwrap_or_default()
    };
    for h in &set.hearings {
        let h = &h.record;
        let d = &h.data;
        let mut desc = vec![format!("Case {}", case_no(d.case_id))];
        for (label, v) in [
            ("Judge", &d.judge),
            ("Courtroom", &d.courtroom),
            ("Next step", &d.next_step),
        ] {
            if !v.is_empty() {
                desc.push(format!("{label}: {v}"));
            }
        }
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}@vekil", h.id),
            format!("DTSTAMP:{stamp}"),
            format!("SEQUENCE:{}", h.revision),
            format!("DTSTART:{}", utc(&d.at)),
            "DURATION:PT1H".into(),
            format!(
                "SUMMARY:{}",
                escape_text(&format!("{} (case {})", d.title(), case_no(d.case_id)))
            ),
            format!(
                "LOCATION:{}",
                escape_text(&super::join_present(&[&d.court, &d.courtroom]))
            ),
            format!("DESCRIPTION:{}", escape_text(&desc.join("\n"))),
            "END:VEVENT".into(),
        ]);
    }
    for dl in &set.deadlines {
        let dl = &dl.record;
        let d = &dl.data;
        let mut desc = vec![format!("Case {}", case_no(d.case_id))];
        if !d.source_rule.is_empty() {
            desc.push(format!("Rule: {}", d.source_rule));
        }
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}@vekil", dl.id),
            format!("DTSTAMP:{stamp}"),
            format!("SEQUENCE:{}", dl.revision),
            format!("DTSTART:{}", utc(&d.due)),
            format!("DTEND:{}", utc(&d.due)),
            format!(
                "SUMMARY:{}",
                escape_text(&format!("{} (case {})", d.title(), case_no(d.case_id)))
            ),
            format!("DESCRIPTION:{}", escape_text(&desc.join("\n"))),
            format!("STATUS:{}", if d.done { "CANCELLED" } else { "CONFIRMED" }),
            "TRANSP:TRANSPARENT".into(),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    let mut out = std::io::BufWriter::new(out);
    for l in lines {
        out.write_all(fold(&l).as_bytes())
            .map_err(super::io_err("calendar"))?;
    }
    out.flush().map_err(super::io_err("calendar"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "ə".repeat(100));
        let folded = fold(&line);
        for physical in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
