//! The reader's language for reports: the PDF and the CSV's label columns.
//!
//! A report goes to a UN body, a bar association or a court in Baku, so it
//! is written in the language chosen at export (English, Azerbaijani or
//! Russian; the desktop app defaults to its own). Only what a person reads
//! is translated: JSON keys, CSV column names and codes stay the same in
//! every language so that programs can read them. The incident type labels
//! are the desktop app's own (`ui/src/lib/i18n`); a test keeps them equal.

use crate::model::{IncidentType, RecordStatus, WitnessKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A report language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Azerbaijani (Latin script).
    Az,
    /// Russian.
    Ru,
}

/// Words a report uses, in one language.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    IncidentLog,
    IncidentReport,
    Subtitle,
    Summary,
    Number,
    Date,
    Client,
    Facility,
    Type,
    DateAndTime,
    Authority,
    HoursSinceArrest,
    AccessRequested,
    Refused,
    MeetingTookPlace,
    MinutesWaited,
    Officials,
    ReasonGiven,
    WrittenRefusal,
    LegalBasisCited,
    MeetingConditions,
    ClientCondition,
    Witnesses,
    Remedies,
    Filed,
    StandardsEngaged,
    DomesticProvisions,
    Notes,
    Record,
    Revision,
    Yes,
    No,
    Period,
    PeriodTo,
    PeriodFrom,
    PeriodUntil,
    NoIncidents,
    Incidents,
    Generated,
    Profile,
    ProfileFull,
    ProfileNgo,
    ProfilePublic,
    PreparedFor,
    SourceVault,
    CoverNote,
    Page,
    Of,
    Bundle,
    NotInBundle,
    FacilityWithheld,
}

