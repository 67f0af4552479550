//! Process hygiene: what the CLI and the desktop app do first, before any
//! secret is in memory.
//!
//! A core dump of a process holding an unlocked vault would write the
//! database key and decrypted pages to disk (for `systemd-coredump`, into
//! the journal), which is exactly the plaintext-on-disk the vault exists
//! to prevent. So the process makes itself non-dumpable
//! (`PR_SET_DUMPABLE` 0: no core file, and other processes of the same
//! user can no longer attach with ptrace or read its memory through
//! `/proc/<pid>/mem`) and sets its core-file size limit to zero, which
//! also holds for any child it starts. Both through rustix's safe
//! wrappers; the core forbids `unsafe`.
//!
//! Not covered: root (who can read any memory), hibernation images and
//! swap (use encrypted swap), and the kernel's copy of the environment the
//! process was started with.

/// Why hardening failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HardenError {
    /// The kernel refused one of the settings.
    #[error("could not {what} ({source}); a crash of this process could write vault data to disk, so do not leave the vault open unattended")]
    Refused {
        /// What was being set.
        what: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// Makes this process non-dumpable and limits its core files to zero
/// bytes. Call it first in `main`, before any secret is read.
pub fn harden() -> Result<(), HardenError> {
    use rustix::process::{setrlimit, Resource, Rlimit};
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .map_err(|e| HardenError::Refused {
        what: "turn off core dumps",
        source: e.into(),
    })?;
    #[cfg(target_os = "linux")]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .map_err(|e| HardenError::Refused {
            what: "make the process non-dumpable",
            source: e.into(),
        })?;
    Ok(())
}
