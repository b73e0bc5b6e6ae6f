//! The public satisfaction index (IKM, Indeks Kepuasan Masyarakat) of Permenpan RB 14/2017.
//!
//! Each respondent answers the nine elements U1..U9 on a scale of 1 (worst) to 4 (best).
//! - NRR (nilai rata-rata) of an element = the sum of its answers ÷ the respondents.
//! - IKM = 25 × (Σ NRR) / 9: each element weighs exactly 1/9. The regulation prints the
//!   weight as 0.11, which lowers the value by 1 % and can move it into a lower category;
//!   we use the exact weight.
//! - The category is read off the unrounded value: A (Sangat Baik) from 88.31, B (Baik) from
//!   76.61, C (Kurang Baik) from 65.00, D (Tidak Baik) below. The thresholds are compared in
//!   integers (hundredths of a point), so no float error moves a value across one.
//!
//! A value between two printed ranges (88.305, say) belongs to the lower category, as it has
//! not reached the next one; [`Ikm::value_display`] truncates instead of rounding, so the
//! figure shown never looks like the next category.

use serde::{Deserialize, Serialize};

/// The number of elements.
pub const ELEMENTS: usize = 9;

/// One element of the survey: its code, its name in the regulation, a question a visitor
/// understands at a glance, and its four answers from worst (1) to best (4).
#[derive(Debug, Clone, Copy)]
pub struct Element {
    pub code: &'static str,
    pub name: &'static str,
    pub question: &'static str,
    pub question_en: &'static str,
    pub answers: [&'static str; 4],
    pub answers_en: [&'static str; 4],
}

/// The nine elements in the order of the regulation's sample questionnaire (the protocol's
/// order of `answers`).
pub const SURVEY: [Element; ELEMENTS] = [
    Element {
        code: "U1",
        name: "Persyaratan",
        question: "Apakah persyaratan layanan sesuai dengan yang diminta?",
        question_en: "Did the requirements match what was asked of you?",
        answers: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
        answers_en: ["Not matching", "Partly", "Matching", "Fully matching"],
    },
    Element {
        code: "U2",
        name: "Sistem, mekanisme dan prosedur",
        question: "Apakah prosedur pelayanannya mudah?",
        question_en: "Was the procedure easy?",
        answers: ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
        answers_en: ["Not easy", "Not very easy", "Easy", "Very easy"],
    },
    Element {
        code: "U3",
        name: "Waktu penyelesaian",
        question: "Apakah layanan diselesaikan dengan cepat?",
        question_en: "Was the service completed quickly?",
        answers: ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
        answers_en: ["Not fast", "Not very fast", "Fast", "Very fast"],
    },
    Element {
        code: "U4",
        name: "Biaya/tarif",
        question: "Bagaimana biaya yang Anda bayar?",
        question_en: "How was the fee you paid?",
        answers: ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
        answers_en: ["Very expensive", "Rather expensive", "Cheap", "Free"],
    },
    Element {
        code: "U5",
        name: "Produk spesifikasi jenis pelayanan",
        question: "Apakah hasil layanan sesuai dengan yang dijanjikan?",
        question_en: "Was the result what was promised?",
        answers: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
        answers_en: ["Not matching", "Partly", "Matching", "Fully matching"],
    },
    Element {
        code: "U6",
        name: "Kompetensi pelaksana",
        question: "Apakah petugas menguasai pekerjaannya?",
        question_en: "Did the officer know the job?",
        answers: [
            "Tidak kompeten",
            "Kurang kompeten",
            "Kompeten",
            "Sangat kompeten",
        ],
        answers_en: [
            "Not competent",
            "Not very competent",
            "Competent",
            "Very competent",
        ],
    },
    Element {
        code: "U7",
        name: "Perilaku pelaksana",
        question: "Apakah petugas sopan dan ramah?",
        question_en: "Was the officer polite and friendly?",
        answers: [
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ],
        answers_en: ["Not polite", "Not very polite", "Polite", "Very polite"],
    },
    Element {
        code: "U8",
        name: "Sarana dan prasarana",
        question: "Bagaimana sarana dan prasarana di sini (ruang tunggu, toilet, parkir)?",
        question_en: "How are the facilities here (waiting room, toilets, parking)?",
        answers: ["Buruk", "Cukup", "Baik", "Sangat baik"],
        answers_en: ["Poor", "Fair", "Good", "Very good"],
    },
    Element {
        code: "U9",
        name: "Penanganan pengaduan, saran dan masukan",
        question: "Apakah ada tempat pengaduan dan saran, dan apakah ditangani?",
        question_en: "Is there a place for complaints and suggestions, and are they handled?",
        answers: [
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ],
        answers_en: [
            "None",
            "There, but not working",
            "Working, not fully",
            "Well handled",
        ],
    },
];

/// An IKM category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Category {
    A,
    B,
    C,
    D,
}

impl Category {
    /// The regulation's word for the category ("mutu pelayanan").
    pub fn words(self) -> &'static str {
        match self {
            Category::A => "Sangat Baik",
            Category::B => "Baik",
            Category::C => "Kurang Baik",
            Category::D => "Tidak Baik",
        }
    }

