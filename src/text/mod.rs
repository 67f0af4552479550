//! Text as the lawyer's languages write it: Azerbaijani Latin, Russian
//! Cyrillic, and names typed in any Unicode normalisation form.
//!
//! Vekil never rewrites what a lawyer typed; this module only derives the
//! forms that matching needs (search, the export's re-identification
//! check), so that "QASIMLI", "Qasımlı" and a decomposed "Qasımlı" are the
//! same word to the machine while each stays as written on screen.

pub mod fold;

pub use fold::{fold, fold_char, words};
