//! PDF reports: an incident log for a period, or one incident.
//!
//! Written directly (PDF 1.7 objects, about as much code as wiring a PDF
//! crate would take) so that the two things that matter are under our
//! control: the DejaVu fonts are embedded from `assets/fonts/` (never
//! looked up on the system, so the report looks the same everywhere), as
//! Type0/Identity-H fonts with a ToUnicode map, so Azerbaijani Latin
//! (ə ğ ı İ) and Cyrillic text is both drawn and extractable by
//! `pdftotext`. Layout is a simple flowing column with a cover page, a
//! summary table, one section per incident, and a footer on every page
//! with page numbers, the generation time and the bundle manifest's
//! SHA-256.
//!
//! A report of any length is laid out twice, one page at a time, and
//! never held whole: the first pass counts the pages (for "Page n of m"
//! and the page tree) and notes every glyph used (the embedded fonts'
//! widths and ToUnicode maps come before the pages); the second pass lays
//! out the same pages again and writes each one, footer included, as soon
//! as it is full. The first pass wraps and measures exactly as the
//! second does (the page breaks depend on it) but formats nothing: a
//! drawn line only notes its glyphs. The incidents are read once per pass for the summary
//! table and once for the sections, so memory holds one page, one
//! incident and the fonts, and the bytes are those of the whole report
//! built at once.
//!
//! What it does not do: right-to-left text, ligatures or kerning, images.

use super::fields::{Field, Rule};
use super::lang::{Lang, Word};
use super::{ExportError, ExportSet, Result};
use crate::model::{Incident, Stored};
use flate2::write::ZlibEncoder;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BOTTOM: f32 = 64.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

struct Font {
    face: ttf_parser::Face<'static>,
    bytes: &'static [u8],
    used: BTreeMap<u16, char>,
    units: f32,
    /// Glyph and advance of each character below [`CACHED`] (Latin and
    /// Cyrillic, nearly all a report holds), looked up once per font
    /// instead of once per character measured: wrapping measures every
    /// line many times.
    cached: Vec<(u16, f32)>,
}

/// Characters below this have their glyph and advance cached.
const CACHED: u32 = 0x530;

/// A width in text space: `units` (the sum of advances, in thousandths of
/// an em) at font size `size`. The one place this is computed, so that a
/// width summed as it grows equals one measured at once.
fn scaled(units: f32, size: f32) -> f32 {
    units * size / 1000.0
}

impl Font {
    fn load(bytes: &'static [u8]) -> Result<Self> {
        let face = ttf_parser::Face::parse(bytes, 0)
            .map_err(|e| ExportError::Pdf(format!("embedded font: {e}")))?;
        let units = f32::from(face.units_per_em());
        let mut font = Self {
            face,
            bytes,
            used: BTreeMap::new(),
            units,
            cached: vec![],
        };
        font.cached = (0..CACHED)
            .map(|u| {
                let g = char::from_u32(u).map_or(0, |c| font.lookup(c));
                (g, font.advance(g))
            })
            .collect();
        Ok(font)
    }

    fn lookup(&self, c: char) -> u16 {
        self.face.glyph_index(c).map(|g| g.0).unwrap_or(0)
    }

    fn glyph(&self, c: char) -> u16 {
        match self.cached.get(c as usize) {
            Some(&(g, _)) => g,
            None => self.lookup(c),
        }
    }

    fn advance(&self, gid: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0),
        ) * 1000.0
            / self.units
    }

    /// The advance of `c`, 0 for a control character (never drawn).
    fn char_advance(&self, c: char) -> f32 {
        if c.is_control() {
            return 0.0;
        }
        match self.cached.get(c as usize) {
            Some(&(_, a)) => a,
            None => self.advance(self.lookup(c)),
        }
    }

    /// `units` with the advances of `s` added one by one, in order.
    fn add_units(&self, units: f32, s: &str) -> f32 {
        s.chars()
            .filter(|c| !c.is_control())
            .fold(units, |sum, c| sum + self.char_advance(c))
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        scaled(self.add_units(0.0, s), size)
    }

    /// Notes the glyphs of `s` as used, as [`Self::encode`] does, without
    /// encoding it (the first pass of a report only counts).
    fn note(&mut self, s: &str) {
        for c in s.chars().filter(|c| !c.is_control()) {
            let g = self.glyph(c);
            self.used.entry(g).or_insert(c);
        }
    }

    /// The hex string of glyph ids for `s`, recording the glyphs used.
    fn encode(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 4 + 2);
        out.push('<');
        for c in s.chars().filter(|c| !c.is_control()) {
            let g = self.glyph(c);
            self.used.entry(g).or_insert(c);
            let _ = write!(out, "{g:04X}");
        }
        out.push('>');
        out
    }
}

