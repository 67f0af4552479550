//! Travel mode: seal a vault so that only custodians the lawyer chose can
//! release it, offline, without ever seeing the data.
//!
//! A lawyer who crosses a border or expects a search can be coerced into
//! typing a passphrase. Sealing makes that pointless: the database key is
//! split among custodians (age X25519 recipients from the address book;
//! with several, any K of N by Shamir secret sharing), each share is
//! encrypted to its custodian, and both key files (passphrase, recovery
//! code) are destroyed. The lawyer then truthfully cannot open the vault.
//!
//! Release runs over any channel, in three files:
//!
//! 1. [`request`] (lawyer): a one-time age key pair is made inside the vault
//!    folder; the request carries its public key and the sealed shares, and
//!    a confirmation code the lawyer reads to each custodian by phone.
//! 2. [`release`] (custodian): shows the code, decrypts the custodian's share
//!    and re-encrypts it to the one-time key. The custodian sees no case data.
//! 3. [`open`] (lawyer): K releases are checked one by one against digests
//!    kept at sealing time, combined, checked against the key, proven on the
//!    database, and only then are new key files written (a new passphrase
//!    and a new recovery code) and the one-time key destroyed.
//!
//! The sealed state is the `sealed` section of `vault.json`; its presence
//! alone makes every unlock refuse. The section is written before the key
//! files are destroyed and removed only after new ones exist, so a crash at
//! any point leaves a vault that is either sealed (and releasable) or
//! open, never one without a key. Formats: docs/formats/travel.md; threat
//! model and practice: docs/design/travel.md.

mod error;
mod formats;
mod release;

pub use error::TravelError;
pub use release::{read_request, release, ReleaseReceipt, RequestInfo};

use super::erase;
use super::fsutil;
use super::header::Header;
use super::keyfile::{self, Unwrap};
use super::lock::VaultLock;
use super::{Vault, VaultError, HEADER_FILE, PASSPHRASE_KEY_FILE, RECOVERY_KEY_FILE};
use crate::secret::{DbKey, Passphrase, RecoveryCode};
use chrono::{DateTime, Utc};
use formats::{RequestFile, RequestShare, ShareText};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use uuid::Uuid;
use zeroize::Zeroizing;

/// Result of travel operations.
pub type Result<T> = std::result::Result<T, TravelError>;

/// Folder inside the vault with the sealed shares and the one-time key.
pub(crate) const TRAVEL_DIR: &str = "travel";

/// The `sealed` section of `vault.json`. Nothing in it is secret: the
/// shares themselves are in `travel/`, encrypted to their custodians.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sealed {
    /// New for every seal, so releases made for an earlier one are refused.
    pub seal_id: Uuid,
    pub sealed_at: DateTime<Utc>,
    /// How many custodians must release (K).
    pub threshold: u8,
    /// HMAC-SHA256 keyed with the database key: tells a wrong combination
    /// apart before the database is touched.
    pub key_check: String,
    pub custodians: Vec<SealedCustodian>,
    /// The release request in progress, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<PendingRequest>,
}

/// One custodian and the digest of the share sealed to them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SealedCustodian {
    /// Shamir x-coordinate, 1..=N.
    pub index: u8,
    pub name: String,
    pub age_public_key: String,
    pub fingerprint: String,
    /// Relative to the vault folder.
    pub share_file: String,
    /// SHA-256 of the share, so a forged release is named on its own.
    pub share_check: String,
}

/// A request whose one-time key is in `travel/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingRequest {
    pub request_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub one_time_public_key: String,
}

impl PendingRequest {
    fn key_file(&self) -> String {
        format!("{TRAVEL_DIR}/one-time-{}.key", self.request_id)
    }
}

/// A custodian as the lawyer sees it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Custodian {
    /// Name in the address book.
    pub name: String,
    /// Key fingerprint, for comparing by phone.
    pub fingerprint: String,
}

/// A pending release request: what to tell the custodians.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PendingRelease {
    /// The code to read to each custodian (15 digits in groups of three).
    pub code: String,
    /// When the request was made (RFC 3339).
    pub created_at: String,
}

