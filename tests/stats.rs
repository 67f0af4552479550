//! Statistics, one definition (issue 11.6): every figure of
//! `vekil::stats::stats` is checked against a generated dataset whose
//! aggregates this test computes on its own, from what it generated, not
//! from the records read back.

mod common;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use common::new_vault;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use unicode_normalization::UnicodeNormalization;
use vekil::model::*;

const FACILITIES: [(&str, FacilityType, &str); 4] = [
    ("Gəncə İVS", FacilityType::TemporaryDetention, "Gəncə"),
    (
        "Bakı şəhəri 1 saylı İstintaq Təcridxanası",
        FacilityType::PretrialDetention,
        "Bakı",
    ),
    (
        "Следственный изолятор № 1",
        FacilityType::PretrialDetention,
        "",
    ),
    (
        "Nəsimi RPİ 22-ci polis şöbəsi",
        FacilityType::PoliceStation,
        "Bakı",
    ),
];
const AUTHORITIES: [&str; 3] = ["DİN", "Baş Prokurorluq", ""];
const TYPES: [IncidentType; 3] = [
    IncidentType::AccessDenied,
    IncidentType::AccessDelayed,
    IncidentType::PermitRefused,
];

/// One generated incident, as plain numbers.
#[derive(Debug, Clone)]
struct Gen {
    client: usize,
    /// Minutes after 2025-01-01 00:00 UTC.
    minute: i64,
    /// 0 minute, 1 day (midnight in Baku), 2 day (midnight UTC, as JSON
    /// gives it), 3 month, 4 year.
    precision: u8,
    facility: usize,
    nfd: bool,
    authority: usize,
    kind: usize,
    written: bool,
    waited: Option<u32>,
    /// Minutes the request came before the meeting, when both are
    /// recorded.
    request_before: Option<i64>,
    /// Minutes from `minute` to a meeting.
    meeting_after: Option<i64>,
}

fn gen() -> impl Strategy<Value = Gen> {
    (
        0usize..6,
        0i64..(400 * 24 * 60),
        0u8..5,
        0usize..FACILITIES.len(),
        any::<bool>(),
        0usize..AUTHORITIES.len(),
        0usize..TYPES.len(),
        any::<bool>(),
        proptest::option::of(0u32..600),
        proptest::option::of(0i64..900),
        proptest::option::of(-300i64..5000),
    )
        .prop_map(
            |(
                client,
                minute,
                precision,
                facility,
                nfd,
                authority,
                kind,
                written,
                waited,
                rtm,
                ma,
            )| {
                Gen {
                    client,
                    minute,
                    precision,
                    facility,
                    nfd,
                    authority,
                    kind,
                    written,
                    waited,
                    request_before: rtm,
                    meeting_after: ma,
                }
            },
        )
}

fn baku() -> FixedOffset {
    FixedOffset::east_opt(4 * 3600).expect("offset")
}

fn base() -> DateTime<FixedOffset> {
    chrono::Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("base")
        .fixed_offset()
}

/// The Baku calendar date of a generated moment (Baku has had no summer
/// time since 2016, so +04:00 throughout).
fn baku_date(minute: i64) -> NaiveDate {
    (base() + Duration::minutes(minute))
        .with_timezone(&baku())
        .date_naive()
}

fn occurred(g: &Gen) -> EventTime {
    let moment = (base() + Duration::minutes(g.minute)).with_timezone(&baku());
    let date = baku_date(g.minute);
    let midnight = |d: NaiveDate, off: FixedOffset| {
        off.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .expect("midnight")
    };
    let utc = FixedOffset::east_opt(0).expect("utc");
    match g.precision {
        0 => EventTime::exact(moment),
        1 => EventTime {
            at: midnight(date, baku()),
            precision: DatePrecision::Day,
        },
        2 => EventTime {
            at: midnight(date, utc),
            precision: DatePrecision::Day,
        },
        3 => EventTime {
            at: midnight(date.with_day0(0).expect("first"), baku()),
            precision: DatePrecision::Month,
        },
        _ => EventTime {
            at: midnight(
                NaiveDate::from_ymd_opt(date.format("%Y").to_string().parse().expect("y"), 1, 1)
                    .expect("jan"),
                baku(),
            ),
            precision: DatePrecision::Year,
        },
    }
}

use chrono::{Datelike, Timelike};

/// The test's own median, rounded to one decimal.
fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
}

