//! Text as the lawyer's languages write it: Azerbaijani Latin, Russian
//! Cyrillic, English transliterations, and names typed in any Unicode
//! normalisation form.
//!
//! Vekil never rewrites what a lawyer typed; this module only derives the
//! forms that matching needs (search, the export's re-identification
//! check), so that "QASIMLI", "Qasımlı" and a decomposed "Qasımlı" are the
//! same word to the machine while each stays as written on screen, and so
//! that "Кюрдаханы" and "Kurdakhany" find "Kürdəxanı".
//!
//! - [`fold`]: one lower-case, mark-free form per word.
//! - [`translit`]: one spelling-independent sound key per word.
//! - [`vocabulary`]: concepts that are translated rather than spelt
//!   (суд = məhkəmə = court, Бакинский = Bakı, СИЗО).
//! - [`keys`]: all of the above for each word of a text, with its place in
//!   the original.

pub mod fold;
pub mod keys;
pub mod translit;
pub mod vocabulary;

pub use fold::{fold, fold_char, words};
pub use keys::{keyed_words, name_key, WordKeys};
pub use translit::{sound_key, sound_keys};