/// What the window and `vekil travel status` show of a sealed vault.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TravelStatus {
    /// When it was sealed (RFC 3339).
    pub sealed_at: String,
    /// How many custodians must release it.
    pub threshold: u8,
    /// Everyone holding a share.
    pub custodians: Vec<Custodian>,
    /// The request in progress, if one was made.
    pub request: Option<PendingRelease>,
}

impl TravelStatus {
    fn of(header: &Header, s: &Sealed) -> Self {
        Self {
            sealed_at: rfc3339(&s.sealed_at),
            threshold: s.threshold,
            custodians: s
                .custodians
                .iter()
                .map(|c| Custodian {
                    name: c.name.clone(),
                    fingerprint: c.fingerprint.clone(),
                })
                .collect(),
            request: s.request.as_ref().map(|r| PendingRelease {
                code: formats::confirmation_code(
                    &header.vault_id,
                    &s.seal_id,
                    &r.request_id,
                    &r.one_time_public_key,
                ),
                created_at: rfc3339(&r.created_at),
            }),
        }
    }
}

fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The sealed state of the vault in `dir`, or `None` if it is not sealed.
pub fn status(dir: &Path) -> Result<Option<TravelStatus>> {
    let header = Header::load(&dir.join(HEADER_FILE))?;
    Ok(header.sealed.as_ref().map(|s| TravelStatus::of(&header, s)))
}

/// Seals the open vault for travel. The caller then drops `vault` (the
/// window goes to its "sealed" screen); until then it stays usable, since
/// the database key it holds is unchanged. On any error nothing changed
/// and the vault stays open.
///
/// `passphrase` is asked once more (the vault being open is not enough: a
/// seal cannot be undone without the custodians). Custodians are names
/// from the address book; with more than one, `threshold` (K) must be
/// given. On success the passphrase and recovery-code key files are gone.
pub fn seal(
    vault: &Vault,
    passphrase: &Passphrase,
    custodians: &[String],
    threshold: Option<u8>,
) -> Result<TravelStatus> {
    vault.ensure_writable()?;
    let dir = vault.dir.clone();
    // The header as Vekil last sealed it (never a copy changed behind the
    // vault's back), sealed again with the travel section below.
    let mut header = vault.trusted_header()?;
    if header.sealed.is_some() {
        return Err(TravelError::AlreadySealed);
    }
    let chosen = resolve_custodians(vault, custodians)?;
    let n = chosen.len();
    let threshold = match threshold {
        Some(k) => k,
        None if n == 1 => 1,
        None => return Err(TravelError::ThresholdRequired(n)),
    };
    if threshold == 0 || usize::from(threshold) > n {
        return Err(TravelError::BadThreshold {
            threshold,
            custodians: n,
        });
    }

    // Asked once more: a seal cannot be undone without the custodians.
    let key = match keyfile::unwrap(
        &dir.join(PASSPHRASE_KEY_FILE),
        passphrase.to_secret_string(),
        &header.key_files.passphrase_sha256,
    )? {
        Unwrap::Key(k) => k,
        Unwrap::WrongSecret => {
            return Err(VaultError::WrongPassphrase { failed_attempts: 0 }.into())
        }
    };

    let seal_id = Uuid::new_v4();
    let shares = split(&key, threshold, n)?;
    let mut sealed_files = Vec::with_capacity(n);
    let mut custodian_entries = Vec::with_capacity(n);
    for ((recipient, parsed), (index, y)) in chosen.iter().zip(shares.iter()) {
        let text = ShareText {
            format: formats::SHARE_FORMAT.into(),
            version: formats::VERSION,
            note: formats::SHARE_NOTE.into(),
            vault_id: header.vault_id,
            seal_id,
            custodian: recipient.name.clone(),
            index: *index,
            threshold,
            custodians: u8::try_from(n).map_err(|_| TravelError::TooManyCustodians)?,
            share: hex::encode(y.as_slice()),
        };
        let json = Zeroizing::new(
            serde_json::to_vec_pretty(&text).map_err(|e| TravelError::Crypto(e.to_string()))?,
        );
        let share_file = format!("{TRAVEL_DIR}/share-{index}.age");
        sealed_files.push((share_file.clone(), formats::seal_to(parsed, &json)?));
        custodian_entries.push(SealedCustodian {
            index: *index,
            name: recipient.name.clone(),
            age_public_key: recipient.age_public_key.clone(),
            fingerprint: recipient.fingerprint.clone(),
            share_file,
            share_check: share_check(&seal_id, *index, y),
        });
    }

    // The open vault holds the lock until the caller drops it.
    let travel = dir.join(TRAVEL_DIR);
    if travel.exists() {
        // Left by an interrupted seal or release: nothing in it is current.
        clear_travel_dir(&dir)?;
    }
    fsutil::create_private_dir(&travel)?;
    for (name, armored) in &sealed_files {
        fsutil::write_atomic(&dir.join(name), armored.as_bytes())?;
    }
    let sealed = Sealed {
        seal_id,
        sealed_at: Utc::now(),
        threshold,
        key_check: key_check(&key, &seal_id)?,
        custodians: custodian_entries,
        request: None,
    };
    header.sealed = Some(sealed);
    header.unlock.reset_wait();
    // The commit point: from here on no unlock is attempted.
    vault.write_header(&mut header)?;
    finish_seal(&dir)?;
    status(&dir)?.ok_or(TravelError::NotSealed)
}