    /// The category's range, as the regulation prints it.
    pub fn range(self) -> &'static str {
        match self {
            Category::A => "88,31 – 100,00",
            Category::B => "76,61 – 88,30",
            Category::C => "65,00 – 76,60",
            Category::D => "25,00 – 64,99",
        }
    }
}

/// The sums of the answers of a group of respondents: everything the index needs, and what
/// adds up across groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub respondents: u64,
    pub sums: [u64; ELEMENTS],
}

/// Why a set of answers is not a survey.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("a survey has {ELEMENTS} answers, this one has {0}")]
    Count(usize),
    #[error("answer {element} is {value}; answers are 1 to 4")]
    Range { element: usize, value: i64 },
}

/// Checks a survey's answers: nine, each 1..=4.
///
/// # Errors
/// The count or a value is wrong.
pub fn check_answers(answers: &[i64]) -> Result<[u8; ELEMENTS], AnswerError> {
    if answers.len() != ELEMENTS {
        return Err(AnswerError::Count(answers.len()));
    }
    let mut out = [0u8; ELEMENTS];
    for (i, &a) in answers.iter().enumerate() {
        if !(1..=4).contains(&a) {
            return Err(AnswerError::Range {
                element: i + 1,
                value: a,
            });
        }
        out[i] = a as u8;
    }
    Ok(out)
}

impl Tally {
    /// Adds one respondent's answers (each 1..=4, see [`check_answers`]).
    pub fn add(&mut self, answers: &[u8; ELEMENTS]) {
        self.respondents += 1;
        for (sum, &a) in self.sums.iter_mut().zip(answers) {
            *sum += u64::from(a);
        }
    }

    /// Adds another group.
    pub fn merge(&mut self, other: &Tally) {
        self.respondents += other.respondents;
        for (sum, o) in self.sums.iter_mut().zip(other.sums) {
            *sum += o;
        }
    }

    /// The index, or `None` without respondents.
    pub fn ikm(&self) -> Option<Ikm> {
        (self.respondents > 0).then_some(Ikm { tally: *self })
    }
}

/// The IKM of a group as reports give it (the hall's and the city's, in the same words):
/// `value` and `nrr` unrounded; without respondents they are 0 and `category` is null.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IkmFigures {
    pub respondents: u64,
    pub nrr: Vec<f64>,
    pub value: f64,
    pub category: Option<Category>,
    /// The value as shown to people: two decimals, truncated, decimal comma.
    pub value_display: String,
    pub category_words: String,
}

impl IkmFigures {
    /// The figures of `tally`.
    pub fn of(tally: &Tally) -> IkmFigures {
        match tally.ikm() {
            Some(i) => IkmFigures {
                respondents: i.respondents(),
                nrr: i.nrr().to_vec(),
                value: i.value(),
                category: Some(i.category()),
                value_display: i.value_display(),
                category_words: i.category().words().to_owned(),
            },
            None => IkmFigures {
                respondents: 0,
                nrr: vec![0.0; ELEMENTS],
                value: 0.0,
                category: None,
                value_display: "–".to_owned(),
                category_words: "belum ada responden".to_owned(),
            },
        }
    }
}

/// An agency's IKM in a report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgencyIkm {
    pub agency: String,
    pub name: String,
    #[serde(flatten)]
    pub ikm: IkmFigures,
}

/// A service's IKM in a report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceIkm {
    pub service: String,
    pub agency: String,
    #[serde(flatten)]
    pub ikm: IkmFigures,
}

/// A hall's IKM as its reports give it.
#[derive(Debug, Clone, PartialEq)]
pub struct HallIkm {
    pub hall: IkmFigures,
    /// The agencies with respondents.
    pub by_agency: Vec<AgencyIkm>,
    pub by_service: Vec<ServiceIkm>,
}

/// How a hall's IKM adds up, the one rule for the hall's report and the city's: each
/// service's raw sums (`per_service`, in the order the report lists services); each
/// agency's from its services' (in the order of `agencies`, `(id, name)`, then any other a
/// service names, shown by its id), those with respondents only; the hall's from all.
pub fn add_up(
    per_service: &[(String, Tally)],
    agencies: &[(String, String)],
    agency_of: impl Fn(&str) -> String,
) -> HallIkm {
    let mut hall = Tally::default();
    let mut per_agency: Vec<(String, Tally)> = agencies
        .iter()
        .map(|(id, _)| (id.clone(), Tally::default()))
        .collect();
    for (service, tally) in per_service {
        hall.merge(tally);
        let agency = agency_of(service);
        match per_agency.iter_mut().find(|(a, _)| *a == agency) {
            Some((_, t)) => t.merge(tally),
            None => per_agency.push((agency, *tally)),
        }
    }
    HallIkm {
        hall: IkmFigures::of(&hall),
        by_agency: per_agency
            .iter()
            .filter(|(_, t)| t.respondents > 0)
            .map(|(a, t)| AgencyIkm {
                agency: a.clone(),
                name: agencies
                    .iter()
                    .find(|(id, _)| id == a)
                    .map_or_else(|| a.clone(), |(_, name)| name.clone()),
                ikm: IkmFigures::of(t),
            })
            .collect(),
        by_service: per_service
            .iter()
            .map(|(s, t)| ServiceIkm {
                service: s.clone(),
                agency: agency_of(s),
                ikm: IkmFigures::of(t),
            })
            .collect(),
    }
}