/// What becomes of each page once it is full.
enum Pages<'w> {
    /// The first pass: pages are counted (their glyphs noted), not kept.
    Count(usize),
    /// The second pass: each page gets its footer and is written out.
    Emit(Box<Emitter<'w>>),
}

/// The footer's text; the page number is added per page.
#[derive(Default)]
struct Footer {
    line: String,
    manifest: String,
    page: &'static str,
    of: &'static str,
    total: usize,
}

/// Writes each page of the second pass.
struct Emitter<'w> {
    w: PdfWriter<std::io::BufWriter<&'w mut dyn Write>>,
    footer: Footer,
    page_base: usize,
    done: usize,
    failed: Option<ExportError>,
}

impl Emitter<'_> {
    fn page(&mut self, content: &str) {
        if self.failed.is_some() {
            return;
        }
        let id = self.page_base + 2 * (self.done - 1);
        let written = (|| {
            self.w.obj(
                id,
                &format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                     /Resources << /Font << /F1 {} 0 R /F2 {} 0 R >> >> /Contents {} 0 R >>",
                    FONT_BASE,
                    FONT_BASE + 5,
                    id + 1
                ),
            )?;
            self.w.stream(id + 1, "", &deflate(content.as_bytes())?)
        })();
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }
}

/// A page being laid out.
struct Layout<'w> {
    fonts: [Font; 2],
    pages: Pages<'w>,
    ops: String,
    y: f32,
}

fn esc_num(v: f32) -> String {
    format!("{v:.2}")
}

impl<'w> Layout<'w> {
    fn new(pages: Pages<'w>) -> Result<Self> {
        Ok(Self {
            fonts: [Font::load(REGULAR)?, Font::load(BOLD)?],
            pages,
            ops: String::new(),
            y: PAGE_H - MARGIN,
        })
    }

    fn font(&mut self, w: Weight) -> &mut Font {
        match w {
            Weight::Regular => &mut self.fonts[0],
            Weight::Bold => &mut self.fonts[1],
        }
    }

    fn width(&self, w: Weight, s: &str, size: f32) -> f32 {
        match w {
            Weight::Regular => self.fonts[0].width(s, size),
            Weight::Bold => self.fonts[1].width(s, size),
        }
    }

    fn new_page(&mut self) {
        if !self.ops.is_empty() {
            self.end_page();
        }
        self.y = PAGE_H - MARGIN;
    }

    /// The page is full: counted, or given its footer and written.
    fn end_page(&mut self) {
        let (n, footer) = match &mut self.pages {
            Pages::Count(n) => {
                *n += 1;
                self.ops.clear();
                return;
            }
            Pages::Emit(e) => {
                e.done += 1;
                (e.done, std::mem::take(&mut e.footer))
            }
        };
        self.footer(n, &footer);
        let content = std::mem::take(&mut self.ops);
        if let Pages::Emit(e) = &mut self.pages {
            e.footer = footer;
            e.page(&content);
        }
    }

    /// Page `n`'s footer: a rule, what the report is, "Page n of m", and
    /// the bundle it belongs to.
    fn footer(&mut self, n: usize, f: &Footer) {
        self.rule(MARGIN, PAGE_W - MARGIN, 44.0, 0.4, 0.75);
        self.text_at(Weight::Regular, 7.0, MARGIN, 32.0, 0.45, &f.line);
        let page = format!("{} {} {} {}", f.page, n, f.of, f.total);
        let pw = self.width(Weight::Regular, &page, 7.0);
        self.text_at(
            Weight::Regular,
            7.0,
            PAGE_W - MARGIN - pw,
            32.0,
            0.45,
            &page,
        );
        self.text_at(Weight::Regular, 6.5, MARGIN, 22.0, 0.45, &f.manifest);
    }

    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    /// Whether this is the first pass, which only counts pages and notes
    /// glyphs: what is drawn is then not formatted, only marked, so that
    /// the page is known not to be blank.
    fn counting(&self) -> bool {
        matches!(self.pages, Pages::Count(_))
    }