/// Destroys key files that a sealed vault must not have: what an
/// interrupted seal did not get to, or what an interrupted release wrote
/// before its header change. Called on every unlock attempt of a sealed
/// vault, under the vault lock.
pub(crate) fn finish_seal(dir: &Path) -> Result<()> {
    let mut any = false;
    for name in [PASSPHRASE_KEY_FILE, RECOVERY_KEY_FILE] {
        let p = dir.join(name);
        if p.is_file() {
            erase::destroy(&p)?;
            any = true;
        }
    }
    if any {
        erase::sync_dir(dir)?;
    }
    Ok(())
}

/// Custodians by name from the address book, with their parsed keys.
fn resolve_custodians(
    vault: &Vault,
    names: &[String],
) -> Result<Vec<(crate::export::Recipient, age::x25519::Recipient)>> {
    if names.is_empty() {
        return Err(TravelError::NoCustodian);
    }
    if names.len() > 255 {
        return Err(TravelError::TooManyCustodians);
    }
    let mut out: Vec<(crate::export::Recipient, age::x25519::Recipient)> = vec![];
    for name in names {
        let r = crate::export::recipients::get(vault, name)?;
        if out
            .iter()
            .any(|(o, _)| o.name == r.name || o.age_public_key == r.age_public_key)
        {
            return Err(TravelError::DuplicateCustodian(r.name));
        }
        let parsed = crate::export::recipients::parse_key(&r.name, &r.age_public_key)?;
        out.push((r, parsed));
    }
    Ok(out)
}

/// Splits the key into `n` shares of which any `k` recover it; returns
/// (x-coordinate, y-values). With K = 1 every custodian's share is the key
/// itself (a constant polynomial), which the Shamir crate does not offer.
fn split(key: &DbKey, k: u8, n: usize) -> Result<Vec<(u8, Zeroizing<Vec<u8>>)>> {
    if k == 1 {
        return (1..=n)
            .map(|i| {
                let x = u8::try_from(i).map_err(|_| TravelError::TooManyCustodians)?;
                Ok((x, Zeroizing::new(key.bytes().to_vec())))
            })
            .collect();
    }
    let shares = Zeroizing::new(
        vsss_rs::Gf256::split_array(usize::from(k), n, key.bytes(), rand::rngs::OsRng)
            .map_err(|e| TravelError::Crypto(format!("splitting the key failed: {e}")))?,
    );
    shares
        .iter()
        .map(|s| match s.split_first() {
            Some((&x, y)) if x != 0 && y.len() == 32 => Ok((x, Zeroizing::new(y.to_vec()))),
            _ => Err(TravelError::Crypto(
                "splitting the key gave a malformed share".into(),
            )),
        })
        .collect()
}