impl Lang {
    /// The word in this language.
    pub fn word(self, w: Word) -> &'static str {
        use Word::*;
        let [en, az, ru] = match w {
            IncidentLog => ["Incident log", "Hadisələr jurnalı", "Журнал инцидентов"],
            IncidentReport => ["Incident report", "Hadisə haqqında hesabat", "Отчёт об инциденте"],
            Subtitle => [
                "Denials of access to a lawyer and interference with defence work",
                "Vəkilə çıxışın rədd edilməsi və müdafiə fəaliyyətinə müdaxilə",
                "Отказы в доступе к адвокату и вмешательство в работу защиты",
            ],
            Summary => ["Summary", "Xülasə", "Сводка"],
            Number => ["#", "№", "№"],
            Date => ["Date", "Tarix", "Дата"],
            Client => ["Client", "Müştəri", "Клиент"],
            Facility => ["Facility", "Müəssisə", "Учреждение"],
            Type => ["Type", "Növ", "Тип"],
            DateAndTime => ["Date and time", "Tarix və vaxt", "Дата и время"],
            Authority => ["Authority", "Orqan", "Орган"],
            HoursSinceArrest => ["Hours since arrest", "Həbsdən keçən saatlar", "Часов с момента задержания"],
            AccessRequested => ["Access requested", "Görüş tələb olundu", "Запрошено свидание"],
            Refused => ["Refused", "Rədd edildi", "Отказано"],
            MeetingTookPlace => ["Meeting took place", "Görüş baş tutdu", "Свидание состоялось"],
            MinutesWaited => ["Minutes waited", "Gözləmə (dəqiqə)", "Ожидание (минут)"],
            Officials => ["Officials", "Vəzifəli şəxslər", "Должностные лица"],
            ReasonGiven => ["Reason given (verbatim)", "Göstərilən səbəb (hərfi)", "Названная причина (дословно)"],
            WrittenRefusal => ["Written refusal", "Yazılı imtina", "Письменный отказ"],
            LegalBasisCited => ["Legal basis cited", "İstinad edilən hüquqi əsas", "Указанное правовое основание"],
            MeetingConditions => ["Meeting conditions", "Görüşün şəraiti", "Условия свидания"],
            ClientCondition => ["Client's condition", "Müştərinin vəziyyəti", "Состояние клиента"],
            Witnesses => ["Witnesses", "Şahidlər", "Свидетели"],
            Remedies => ["Remedies", "Şikayətlər", "Жалобы"],
            Filed => ["filed", "verilib", "подана"],
            StandardsEngaged => ["Standards engaged", "Toxunulan standartlar", "Затронутые стандарты"],
            DomesticProvisions => ["Domestic provisions", "Daxili qanun maddələri", "Нормы национального права"],
            Notes => ["Notes", "Qeydlər", "Заметки"],
            Record => ["Record", "Qeyd", "Запись"],
            Revision => ["revision", "redaksiya", "редакция"],
            Yes => ["yes", "bəli", "да"],
            No => ["no", "xeyr", "нет"],
            Period => ["Period", "Dövr", "Период"],
            PeriodTo => ["to", "—", "—"],
            PeriodFrom => ["from", "başlanğıc:", "с"],
            PeriodUntil => ["until", "son:", "по"],
            NoIncidents => ["no incidents", "hadisə yoxdur", "инцидентов нет"],
            Incidents => ["Incidents", "Hadisələr", "Инциденты"],
            Generated => ["Generated", "Yaradılıb", "Создан"],
            Profile => ["Profile", "Profil", "Профиль"],
            ProfileFull => ["full (lawyer's own record)", "tam (vəkilin öz qeydi)", "полный (собственная запись адвоката)"],
            ProfileNgo => [
                "NGO confidential (clients by pseudonym)",
                "QHT üçün məxfi (müştərilər təxəllüslə)",
                "конфиденциально для НПО (клиенты под псевдонимами)",
            ],
            ProfilePublic => ["public report", "açıq hesabat", "публичный отчёт"],
            PreparedFor => ["Prepared for", "Kimin üçün", "Подготовлено для"],
            SourceVault => ["Source vault", "Mənbə seyf", "Исходное хранилище"],
            CoverNote => [
                "Each incident was recorded by the defence lawyer at the time, in an encrypted case-file \
                 vault. Records carry stable identifiers and revision numbers; inside a bundle, this \
                 report is listed with its SHA-256 in the signed manifest named in the footer.",
                "Hər hadisə baş verdiyi vaxt müdafiəçi vəkil tərəfindən şifrələnmiş iş seyfində qeydə \
                 alınıb. Qeydlərin sabit identifikatorları və redaksiya nömrələri var; paketin içində bu \
                 hesabat alt hissədə adı çəkilən imzalı manifestdə SHA-256 ilə göstərilib.",
                "Каждый инцидент записан адвокатом защиты в момент события в зашифрованном хранилище \
                 дел. У записей постоянные идентификаторы и номера редакций; внутри пакета этот отчёт \
                 указан со своим SHA-256 в подписанном манифесте, названном в колонтитуле.",
            ],
            Page => ["Page", "Səhifə", "Страница"],
            Of => ["of", "/", "из"],
            Bundle => ["Bundle", "Paket", "Пакет"],
            NotInBundle => ["Not part of a signed bundle", "İmzalı paketin hissəsi deyil", "Не входит в подписанный пакет"],
            FacilityWithheld => ["(facility withheld)", "(müəssisə gizlədilib)", "(учреждение не указано)"],
        };
        match self {
            Self::En => en,
            Self::Az => az,
            Self::Ru => ru,
        }
    }

    /// An incident type's label, as the desktop app shows it.
    pub fn incident_type(self, t: IncidentType) -> &'static str {
        use IncidentType::*;
        let [en, az, ru] = match t {
            AccessDenied => [
                "Access denied",
                "Vəkilə görüş rədd edildi",
                "Отказ в свидании с адвокатом",
            ],
            AccessDelayed => ["Access delayed", "Görüş gecikdirildi", "Свидание задержано"],
            MeetingWithoutConfidentiality => [
                "Meeting without confidentiality",
                "Görüş məxfi şəraitdə keçirilmədi",
                "Свидание без конфиденциальности",
            ],
            MeetingTimeLimited => [
                "Meeting time-limited",
                "Görüşün vaxtı məhdudlaşdırıldı",
                "Свидание ограничено по времени",
            ],
            PermitRefused => [
                "Permit refused",
                "İcazə verilmədi",
                "Отказ в выдаче разрешения",
            ],
            WhereaboutsWithheld => [
                "Whereabouts withheld",
                "Müştərinin harada olduğu gizlədildi",
                "Местонахождение клиента скрывается",
            ],
            StateLawyerSubstituted => [
                "State-appointed lawyer substituted",
                "Dövlət hesabına vəkil ilə əvəz edildi",
                "Замена на адвоката по назначению",
            ],
            QuestioningWithoutCounsel => [
                "Questioning without counsel",
                "Vəkilsiz dindirildi",
                "Допрос без адвоката",
            ],
            LawyerSearched => [
                "Lawyer searched / seized",
                "Vəkil axtarışa məruz qaldı və ya əşyaları götürüldü",
                "Обыск адвоката или изъятие вещей",
            ],
            LawyerThreatened => ["Lawyer threatened", "Vəkil hədələndi", "Угрозы адвокату"],
            LawyerSummonedAsWitness => [
                "Lawyer summoned as witness",
                "Vəkil şahid qismində çağırıldı",
                "Вызов адвоката в качестве свидетеля",
            ],
            ActionAgainstLawyer => [
                "Action against lawyer",
                "Vəkilə qarşı intizam və ya cinayət işi",
                "Дисциплинарное или уголовное преследование адвоката",
            ],
            Other => ["Other", "Digər", "Другое"],
        };
        match self {
            Self::En => en,
            Self::Az => az,
            Self::Ru => ru,
        }
    }

    /// A record status, as a report prints it.
    pub fn status(self, s: RecordStatus) -> &'static str {
        match (self, s) {
            (Self::En, RecordStatus::Draft) => "draft",
            (Self::En, RecordStatus::Final) => "final",
            (Self::Az, RecordStatus::Draft) => "qaralama",
            (Self::Az, RecordStatus::Final) => "yekun",
            (Self::Ru, RecordStatus::Draft) => "черновик",
            (Self::Ru, RecordStatus::Final) => "окончательная",
        }
    }

    /// How an NGO report names a witness: kind and number, never a name.
    pub fn witness(self, kind: WitnessKind, n: usize) -> String {
        let word = match (self, kind) {
            (Self::En, k) => k.label(),
            (Self::Az, WitnessKind::Relative) => "qohum",
            (Self::Az, WitnessKind::Lawyer) => "vəkil",
            (Self::Az, WitnessKind::Detainee) => "məhbus",
            (Self::Az, WitnessKind::Official) => "vəzifəli şəxs",
            (Self::Az, WitnessKind::Other) => "şahid",
            (Self::Ru, WitnessKind::Relative) => "родственник",
            (Self::Ru, WitnessKind::Lawyer) => "адвокат",
            (Self::Ru, WitnessKind::Detainee) => "задержанный",
            (Self::Ru, WitnessKind::Official) => "должностное лицо",
            (Self::Ru, WitnessKind::Other) => "свидетель",
        };
        format!("{word} {n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's incident type labels are the window's own, so a lawyer
    /// reads the same words on screen and on paper.
    #[test]
    fn incident_types_match_the_desktop_translations() {
        for (lang, file) in [(Lang::En, "en"), (Lang::Az, "az"), (Lang::Ru, "ru")] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("ui/src/lib/i18n/{file}.ts"));
            let text = std::fs::read_to_string(&path).expect("i18n file");
            for t in IncidentType::ALL {
                let key = format!("\"type.{}\": \"", t.as_str());
                let Some(start) = text.find(&key) else {
                    panic!("{file}.ts has no {key}");
                };
                let rest = &text[start + key.len()..];
                let ui = &rest[..rest.find('"').unwrap_or(0)];
                if lang == Lang::En {
                    // English reports keep the core's shorter labels.
                    assert!(!ui.is_empty());
                } else {
                    assert_eq!(lang.incident_type(t), ui, "{file}: {}", t.as_str());
                }
            }
        }
    }
}