    fn text_at(&mut self, w: Weight, size: f32, x: f32, y: f32, grey: f32, s: &str) {
        if self.counting() {
            self.font(w).note(s);
            self.mark();
            return;
        }
        let name = if w == Weight::Bold { "F2" } else { "F1" };
        let hex = self.font(w).encode(s);
        let _ = writeln!(
            self.ops,
            "BT {g} {g} {g} rg /{name} {size} Tf {} {} Td {hex} Tj ET",
            esc_num(x),
            esc_num(y),
            g = esc_num(grey)
        );
    }

    /// In the first pass: something was drawn on this page.
    fn mark(&mut self) {
        if self.ops.is_empty() {
            self.ops.push('.');
        }
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, grey: f32) {
        if self.counting() {
            self.mark();
            return;
        }
        let _ = writeln!(
            self.ops,
            "{g} {g} {g} RG {} w {} {} m {} {} l S",
            esc_num(width),
            esc_num(x1),
            esc_num(y),
            esc_num(x2),
            esc_num(y),
            g = esc_num(grey)
        );
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, grey: f32) {
        if self.counting() {
            self.mark();
            return;
        }
        let _ = writeln!(
            self.ops,
            "{g} {g} {g} rg {} {} {} {} re f",
            esc_num(x),
            esc_num(y),
            esc_num(w),
            esc_num(h),
            g = esc_num(grey)
        );
    }

    /// Splits `text` into lines no wider than `width`. Each line's width
    /// is summed as it grows (see [`Font::add_units`]), the same sums in
    /// the same order as measuring every candidate line whole, so the
    /// lines are the same, without measuring a line once per word.
    fn wrap(&self, w: Weight, size: f32, text: &str, width: f32) -> Vec<String> {
        let font = match w {
            Weight::Regular => &self.fonts[0],
            Weight::Bold => &self.fonts[1],
        };
        let mut lines = vec![];
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_units = 0.0f32;
            for word in para.split_whitespace() {
                let candidate_units = if line.is_empty() {
                    font.add_units(0.0, word)
                } else {
                    font.add_units(font.add_units(line_units, " "), word)
                };
                if scaled(candidate_units, size) <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_units = candidate_units;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the column is cut by characters.
                let mut piece = String::new();
                let mut piece_units = 0.0f32;
                let mut buf = [0u8; 4];
                for c in word.chars() {
                    piece.push(c);
                    let grown = font.add_units(piece_units, c.encode_utf8(&mut buf));
                    if scaled(grown, size) > width {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                        piece_units = font.add_units(0.0, c.encode_utf8(&mut buf));
                    } else {
                        piece_units = grown;
                    }
                }
                line = piece;
                line_units = piece_units;
            }
            lines.push(line);
        }
        lines
    }

    fn para(&mut self, w: Weight, size: f32, x: f32, width: f32, grey: f32, text: &str) {
        let leading = size * 1.35;
        for line in self.wrap(w, size, text, width) {
            self.ensure(leading);
            self.y -= leading;
            self.text_at(w, size, x, self.y, grey, &line);
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(60.0);
        self.y -= 10.0;
        self.para(Weight::Bold, 14.0, MARGIN, TEXT_W, 0.1, text);
        self.y -= 5.0;
        self.rule(MARGIN, PAGE_W - MARGIN, self.y, 0.6, 0.55);
        self.y -= 6.0;
    }

    /// A label/value row; each wraps in its own column, so that a long
    /// label (Russian ones are) never runs into its value.
    fn field(&mut self, label: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        let label_w = 150.0;
        let gap = 8.0;
        let size = 9.5;
        let labels = self.wrap(Weight::Bold, size, label, label_w - gap);
        let values = self.wrap(Weight::Regular, size, value, TEXT_W - label_w);
        let rows = labels.len().max(values.len());
        let leading = size * 1.4;
        self.ensure(leading * rows.min(3) as f32 + 2.0);
        for row in 0..rows {
            self.ensure(leading);
            self.y -= leading;
            if let Some(line) = labels.get(row) {
                self.text_at(Weight::Bold, size, MARGIN, self.y, 0.35, line);
            }
            if let Some(line) = values.get(row) {
                self.text_at(Weight::Regular, size, MARGIN + label_w, self.y, 0.1, line);
            }
        }
        self.y -= 2.0;
    }
}