/// Recovers the key from at least K verified shares.
fn combine(k: u8, shares: &BTreeMap<u8, Zeroizing<Vec<u8>>>) -> Result<DbKey> {
    let bytes: Zeroizing<Vec<u8>> = if k == 1 {
        let Some(first) = shares.values().next() else {
            return Err(TravelError::TooFewReleases { have: 0, need: k });
        };
        first.clone()
    } else {
        let points = Zeroizing::new(
            shares
                .iter()
                .map(|(x, y)| {
                    let mut p = Vec::with_capacity(33);
                    p.push(*x);
                    p.extend_from_slice(y);
                    p
                })
                .collect::<Vec<_>>(),
        );
        Zeroizing::new(
            vsss_rs::Gf256::combine_array(&*points).map_err(|_| TravelError::KeyMismatch)?,
        )
    };
    let hex_text = Zeroizing::new(hex::encode(bytes.as_slice()));
    DbKey::from_hex(hex_text.as_bytes()).ok_or(TravelError::KeyMismatch)
}

fn share_check(seal_id: &Uuid, index: u8, y: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"vekil/travel/share-check/v1\0");
    h.update(seal_id.as_bytes());
    h.update([index]);
    h.update(y);
    hex::encode(h.finalize())
}

fn key_check(key: &DbKey, seal_id: &Uuid) -> Result<String> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.bytes())
        .map_err(|e| TravelError::Crypto(e.to_string()))?;
    mac.update(b"vekil/travel/key-check/v1\0");
    mac.update(seal_id.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Loads the header under the vault lock; the lock is held by the caller
/// for as long as it changes anything.
fn locked_header(dir: &Path) -> Result<(VaultLock, Header)> {
    let path = dir.join(HEADER_FILE);
    Header::load(&path)?;
    let lock = VaultLock::acquire(dir)?;
    Ok((lock, Header::load(&path)?))
}

/// Makes a release request: a new one-time key pair inside the vault
/// folder and, at `out`, the file to send to the custodians. A request
/// made earlier is replaced (its one-time key destroyed), so releases made
/// for it no longer open the vault.
pub fn request(dir: &Path, out: &Path) -> Result<PendingRelease> {
    let (lock, mut header) = locked_header(dir)?;
    let vault_id = header.vault_id;
    let sealed = header.sealed.as_mut().ok_or(TravelError::NotSealed)?;
    finish_seal(dir)?;
    let mut shares = Vec::with_capacity(sealed.custodians.len());
    for c in &sealed.custodians {
        let path = dir.join(&c.share_file);
        let text = String::from_utf8(fsutil::read(&path)?).map_err(|_| {
            VaultError::corrupt(&path, "the sealed share is not an armored age file")
        })?;
        shares.push(RequestShare {
            index: c.index,
            custodian: c.name.clone(),
            fingerprint: c.fingerprint.clone(),
            sealed: text,
        });
    }
    let identity = age::x25519::Identity::generate();
    let pending = PendingRequest {
        request_id: Uuid::new_v4(),
        created_at: Utc::now(),
        one_time_public_key: identity.to_public().to_string(),
    };
    let file = RequestFile {
        format: formats::REQUEST_FORMAT.into(),
        version: formats::VERSION,
        vault_id,
        seal_id: sealed.seal_id,
        request_id: pending.request_id,
        created_at: pending.created_at,
        one_time_public_key: pending.one_time_public_key.clone(),
        threshold: sealed.threshold,
        shares,
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| TravelError::Crypto(e.to_string()))?;
    // The output first: a wrong path must change nothing in the vault.
    std::fs::write(out, &json).map_err(|source| TravelError::Io {
        path: out.into(),
        source,
    })?;
    fsutil::write_atomic(
        &dir.join(pending.key_file()),
        formats::identity_text(&identity).as_bytes(),
    )?;
    let old = sealed.request.replace(pending);
    let receipt = TravelStatus::of(
        &header,
        header.sealed.as_ref().ok_or(TravelError::NotSealed)?,
    )
    .request
    .ok_or(TravelError::NoRequest)?;
    header.store(&dir.join(HEADER_FILE))?;
    if let Some(old) = old {
        let p = dir.join(old.key_file());
        if p.is_file() {
            erase::destroy(&p)?;
            erase::sync_dir(&dir.join(TRAVEL_DIR))?;
        }
    }
    drop(lock);
    Ok(receipt)
}

/// A release file as handed over: where it came from (named in errors)
/// and its bytes. The window reads files the lawyer picks; the CLI reads
/// paths; both give the core the same thing.
#[derive(Debug, Clone)]
pub struct Release {
    /// File name or path, for messages.
    pub source: PathBuf,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

impl Release {
    /// Reads a release file (at most 256 KiB).
    pub fn read(path: &Path) -> Result<Self> {
        Ok(Self {
            source: path.into(),
            bytes: formats::read_small(path)?,
        })
    }
}

/// Checks releases as [`open`] would, without changing anything: lets a
/// caller refuse bad files before asking for a new passphrase.
pub fn check_releases(dir: &Path, releases: &[Release]) -> Result<()> {
    let (_lock, header) = locked_header(dir)?;
    verified_key(dir, &header, releases).map(|_| ())
}

/// Opens a sealed vault with K releases and a new passphrase. Returns the
/// open vault and a new recovery code, to be shown once.
///
/// Every release is checked before anything is written; any bad one is
/// refused with its file named, and the vault stays sealed and unchanged.
pub fn open(
    dir: &Path,
    releases: &[Release],
    new_passphrase: &Passphrase,
) -> Result<(Vault, RecoveryCode)> {
    new_passphrase.check_strength().map_err(VaultError::from)?;
    let (lock, on_disk) = locked_header(dir)?;
    // The pending request (written while sealed, so not under the header's
    // MAC) only names the one-time key; the releases are checked against
    // that key and the key check sealed with the rest.
    let key = verified_key(dir, &on_disk, releases)?;
    let access = super::access::decide(dir, &dir.join(super::DB_FILE), false);
    if let Some(reason) = access.reason() {
        return Err(VaultError::ReadOnly(reason.clone()).into());
    }
    // Prove the key on the database before anything is written.
    let vault = Vault::open_db(dir, Some(&key), &on_disk, lock, false, access)?;
    // Everything else comes from the header as Vekil sealed it.
    let mut header = vault.trusted_header()?;
    header.unlock = on_disk.unlock.clone();

    let code = RecoveryCode::generate();
    let log_n = keyfile::rewrap_factor(header.kdf_log_n, vault.kdf_floor);
    header.key_files.passphrase_sha256 = keyfile::wrap(
        &dir.join(PASSPHRASE_KEY_FILE),
        &key,
        new_passphrase.to_secret_string(),
        log_n,
    )?;
    header.key_files.recovery_sha256 = keyfile::wrap(
        &dir.join(RECOVERY_KEY_FILE),
        &key,
        code.to_secret_string(),
        log_n.min(keyfile::RECOVERY_KDF_LOG_N),
    )?;
    header.kdf_log_n = log_n;
    header.sealed = None;
    header.unlock.reset_wait();
    // The commit point: the vault is open again.
    vault.write_header(&mut header)?;
    clear_travel_dir(dir)?;
    Ok((vault, code))
}

/// The database key from K releases, each checked on its own, then the
/// combination checked against the key digest.
fn verified_key(dir: &Path, header: &Header, releases: &[Release]) -> Result<DbKey> {
    let sealed = header.sealed.as_ref().ok_or(TravelError::NotSealed)?;
    let pending = sealed.request.as_ref().ok_or(TravelError::NoRequest)?;
    let key_path = dir.join(pending.key_file());
    let identity_text = Zeroizing::new(
        String::from_utf8(fsutil::read(&key_path)?).map_err(|_| TravelError::NoRequest)?,
    );
    let identity = age::x25519::Identity::from_str(identity_text.trim())
        .map_err(|_| VaultError::corrupt(&key_path, "not an age identity; make a new request"))?;

    let mut shares: BTreeMap<u8, Zeroizing<Vec<u8>>> = BTreeMap::new();
    for r in releases {
        let (index, y) = check_release(r, header, sealed, pending, &identity)?;
        shares.insert(index, y);
    }
    if shares.len() < usize::from(sealed.threshold) {
        return Err(TravelError::TooFewReleases {
            have: shares.len(),
            need: sealed.threshold,
        });
    }
    let key = combine(sealed.threshold, &shares)?;
    if key_check(&key, &sealed.seal_id)? != sealed.key_check {
        return Err(TravelError::KeyMismatch);
    }
    Ok(key)
}

/// Checks one release against the sealed state; returns its verified share.
fn check_release(
    release: &Release,
    header: &Header,
    sealed: &Sealed,
    pending: &PendingRequest,
    identity: &age::x25519::Identity,
) -> Result<(u8, Zeroizing<Vec<u8>>)> {
    let (path, bytes) = (release.source.as_path(), &release.bytes);
    if bytes.len() as u64 > formats::MAX_FILE_BYTES {
        return Err(TravelError::NotTravelFile {
            path: path.into(),
            what: "release",
        });
    }
    let not_release = || TravelError::NotTravelFile {
        path: path.into(),
        what: "release",
    };
    let env: formats::ReleaseFile = serde_json::from_slice(bytes).map_err(|_| not_release())?;
    if env.format != formats::RELEASE_FORMAT || env.version != formats::VERSION {
        return Err(not_release());
    }
    if env.vault_id != header.vault_id {
        return Err(TravelError::ReleaseForAnotherVault(path.into()));
    }
    if env.seal_id != sealed.seal_id || env.request_id != pending.request_id {
        return Err(TravelError::ReleaseReplayed(path.into()));
    }
    let tampered = || TravelError::ReleaseTampered(path.into());
    let plain = formats::unseal(identity, &env.payload).map_err(|_| tampered())?;
    let p: formats::ReleasePayload = serde_json::from_slice(&plain).map_err(|_| tampered())?;
    if (p.vault_id, p.seal_id, p.request_id, p.index)
        != (env.vault_id, env.seal_id, env.request_id, env.index)
    {
        return Err(tampered());
    }
    let custodian = sealed
        .custodians
        .iter()
        .find(|c| c.index == p.index)
        .ok_or_else(tampered)?;
    let y = Zeroizing::new(hex::decode(p.share.as_str()).map_err(|_| tampered())?);
    if y.len() != 32 || share_check(&sealed.seal_id, p.index, &y) != custodian.share_check {
        return Err(tampered());
    }
    Ok((p.index, y))
}

/// Destroys everything in `travel/` (shares, one-time keys) and the folder.
fn clear_travel_dir(dir: &Path) -> Result<()> {
    let travel = dir.join(TRAVEL_DIR);
    let Ok(entries) = std::fs::read_dir(&travel) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_file() {
            erase::destroy(&p)?;
        }
    }
    erase::sync_dir(&travel)?;
    std::fs::remove_dir(&travel).map_err(|e| VaultError::io(&travel, e))?;
    erase::sync_dir(dir)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any K of N shares give the key back; the order and choice of
        /// custodians does not matter.
        #[test]
        fn any_k_of_n_shares_recover_the_key(n in 1usize..8, k_seed in 0u8..8, pick_seed in any::<u64>()) {
            let k = 1 + k_seed % u8::try_from(n).unwrap();
            let key = DbKey::generate();
            let shares = split(&key, k, n).unwrap();
            let mut order: Vec<usize> = (0..n).collect();
            let mut s = pick_seed;
            for i in (1..n).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                order.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let chosen: BTreeMap<u8, Zeroizing<Vec<u8>>> = order[..usize::from(k)]
                .iter()
                .map(|&i| (shares[i].0, shares[i].1.clone()))
                .collect();
            let back = combine(k, &chosen).unwrap();
            prop_assert_eq!(back.bytes(), key.bytes());
        }
    }

    #[test]
    fn fewer_than_k_shares_do_not_give_the_key() {
        let key = DbKey::generate();
        let shares = split(&key, 3, 5).unwrap();
        let two: BTreeMap<u8, Zeroizing<Vec<u8>>> =
            shares[..2].iter().map(|(x, y)| (*x, y.clone())).collect();
        let wrong = combine(3, &two).unwrap();
        assert_ne!(wrong.bytes(), key.bytes());
        assert_ne!(
            key_check(&wrong, &Uuid::nil()).unwrap(),
            key_check(&key, &Uuid::nil()).unwrap()
        );
    }

    #[test]
    fn no_single_share_of_a_k_2_split_is_the_key() {
        let key = DbKey::generate();
        for (_, y) in split(&key, 2, 3).unwrap() {
            assert_ne!(y.as_slice(), key.bytes().as_slice());
        }
    }
}