fn bump(m: &mut BTreeMap<String, usize>, k: impl Into<String>) {
    *m.entry(k.into()).or_default() += 1;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn every_figure_matches_an_independent_count(
        incidents in proptest::collection::vec(gen(), 0..40),
        // Per client: arrest minute, and whether it is known only to the day.
        arrests in proptest::collection::vec((proptest::option::of(0i64..(400 * 24 * 60)), any::<bool>()), 6),
    ) {
        let (_t, _d, v, _) = new_vault();
        v.set_time_zone(Some(vekil::dates::Zone::named("Asia/Baku").expect("zone"))).expect("zone");
        let mut clients = vec![];
        for (n, (arrest, day_only)) in arrests.iter().enumerate() {
            let mut c = Client::new(format!("Müştəri {n} Əliyev"), format!("C-{n}"));
            c.arrested_at = arrest.map(|m| {
                let at = (base() + Duration::minutes(m)).with_timezone(&baku());
                if *day_only {
                    EventTime { at: at.with_hour(0).and_then(|a| a.with_minute(0)).expect("midnight"), precision: DatePrecision::Day }
                } else {
                    EventTime::exact(at)
                }
            });
            clients.push(v.insert(c).expect("client").id);
        }

        let mut want = Want::default();
        for g in &incidents {
            let (name, ftype, region) = FACILITIES[g.facility];
            let typed = if g.nfd { format!(" {} ", name.nfd().collect::<String>()) } else { name.to_owned() };
            let occurred = occurred(g);
            let mut i = Incident::quick(clients[g.client], typed, occurred.at, TYPES[g.kind]);
            i.occurred = occurred;
            i.facility.facility_type = ftype;
            i.facility.region = region.into();
            i.authority = AUTHORITIES[g.authority].into();
            i.written_refusal = g.written;
            i.minutes_waited = g.waited;
            let moment = base() + Duration::minutes(g.minute);
            if let Some(d) = g.meeting_after {
                let meeting = moment + Duration::minutes(d);
                i.meeting_at = Some(meeting);
                i.requested_at = g.request_before.map(|b| meeting - Duration::minutes(b));
            }
            v.insert(i).expect("incident");

            // The expected figures, from the generator's own numbers.
            want.incidents += 1;
            bump(&mut want.by_type, serde_json::to_value(TYPES[g.kind]).expect("t").as_str().expect("s"));
            bump(&mut want.by_facility, name);
            bump(&mut want.by_facility_type, serde_json::to_value(ftype).expect("t").as_str().expect("s"));
            bump(&mut want.by_authority, AUTHORITIES[g.authority]);
            bump(&mut want.by_region, region);
            let date = baku_date(g.minute);
            bump(&mut want.by_month, if g.precision == 4 { date.format("%Y").to_string() } else { date.format("%Y-%m").to_string() });
            want.written += usize::from(g.written);
            if TYPES[g.kind] == IncidentType::AccessDelayed {
                want.delayed += 1;
                let wait = match (g.waited, g.request_before, g.meeting_after) {
                    (Some(w), _, _) => Some(f64::from(w)),
                    (None, Some(b), Some(_)) => Some(b as f64),
                    _ => None,
                };
                want.waits.extend(wait);
            }
            if let Some(m) = g.meeting_after.map(|d| g.minute + d) {
                let e = want.first_meeting.entry(g.client).or_insert(m);
                *e = (*e).min(m);
            }
        }
        let hours: Vec<f64> = want.first_meeting.iter().filter_map(|(c, m)| {
            let (arrest, day_only) = arrests[*c];
            let a = arrest?;
            (!day_only && *m >= a).then(|| (*m - a) as f64 / 60.0)
        }).collect();

        let s = vekil::stats::stats(&v).expect("stats");
        prop_assert_eq!(s.format.as_str(), "vekil-stats/1");
        prop_assert_eq!(s.time_zone.as_str(), "Asia/Baku");
        prop_assert_eq!(s.incidents, want.incidents);
        prop_assert_eq!(&s.by_type, &want.by_type);
        prop_assert_eq!(&s.by_facility, &want.by_facility);
        prop_assert_eq!(&s.by_facility_type, &want.by_facility_type);
        prop_assert_eq!(&s.by_authority, &want.by_authority);
        prop_assert_eq!(&s.by_region, &want.by_region);
        prop_assert_eq!(&s.by_month, &want.by_month);
        prop_assert_eq!(s.written_refusals, want.written);
        prop_assert_eq!(s.delayed_access.incidents, want.delayed);
        prop_assert_eq!(s.delayed_access.measured, want.waits.len());
        prop_assert_eq!(s.delayed_access.median_minutes_waited, median(want.waits.clone()));
        prop_assert_eq!(s.first_meeting.clients_measured, hours.len());
        prop_assert_eq!(s.first_meeting.median_hours, median(hours));
    }
}

#[derive(Default)]
struct Want {
    incidents: usize,
    by_type: BTreeMap<String, usize>,
    by_facility: BTreeMap<String, usize>,
    by_facility_type: BTreeMap<String, usize>,
    by_authority: BTreeMap<String, usize>,
    by_region: BTreeMap<String, usize>,
    by_month: BTreeMap<String, usize>,
    written: usize,
    delayed: usize,
    waits: Vec<f64>,
    first_meeting: HashMap<usize, i64>,
}

#[test]
fn the_same_facility_in_nfc_and_nfd_is_one_row() {
    let (_t, _d, v, _) = new_vault();
    let c = v
        .insert(Client::new("Leyla Həsənova", "C-7"))
        .expect("client");
    let at = base().with_timezone(&baku());
    for name in [
        "Gəncə İVS".to_owned(),
        "Gəncə İVS".nfd().collect::<String>(),
    ] {
        v.insert(Incident::quick(c.id, name, at, IncidentType::AccessDenied))
            .expect("incident");
    }
    let s = vekil::stats::stats(&v).expect("stats");
    assert_eq!(s.by_facility.len(), 1, "{:?}", s.by_facility);
    assert_eq!(s.by_facility.get("Gəncə İVS"), Some(&2));
}