fn fmt_time(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M (UTC%:z)").to_string()
}

/// An event time at its precision: a value known only to the day, month
/// or year is its date alone, never "00:00", which would be a false time
/// in a legal document.
fn fmt_event(t: &crate::model::EventTime) -> String {
    match crate::dates::time_text(t) {
        Some(time) => format!(
            "{} {time} (UTC{})",
            crate::dates::date_text(t),
            t.at.format("%:z")
        ),
        None => crate::dates::date_text(t),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

fn incident_section(
    l: &mut Layout<'_>,
    set: &ExportSet,
    lang: Lang,
    n: usize,
    inc: &Stored<Incident>,
) {
    let w = |word| lang.word(word);
    let d = &inc.data;
    l.heading(&format!(
        "{n}. {} — {}",
        lang.incident_type(d.incident_type),
        crate::dates::date_text(&d.occurred)
    ));
    let arrested = set
        .client(d.client_id)
        .and_then(|c| c.data.arrested_at.clone());
    l.field(w(Word::Client), &set.client_label(d.client_id));
    l.field(w(Word::DateAndTime), &fmt_event(&d.occurred));
    l.field(
        w(Word::Facility),
        &super::join_present(&[&d.facility.name, &d.facility.region]),
    );
    l.field(w(Word::Authority), &d.authority);
    if let Some(h) = d.hours_since_arrest(arrested.as_ref()) {
        l.field(w(Word::HoursSinceArrest), &format!("{h}"));
    }
    if let Some(t) = &d.requested_at {
        l.field(w(Word::AccessRequested), &fmt_time(t));
    }
    if let Some(t) = &d.refused_at {
        l.field(w(Word::Refused), &fmt_time(t));
    }
    if let Some(t) = &d.meeting_at {
        l.field(w(Word::MeetingTookPlace), &fmt_time(t));
    }
    if let Some(m) = d.minutes_waited {
        l.field(w(Word::MinutesWaited), &m.to_string());
    }
    let officials: Vec<String> = d
        .officials
        .iter()
        .map(|o| super::join_present(&[&o.rank, &o.name, &o.unit, &o.badge]))
        .collect();
    l.field(w(Word::Officials), &officials.join("; "));
    l.field(w(Word::ReasonGiven), &d.reason_given);
    l.field(
        w(Word::WrittenRefusal),
        w(if d.written_refusal {
            Word::Yes
        } else {
            Word::No
        }),
    );
    l.field(w(Word::LegalBasisCited), &d.legal_basis_cited);
    l.field(w(Word::MeetingConditions), &d.meeting_conditions);
    l.field(w(Word::ClientCondition), &d.client_condition);
    // Where the profile replaces witness names, the report words the
    // replacement ("relative 1") in its own language.
    let labelled = matches!(
        Field::IncidentWitnessName
            .row()
            .rule(set.profile, set.is_backup()),
        Rule::Replaced(_)
    );
    let witnesses: Vec<String> = d
        .witnesses
        .iter()
        .enumerate()
        .map(|(i, wi)| {
            let name = if labelled {
                lang.witness(wi.kind, i + 1)
            } else {
                wi.name.clone()
            };
            if wi.role.is_empty() {
                name
            } else {
                format!("{name} ({})", wi.role)
            }
        })
        .collect();
    l.field(w(Word::Witnesses), &witnesses.join("; "));
    let remedies: Vec<String> = d
        .remedies
        .iter()
        .map(|r| {
            let mut s = r.complaint_to.clone();
            if let Some(f) = r.filed_on {
                s.push_str(&format!(", {} {f}", w(Word::Filed)));
            }
            if !r.response.is_empty() {
                s.push_str(&format!(": {}", r.response));
            }
            s
        })
        .collect();
    l.field(w(Word::Remedies), &remedies.join("; "));
    let standards: Vec<&str> = d.standards.iter().map(|s| s.citation()).collect();
    l.field(w(Word::StandardsEngaged), &standards.join("; "));
    l.field(w(Word::DomesticProvisions), &d.domestic_articles.join("; "));
    l.field(w(Word::Notes), &d.notes);
    l.field(
        w(Word::Record),
        &format!(
            "{} · {} {} · {}",
            inc.id,
            w(Word::Revision),
            inc.revision,
            lang.status(d.status)
        ),
    );
}

fn summary_table(
    l: &mut Layout<'_>,
    set: &ExportSet,
    lang: Lang,
    step: &mut dyn FnMut(),
) -> Result<()> {
    l.heading(lang.word(Word::Summary));
    let cols: [(&str, f32); 5] = [
        (lang.word(Word::Number), 22.0),
        (lang.word(Word::Date), 64.0),
        (lang.word(Word::Client), 118.0),
        (lang.word(Word::Facility), 150.0),
        (lang.word(Word::Type), TEXT_W - 22.0 - 64.0 - 118.0 - 150.0),
    ];
    let size = 8.5;
    let row_h = 14.0;
    let header = |l: &mut Layout<'_>| {
        l.ensure(row_h * 2.0);
        l.fill(MARGIN, l.y - row_h, TEXT_W, row_h, 0.92);
        let mut x = MARGIN + 3.0;
        let y = l.y - row_h + 4.0;
        for (name, w) in cols {
            l.text_at(Weight::Bold, size, x, y, 0.2, name);
            x += w;
        }
        l.y -= row_h;
    };
    header(l);
    let mut n = 0usize;
    set.each_incident(&mut |o| {
        step();
        if l.y - row_h < BOTTOM {
            l.new_page();
            header(l);
        }
        let d = &o.record.data;
        let cells = [
            (n + 1).to_string(),
            crate::dates::date_text(&d.occurred),
            set.client_label(d.client_id),
            d.facility.name.clone(),
            lang.incident_type(d.incident_type).to_string(),
        ];
        let mut x = MARGIN + 3.0;
        let y = l.y - row_h + 4.0;
        for ((_, w), text) in cols.iter().zip(cells) {
            let mut t = text;
            let max = *w - 6.0;
            while l.width(Weight::Regular, &t, size) > max && t.chars().count() > 2 {
                let keep = t.chars().count() - 2;
                t = clip(&t, keep);
            }
            l.text_at(Weight::Regular, size, x, y, 0.1, &t);
            x += w;
        }
        l.y -= row_h;
        l.rule(MARGIN, PAGE_W - MARGIN, l.y, 0.3, 0.85);
        n += 1;
        Ok(())
    })
}

fn cover(l: &mut Layout<'_>, set: &ExportSet, lang: Lang, title: &str) {
    let w = |word| lang.word(word);
    l.y = PAGE_H - 200.0;
    l.fill(MARGIN, l.y + 40.0, 60.0, 4.0, 0.25);
    l.para(Weight::Bold, 24.0, MARGIN, TEXT_W, 0.1, title);
    l.y -= 8.0;
    l.para(
        Weight::Regular,
        12.0,
        MARGIN,
        TEXT_W,
        0.35,
        w(Word::Subtitle),
    );
    l.y -= 30.0;
    let span = set.incident_span();
    let first = set.from.or_else(|| span.map(|s| s.0));
    let last = set.to.or_else(|| span.map(|s| s.1));
    let period = match (first, last) {
        (Some(a), Some(b)) => format!(
            "{} {} {}",
            a.format("%Y-%m-%d"),
            w(Word::PeriodTo),
            b.format("%Y-%m-%d")
        ),
        (Some(a), None) => format!("{} {}", w(Word::PeriodFrom), a.format("%Y-%m-%d")),
        (None, Some(b)) => format!("{} {}", w(Word::PeriodUntil), b.format("%Y-%m-%d")),
        (None, None) => w(Word::NoIncidents).into(),
    };
    l.field(w(Word::Period), &period);
    l.field(w(Word::Incidents), &set.incident_count().to_string());
    l.field(
        w(Word::Generated),
        &set.generated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    l.field(
        w(Word::Profile),
        w(match set.profile {
            super::Profile::Full => Word::ProfileFull,
            super::Profile::Ngo => Word::ProfileNgo,
            super::Profile::Public => Word::ProfilePublic,
        }),
    );
    if !set.recipients.is_empty() {
        l.field(w(Word::PreparedFor), &set.recipients.join(", "));
    }
    l.field(w(Word::SourceVault), &set.vault_id);
    l.y -= 30.0;
    l.para(
        Weight::Regular,
        9.0,
        MARGIN,
        TEXT_W,
        0.4,
        w(Word::CoverNote),
    );
}

/// Writes the incident log report for the whole set, in `lang`. Inside a
/// bundle, `bundle_id` names the bundle (its manifest lists this report).
pub fn write_log(
    set: &ExportSet,
    lang: Lang,
    bundle_id: Option<&str>,
    out: impl Write,
) -> Result<()> {
    write_log_with(set, lang, bundle_id, out, &mut || {})
}

/// [`write_log`], calling `step` for each incident laid out (each is laid
/// out four times: in the summary and its section, in each pass).
pub(crate) fn write_log_with(
    set: &ExportSet,
    lang: Lang,
    bundle_id: Option<&str>,
    out: impl Write,
    step: &mut dyn FnMut(),
) -> Result<()> {
    let title = lang.word(Word::IncidentLog);
    report(set, lang, title, bundle_id, out, &mut |l| {
        cover(l, set, lang, title);
        l.new_page();
        summary_table(l, set, lang, step)?;
        l.new_page();
        let mut n = 0usize;
        set.each_incident(&mut |o| {
            step();
            n += 1;
            incident_section(l, set, lang, n, &o.record);
            l.y -= 10.0;
            Ok(())
        })
    })
}

/// Writes a report of one incident of the set.
pub fn write_incident(
    set: &ExportSet,
    id: uuid::Uuid,
    lang: Lang,
    bundle_id: Option<&str>,
    out: impl Write,
) -> Result<()> {
    let inc = set
        .incident(id)?
        .ok_or_else(|| ExportError::Pdf(format!("incident {id} is not in this export")))?;
    let title = lang.word(Word::IncidentReport);
    report(set, lang, title, bundle_id, out, &mut |l| {
        l.para(Weight::Bold, 18.0, MARGIN, TEXT_W, 0.1, title);
        l.y -= 6.0;
        incident_section(l, set, lang, 1, &inc.record);
        Ok(())
    })
}

/// Object numbering: 1 catalog, 2 pages, 3.. fonts (5 objects each), then
/// two per page.
const FONT_BASE: usize = 3;
const PAGE_BASE: usize = FONT_BASE + 2 * 5;

/// Lays out `body` twice (see the module documentation) and writes the
/// report.
fn report(
    set: &ExportSet,
    lang: Lang,
    title: &str,
    bundle_id: Option<&str>,
    out: impl Write,
    body: &mut dyn FnMut(&mut Layout<'_>) -> Result<()>,
) -> Result<()> {
    // First pass: how many pages, and which glyphs, footers included (in
    // the order the footers are drawn, after every page's content).
    let mut l = Layout::new(Pages::Count(0))?;
    body(&mut l)?;
    l.new_page();
    let Pages::Count(total) = l.pages else {
        return Err(ExportError::Pdf("the first pass wrote pages".into()));
    };
    let footer = Footer {
        line: format!(
            "Vekil · {title} · {}",
            set.generated_at.format("%Y-%m-%d %H:%M UTC")
        ),
        manifest: bundle_id
            .map(|s| format!("{} {s} · manifest.json", lang.word(Word::Bundle)))
            .unwrap_or_else(|| lang.word(Word::NotInBundle).into()),
        page: lang.word(Word::Page),
        of: lang.word(Word::Of),
        total,
    };
    for n in 1..=total {
        l.footer(n, &footer);
        l.ops.clear();
    }
    let fonts = l.fonts;

    let mut out = out;
    let mut w = PdfWriter {
        out: std::io::BufWriter::new(&mut out as &mut dyn Write),
        pos: 0,
        offsets: vec![0],
    };
    w.raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")?;
    w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")?;
    w.start(2)?;
    w.raw(b"<< /Type /Pages /Kids [")?;
    for i in 0..total {
        let sep = if i == 0 { "" } else { " " };
        w.raw(format!("{sep}{} 0 R", PAGE_BASE + 2 * i).as_bytes())?;
    }
    w.raw(format!("] /Count {total} >>").as_bytes())?;
    w.raw(b"\nendobj\n")?;
    write_fonts(&mut w, &fonts)?;

    // Second pass: the same pages, each written as soon as it is full.
    let mut l = Layout::new(Pages::Emit(Box::new(Emitter {
        w,
        footer,
        page_base: PAGE_BASE,
        done: 0,
        failed: None,
    })))?;
    body(&mut l)?;
    l.new_page();
    let Pages::Emit(e) = l.pages else {
        return Err(ExportError::Pdf("the second pass counted pages".into()));
    };
    if let Some(err) = e.failed {
        return Err(err);
    }
    if e.done != total {
        return Err(ExportError::Pdf(format!(
            "the report had {total} pages, then {}: the vault changed while exporting",
            e.done
        )));
    }
    let mut w = e.w;
    let xref_at = w.pos;
    let n = w.offsets.len();
    let mut xref = format!("xref\n0 {n}\n0000000000 65535 f \n");
    for off in &w.offsets[1..] {
        let _ = writeln!(xref, "{off:010} 00000 n ");
    }
    let _ = write!(
        xref,
        "trailer\n<< /Size {n} /Root 1 0 R /Info << /Producer (Vekil) /Title (Vekil report) >> >>\nstartxref\n{xref_at}\n%%EOF\n"
    );
    w.raw(xref.as_bytes())?;
    w.out.flush().map_err(super::io_err("PDF report"))
}

fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data)
        .and_then(|_| z.finish())
        .map_err(|e| ExportError::Pdf(format!("compression: {e}")))
}

struct PdfWriter<W: Write> {
    out: W,
    pos: usize,
    offsets: Vec<usize>,
}

impl<W: Write> PdfWriter<W> {
    fn raw(&mut self, b: &[u8]) -> Result<()> {
        self.out.write_all(b).map_err(super::io_err("PDF report"))?;
        self.pos += b.len();
        Ok(())
    }

    fn obj(&mut self, id: usize, body: &str) -> Result<()> {
        self.start(id)?;
        self.raw(body.as_bytes())?;
        self.raw(b"\nendobj\n")
    }

    fn start(&mut self, id: usize) -> Result<()> {
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, 0);
        }
        self.offsets[id] = self.pos;
        self.raw(format!("{id} 0 obj\n").as_bytes())
    }

    fn stream(&mut self, id: usize, dict: &str, data: &[u8]) -> Result<()> {
        self.start(id)?;
        self.raw(
            format!(
                "<< {dict} /Length {} /Filter /FlateDecode >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        )?;
        self.raw(data)?;
        self.raw(b"\nendstream\nendobj\n")
    }
}

fn to_unicode(used: &BTreeMap<u16, char>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = used.iter().filter(|(g, _)| **g != 0).collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(s, "<{g:04X}> <{hex}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// The two embedded fonts with the glyphs the first pass noted.
fn write_fonts<W: Write>(w: &mut PdfWriter<W>, fonts: &[Font; 2]) -> Result<()> {
    for (n, font) in fonts.iter().enumerate() {
        let base = FONT_BASE + 5 * n;
        let name = if n == 0 {
            "DejaVuSans"
        } else {
            "DejaVuSans-Bold"
        };
        let f = &font.face;
        let scale = |v: i16| (f32::from(v) * 1000.0 / font.units).round() as i32;
        let bbox = f.global_bounding_box();
        let mut widths = String::new();
        for g in font.used.keys() {
            let _ = write!(widths, "{g} [{}] ", font.advance(*g).round() as i32);
        }
        w.obj(
            base,
            &format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H \
                 /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
                base + 1,
                base + 4
            ),
        )?;
        w.obj(
            base + 1,
            &format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {} 0 R /CIDToGIDMap /Identity /DW 600 /W [{widths}] >>",
                base + 2
            ),
        )?;
        w.obj(
            base + 2,
            &format!(
                "<< /Type /FontDescriptor /FontName /{name} /Flags 32 \
                 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} \
                 /CapHeight {} /StemV {} /FontFile2 {} 0 R >>",
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
                scale(f.ascender()),
                scale(f.descender()),
                scale(f.capital_height().unwrap_or(f.ascender())),
                if n == 0 { 80 } else { 140 },
                base + 3
            ),
        )?;
        let data = deflate(font.bytes)?;
        w.stream(base + 3, &format!("/Length1 {}", font.bytes.len()), &data)?;
        let cmap = deflate(to_unicode(&font.used).as_bytes())?;
        w.stream(base + 4, "", &cmap)?;
    }
    Ok(())
}