/// The index of a group with at least one respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ikm {
    tally: Tally,
}

impl Ikm {
    pub fn respondents(&self) -> u64 {
        self.tally.respondents
    }

    /// NRR per element: sum ÷ respondents, unrounded.
    pub fn nrr(&self) -> [f64; ELEMENTS] {
        let n = self.tally.respondents as f64;
        self.tally.sums.map(|s| s as f64 / n)
    }

    /// The index, 25 to 100, unrounded: 25 × Σ sums ÷ (9 × respondents).
    pub fn value(&self) -> f64 {
        25.0 * self.total() as f64 / (ELEMENTS as u64 * self.tally.respondents) as f64
    }

    /// The value in hundredths of a point, truncated: exactly, in integers.
    fn hundredths(&self) -> u64 {
        2500 * self.total() / (ELEMENTS as u64 * self.tally.respondents)
    }

    /// The value for people: two decimals, truncated, with the Indonesian decimal comma.
    pub fn value_display(&self) -> String {
        let h = self.hundredths();
        format!("{},{:02}", h / 100, h % 100)
    }

    /// The category of the unrounded value.
    pub fn category(&self) -> Category {
        // value ≥ x/100 ⇔ 2500 × total ≥ x × 9 × respondents: no rounding anywhere.
        let lhs = 2500 * self.total();
        let at_least = |x: u64| lhs >= x * ELEMENTS as u64 * self.tally.respondents;
        if at_least(8831) {
            Category::A
        } else if at_least(7661) {
            Category::B
        } else if at_least(6500) {
            Category::C
        } else {
            Category::D
        }
    }

    fn total(&self) -> u64 {
        self.tally.sums.iter().sum()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_hall_adds_up_per_service_then_agency_in_its_order() {
        let tally = |answers: &[[u8; ELEMENTS]]| {
            let mut t = Tally::default();
            for a in answers {
                t.add(a);
            }
            t
        };
        // KTP: two respondents, all 4s and all 3s; KK: one, all 2s; a service of an agency
        // the hall no longer names: one, all 4s.
        let per_service = vec![
            ("ktp".to_owned(), tally(&[[4; ELEMENTS], [3; ELEMENTS]])),
            ("kk".to_owned(), tally(&[[2; ELEMENTS]])),
            ("old".to_owned(), tally(&[[4; ELEMENTS]])),
        ];
        let agencies = vec![
            ("bpjs".to_owned(), "BPJS".to_owned()),
            ("dukcapil".to_owned(), "Dukcapil".to_owned()),
        ];
        let agency_of = |s: &str| if s == "old" { "gone" } else { "dukcapil" }.to_owned();
        let h = add_up(&per_service, &agencies, agency_of);
        // The hall: (4 + 3 + 2 + 4) × 9 = 117 over 4 respondents: 25 × 117 ÷ 36 = 81.25.
        assert_eq!((h.hall.respondents, h.hall.value), (4, 81.25));
        // Dukcapil: (4 + 3 + 2) × 9 = 81 over 3: 75,00; BPJS has no respondent and is left
        // out; the unnamed agency comes last, by its id.
        let agencies: Vec<_> = h
            .by_agency
            .iter()
            .map(|a| {
                (
                    a.agency.as_str(),
                    a.name.as_str(),
                    a.ikm.value_display.as_str(),
                )
            })
            .collect();
        assert_eq!(
            agencies,
            vec![
                ("dukcapil", "Dukcapil", "75,00"),
                ("gone", "gone", "100,00")
            ]
        );
        let services: Vec<_> = h.by_service.iter().map(|s| s.service.as_str()).collect();
        assert_eq!(services, vec!["ktp", "kk", "old"]);
    }
    use super::*;

    #[test]
    fn answers_are_checked() {
        assert_eq!(check_answers(&[4; 8]), Err(AnswerError::Count(8)));
        assert_eq!(
            check_answers(&[4, 4, 0, 4, 4, 4, 4, 4, 4]),
            Err(AnswerError::Range {
                element: 3,
                value: 0
            })
        );
        assert_eq!(check_answers(&[1; 9]), Ok([1; 9]));
    }

    #[test]
    fn no_respondents_no_index() {
        assert_eq!(Tally::default().ikm(), None);
    }

    #[test]
    fn every_element_has_four_answers_and_a_question() {
        for (i, e) in SURVEY.iter().enumerate() {
            assert_eq!(e.code, format!("U{}", i + 1));
            assert!(e.question.ends_with('?'), "{}", e.code);
            assert!(e.answers.iter().all(|a| !a.is_empty()));
        }
    }
}
