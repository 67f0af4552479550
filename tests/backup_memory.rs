//! A backup's memory is that of its streaming, not of a key derivation
//! (issue 10, point 5: "memory stays under 200 MB").
//!
//! Its own test binary, with one test, so that no other test's memory is
//! counted. The vault uses the real work factor (scrypt at 2^19, 512 MiB),
//! as the app's does. The peak resident memory (`VmHWM`) is reset after
//! the unlock, as in `benches/backup.rs`; then a backup sealed to an age
//! key is written. It still asks for the passphrase, but since the unlock
//! in this process saw it, checking it costs no scrypt. Before that
//! change, the check unwrapped the key file again and the backup's peak
//! grew by 512 MiB whatever the size of the vault.

mod common;

use vekil::model::{Client, Incident, IncidentType};
use vekil::secret::Passphrase;
use vekil::vault::backup::{self, Seal};
use vekil::vault::Vault;

/// Growth allowed: the streaming's buffers and page cache (84–97 MiB at
/// 100,000 incidents in the bench), far below one scrypt at 2^19.
const BOUND_MIB: u64 = 150;

fn pass() -> Passphrase {
    Passphrase::new("Gəncə məhkəməsi, mart 2025".into())
}

#[test]
fn a_backup_to_an_age_key_costs_no_key_derivation_after_unlock() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("vault");
    {
        let (v, _code) = Vault::create(&dir, &pass()).expect("create");
        let c = v
            .insert(Client::new("Rəşad Qasımlı", "C-001"))
            .expect("client");
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-06T09:30:00+04:00").expect("date");
        v.insert(Incident::quick(
            c.id,
            "Kürdəxanı İstintaq Təcridxanası",
            at,
            IncidentType::AccessDenied,
        ))
        .expect("incident");
    }
    let v = Vault::unlock(&dir, &pass()).expect("unlock");
    let colleague = age::x25519::Identity::generate().to_public().to_string();

    // The unlock's scrypt is behind us: count from here.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let before = common::status_kib("VmRSS:");

    let out = tmp.path().join("backup.age");
    let seal = Seal::Recipients {
        passphrase: pass(),
        to: vec![colleague],
    };
    backup::write(&v, &seal, &out, &mut |_| {}).expect("backup");
    assert!(out.exists());

    let growth_mib = common::status_kib("VmHWM:").saturating_sub(before) / 1024;
    eprintln!("peak memory grew by {growth_mib} MiB during the backup");
    assert!(
        growth_mib < BOUND_MIB,
        "peak memory grew by {growth_mib} MiB during a backup to an age key, more than {BOUND_MIB} MiB"
    );

    // The check is still a check: a wrong passphrase writes nothing.
    let refused = tmp.path().join("refused.age");
    let wrong = Seal::Recipients {
        passphrase: Passphrase::new("Gence mehkemesi, mart 2025".into()),
        to: vec![age::x25519::Identity::generate().to_public().to_string()],
    };
    assert!(matches!(
        backup::write(&v, &wrong, &refused, &mut |_| {}),
        Err(backup::BackupError::WrongPassphrase)
    ));
    assert!(!refused.exists());
}
