//! Legal standards an incident engages, as tags.
//!
//! Each tag names one provision that NGOs cite in submissions to UN
//! mechanisms, the Council of Europe and the ECtHR. The plain-words
//! explanation is what the desktop form shows beside the checkbox.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A provision engaged by an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum LegalStandard {
    /// UN Basic Principles on the Role of Lawyers, principle 8.
    #[serde(rename = "un_bprl_8")]
    UnBprl8,
    /// UN Basic Principles on the Role of Lawyers, principle 16.
    #[serde(rename = "un_bprl_16")]
    UnBprl16,
    /// UN Basic Principles on the Role of Lawyers, principle 17.
    #[serde(rename = "un_bprl_17")]
    UnBprl17,
    /// UN Basic Principles on the Role of Lawyers, principle 18.
    #[serde(rename = "un_bprl_18")]
    UnBprl18,
    /// UN Basic Principles on the Role of Lawyers, principle 21.
    #[serde(rename = "un_bprl_21")]
    UnBprl21,
    /// ICCPR article 9.
    #[serde(rename = "iccpr_9")]
    Iccpr9,
    /// ICCPR article 14(3)(b).
    #[serde(rename = "iccpr_14_3_b")]
    Iccpr14_3b,
    /// ICCPR article 14(3)(d).
    #[serde(rename = "iccpr_14_3_d")]
    Iccpr14_3d,
    /// ECHR article 5.
    #[serde(rename = "echr_5")]
    Echr5,
    /// ECHR article 6(3)(b).
    #[serde(rename = "echr_6_3_b")]
    Echr6_3b,
    /// ECHR article 6(3)(c).
    #[serde(rename = "echr_6_3_c")]
    Echr6_3c,
    /// ECHR article 8.
    #[serde(rename = "echr_8")]
    Echr8,
    /// ECHR article 34.
    #[serde(rename = "echr_34")]
    Echr34,
    /// CPT standards on access to a lawyer.
    #[serde(rename = "cpt")]
    Cpt,
}

impl LegalStandard {
    /// Every tag, in display order.
    pub const ALL: [LegalStandard; 14] = [
        Self::UnBprl8,
        Self::UnBprl16,
        Self::UnBprl17,
        Self::UnBprl18,
        Self::UnBprl21,
        Self::Iccpr9,
        Self::Iccpr14_3b,
        Self::Iccpr14_3d,
        Self::Echr5,
        Self::Echr6_3b,
        Self::Echr6_3c,
        Self::Echr8,
        Self::Echr34,
        Self::Cpt,
    ];

    /// Short citation, as written in submissions.
    pub fn citation(self) -> &'static str {
        match self {
            Self::UnBprl8 => "UN Basic Principles on the Role of Lawyers, principle 8",
            Self::UnBprl16 => "UN Basic Principles on the Role of Lawyers, principle 16",
            Self::UnBprl17 => "UN Basic Principles on the Role of Lawyers, principle 17",
            Self::UnBprl18 => "UN Basic Principles on the Role of Lawyers, principle 18",
            Self::UnBprl21 => "UN Basic Principles on the Role of Lawyers, principle 21",
            Self::Iccpr9 => "ICCPR art. 9",
            Self::Iccpr14_3b => "ICCPR art. 14(3)(b)",
            Self::Iccpr14_3d => "ICCPR art. 14(3)(d)",
            Self::Echr5 => "ECHR art. 5",
            Self::Echr6_3b => "ECHR art. 6(3)(b)",
            Self::Echr6_3c => "ECHR art. 6(3)(c)",
            Self::Echr8 => "ECHR art. 8",
            Self::Echr34 => "ECHR art. 34",
            Self::Cpt => "CPT standards (access to a lawyer)",
        }
    }

    /// What the provision protects, in plain words.
    pub fn plain_words(self) -> &'static str {
        match self {
            Self::UnBprl8 => "Detained people may meet and talk with their lawyer without delay, interception or censorship, in full confidentiality.",
            Self::UnBprl16 => "Lawyers must be able to work without intimidation, hindrance, harassment or improper interference.",
            Self::UnBprl17 => "Lawyers whose security is threatened because of their work must be protected by the authorities.",
            Self::UnBprl18 => "Lawyers must not be identified with their clients or their clients' causes.",
            Self::UnBprl21 => "Lawyers must be given access to the information and files they need, early enough to defend effectively.",
            Self::Iccpr9 => "Right to liberty: no arbitrary arrest or detention; prompt appearance before a judge.",
            Self::Iccpr14_3b => "Adequate time and facilities to prepare a defence and to talk with counsel of one's choosing.",
            Self::Iccpr14_3d => "Right to defend oneself through legal assistance of one's own choosing.",
            Self::Echr5 => "Right to liberty and security; lawful, reviewed detention.",
            Self::Echr6_3b => "Adequate time and facilities to prepare the defence.",
            Self::Echr6_3c => "Right to a lawyer of one's own choosing, from the first questioning.",
            Self::Echr8 => "Private life and correspondence, including confidential lawyer-client communication.",
            Self::Echr34 => "No hindrance of the right to apply to the European Court of Human Rights.",
            Self::Cpt => "The CPT's safeguard that everyone in police custody has access to a lawyer from the very outset.",
        }
    }
}
