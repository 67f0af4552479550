//! What the scale benchmarks share: a vault filled with realistic
//! incidents and attachments, and the numbers they read from the
//! environment. Each bench includes it with `mod support;`.
#![allow(dead_code)] // each bench uses its own part of it

use std::io::Write;
use std::path::Path;
use vekil::model::{Client, EvidenceNote, Incident, IncidentType};
use vekil::secret::Passphrase;
use vekil::vault::{Vault, VaultOptions};

pub const FACILITIES: &[&str] = &[
    "Baku Pre-trial Detention Centre No. 1",
    "Bakı İVS No. 2",
    "Gəncə İstintaq Təcridxanası",
    "Şəki Temporary Detention",
    "Lənkəran SIZO",
];
pub const REASONS: &[&str] = &[
    "The investigator has not given permission",
    "Müstəntiqin icazəsi yoxdur",
    "Свидание не разрешено следователем",
];

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Fills a vault with `n` incidents of 200 clients and `mb` MB of
/// attachments (10 MB files of pseudo-random bytes, so nothing compresses).
pub fn fill(dir: &Path, pass: &Passphrase, n: usize, mb: usize, scratch: &Path) {
    let (v, _) = Vault::create_with(dir, pass, &VaultOptions::default()).unwrap();
    let clients: Vec<uuid::Uuid> = (0..200)
        .map(|i| {
            v.insert(Client::new(format!("Məmmədov {i}"), format!("C-{i:03}")))
                .unwrap()
                .id
        })
        .collect();
    let base = chrono::DateTime::parse_from_rfc3339("2021-01-01T09:00:00+04:00").unwrap();
    let mut first_incident = None;
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(10_000);
        let ids = v
            .write(|w| {
                let mut ids = vec![];
                for i in done..done + batch {
                    let mut inc = Incident::quick(
                        clients[i % clients.len()],
                        FACILITIES[i % FACILITIES.len()],
                        base + chrono::Duration::minutes(i as i64 * 7),
                        IncidentType::AccessDenied,
                    );
                    inc.reason_given = format!("{} (ref {i})", REASONS[i % REASONS.len()]);
                    ids.push(w.insert(inc)?.id);
                }
                Ok(ids)
            })
            .unwrap();
        first_incident.get_or_insert(ids[0]);
        done += batch;
    }
    let mut note = EvidenceNote::new("Yazılı imtina, skan");
    note.incident_ids = first_incident.into_iter().collect();
    let note = v.insert(note).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; 1 << 20];
    for f in 0..mb.div_ceil(10) {
        let path = scratch.join(format!("scan-{f}.bin"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for _ in 0..10 {
            for chunk in block.chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            out.write_all(&block).unwrap();
        }
        drop(out);
        v.attach_file(note.id, &path).unwrap();
        std::fs::remove_file(&path).unwrap();
    }
    v.close().unwrap();
}

pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_bytes(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
