//! Plain-text tables and record views for the terminal.

use serde_json::Value;
use std::io::Write;

/// Prints rows under a header, columns padded to their widest cell
/// (counted in characters, so Azerbaijani and Cyrillic align).
pub fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "(none)");
    }
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .chain(std::iter::once(header[i].chars().count()))
            .max()
            .unwrap_or(0)
            .min(48)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let cell: String = c
                .replace(['\n', '\r'], " ")
                .chars()
                .take(widths[i])
                .collect();
            if i + 1 == cells.len() {
                s.push_str(&cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned()
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    for r in rows {
        writeln!(out, "{}", line(r.clone()))?;
    }
    Ok(())
}

/// Prints a record as `field: value` lines; nested values as compact JSON.
pub fn fields(out: &mut impl Write, v: &Value) -> std::io::Result<()> {
    let Some(obj) = v.as_object() else {
        return writeln!(out, "{v}");
    };
    let w = obj.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    for (k, val) in obj {
        let text = match val {
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            Value::Array(a) if a.is_empty() => continue,
            Value::String(s) => s.replace('\n', &format!("\n{:w$}  ", "")),
            other => other.to_string(),
        };
        writeln!(out, "{k:<w$}  {text}")?;
    }
    Ok(())
}

/// The first 8 characters of an id, enough to type back (`show 1a2b3c4d`).
pub fn short_id(id: &uuid::Uuid) -> String {
    id.to_string()[..8].to_owned()
}

/// A moment as `2025-03-14 09:30 +04:00`.
pub fn moment(d: &chrono::DateTime<chrono::FixedOffset>) -> String {
    d.format("%Y-%m-%d %H:%M %:z").to_string()
}
