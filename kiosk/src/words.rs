//! The kiosk's words that are put together in Rust: why a service is closed, a refusal,
//! the survey's checks, the ticket's print note. Each is a [`Say`]; its text is in
//! `ui/ui/words.slint`, written in Indonesian and translated like every other text of the
//! screens (Slint's bundled translations), so the kiosk has one way to be in English.

use antre_ui::KioskWords;

/// A text the kiosk shows, before it is put in the visitor's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Say {
    /// "Kuota hari ini sudah habis. Silakan datang lagi besok."
    QuotaUsedUp,
    /// "Belum buka. Pengambilan tiket mulai pukul {0}."
    NotOpenYet { at: String },
    /// "Sudah tutup hari ini. Buka lagi besok pukul {0}."
    ClosedForToday { at: String },
    /// "Layanan sedang tutup."
    ServiceClosed,
    /// "Hari ini libur: {0}. Tidak ada pengambilan tiket."
    Holiday { reason: String },
    /// "Tutup"
    AgencyClosed,
    /// "{0} menunggu"
    AgencyWaiting { n: String },
    /// "Sudah ada di tiket Anda."
    AlreadyOnTicket,
    /// "Yang perlu dibawa: {0}"
    PleaseBring { what: String },
    /// "Standar layanan {0} menit"
    ServiceStandard { minutes: String },
    /// "{0} orang menunggu"
    PeopleWaiting { n: String },
    /// "Maaf, tiket tidak dapat diambil"
    NoTicketTitle,
    /// "{0} / Permintaan Anda sudah kami catat untuk evaluasi layanan."
    DemandRecorded { reason: String },
    /// "Mohon tunggu sebentar"
    WaitAMoment,
    /// "Terlalu banyak tiket diambil dari anjungan ini. Coba lagi dalam satu menit, atau hubungi petugas."
    TooManyTickets,
    /// "Maaf, ada gangguan"
    SomethingWrong,
    /// "Tiket belum dapat dibuat. Silakan coba lagi atau hubungi petugas."
    TicketNotMade,
    /// "Nomor tiket tidak dikenali. Tulis hurufnya lalu angkanya, misalnya A-012."
    NotATicketNumber,
    /// "Tiket {0} bukan tiket hari ini. Penilaian hanya untuk tiket hari ini."
    NotTodaysTicket { code: String },
    /// "Tiket {0} tidak ada hari ini. Periksa lagi nomor pada tiket Anda."
    NoSuchTicketCheck { code: String },
    /// "Tiket {0} belum selesai dilayani. Penilaian dapat diberikan setelah pelayanan selesai."
    NotServedYetRate { code: String },
    /// "Tiket ini sudah dinilai"
    AlreadyRatedTitle,
    /// "Penilaian untuk tiket {0} sudah pernah diberikan. Terima kasih!"
    AlreadyRated { code: String },
    /// "Belum dapat dinilai"
    NotYetPossible,
    /// "Tiket {0} belum selesai dilayani."
    NotServedYet { code: String },
    /// "Tiket tidak ditemukan"
    TicketNotFound,
    /// "Tiket {0} tidak ada hari ini."
    NoSuchTicket { code: String },
    /// "Penilaian belum terkirim"
    RatingNotSentTitle,
    /// "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi atau hubungi petugas."
    TryAgainShortly,
    /// "Terima kasih!"
    ThankYou,
    /// "Aspirasi Anda sudah kami terima. Setiap aspirasi direkap, dilaporkan kepada pimpinan dan dievaluasi."
    AspirationReceived,
    /// "Aspirasi Anda sudah kami terima. Setiap aspirasi direkap, dilaporkan kepada pimpinan dan dievaluasi. Pengaduan juga dapat Anda pantau melalui SP4N-LAPOR! (lapor.go.id)."
    ComplaintReceived,
    /// "Belum terkirim. Tulisan Anda masih ada; silakan tekan Kirim lagi."
    AspirationNotSent,
    /// "Penilaian Anda untuk tiket {0} sudah kami terima. Pendapat Anda membantu kami menjadi lebih baik."
    RatingReceived { code: String },
    /// "Belum terkirim karena gangguan jaringan. Sentuh jawaban lagi untuk mengirim ulang."
    RatingNotSent,
    /// "Mohon tunggu, tiket Anda sedang dibuat…"
    MakingTicket,
    /// "Menghubungkan…"
    Connecting,
    /// "Koneksi terputus. Tiket Anda akan dibuat begitu tersambung kembali…"
    ConnectionLost,
    /// "Printer sedang bermasalah — ambil tiket di ponsel Anda"
    PrinterProblemPhone,
    /// "Tiket di ponsel: pindai kode di samping"
    TicketOnPhone,
    /// "Tiket sedang dicetak…"
    Printing,
    /// "Tiket gagal dicetak ({0}). Ingat nomor Anda di atas, atau tekan Cetak ulang."
    PrintFailed { why: String },
    /// "Silakan ambil tiket Anda"
    TakeYourTicket,
    /// "Prioritas: Lansia"
    PriorityLansia,
    /// "Prioritas: Disabilitas"
    PriorityDisabilitas,
    /// "Prioritas: Ibu hamil"
    PriorityIbuHamil,
    /// "Kode booking tidak dikenali. Kodenya BK- lalu 7 huruf dan angka, misalnya BK-7KQ4M9A."
    NotABookingCode,
    /// "Booking {0} tidak ada untuk hari ini di sini. Periksa lagi kodenya, atau tanyakan kepada petugas."
    NoSuchBooking { code: String },
    /// "Booking sudah dipakai"
    BookingUsedTitle,
    /// "Tiket untuk booking {0} sudah diambil. Satu booking untuk satu tiket; bila Anda belum menerimanya, tanyakan kepada petugas."
    BookingUsed { code: String },
    /// "Di luar waktu booking"
    BookingExpiredTitle,
    /// "Booking {0} berlaku mulai {1} menit sebelum sesinya sampai sesinya selesai. Silakan ambil tiket biasa, atau tanyakan kepada petugas."
    BookingExpired { code: String, minutes: String },
    /// "Booking bukan untuk hari ini"
    BookingOtherDayTitle,
    /// "Booking {0} untuk tanggal lain. Silakan datang pada tanggal booking Anda."
    BookingOtherDay { code: String },
}

/// Puts a [`Say`] in the visitor's language: the window's [`KioskWords`] speak the language
/// the kiosk selected (`slint::select_bundled_translation`).
pub trait Words {
    fn say(&self, s: Say) -> String;
}

impl Words for KioskWords<'_> {
    fn say(&self, s: Say) -> String {
        match s {
            Say::QuotaUsedUp => self.invoke_quota_used_up(),
            Say::NotOpenYet { at } => self.invoke_not_open_yet(at.into()),
            Say::Holiday { reason } => self.invoke_holiday(reason.into()),
            Say::ClosedForToday { at } => self.invoke_closed_for_today(at.into()),
            Say::ServiceClosed => self.invoke_service_closed(),
            Say::AgencyClosed => self.invoke_agency_closed(),
            Say::AgencyWaiting { n } => self.invoke_agency_waiting(n.into()),
            Say::AlreadyOnTicket => self.invoke_already_on_ticket(),
            Say::PleaseBring { what } => self.invoke_please_bring(what.into()),
            Say::ServiceStandard { minutes } => self.invoke_service_standard(minutes.into()),
            Say::PeopleWaiting { n } => self.invoke_people_waiting(n.into()),
            Say::NoTicketTitle => self.invoke_no_ticket_title(),
            Say::DemandRecorded { reason } => self.invoke_demand_recorded(reason.into()),
            Say::WaitAMoment => self.invoke_wait_a_moment(),
            Say::TooManyTickets => self.invoke_too_many_tickets(),
            Say::SomethingWrong => self.invoke_something_wrong(),
            Say::TicketNotMade => self.invoke_ticket_not_made(),
            Say::NotATicketNumber => self.invoke_not_a_ticket_number(),
            Say::NotTodaysTicket { code } => self.invoke_not_todays_ticket(code.into()),
            Say::NoSuchTicketCheck { code } => self.invoke_no_such_ticket_check(code.into()),
            Say::NotServedYetRate { code } => self.invoke_not_served_yet_rate(code.into()),
            Say::AlreadyRatedTitle => self.invoke_already_rated_title(),
            Say::AlreadyRated { code } => self.invoke_already_rated(code.into()),
            Say::NotYetPossible => self.invoke_not_yet_possible(),
            Say::NotServedYet { code } => self.invoke_not_served_yet(code.into()),
            Say::TicketNotFound => self.invoke_ticket_not_found(),
            Say::NoSuchTicket { code } => self.invoke_no_such_ticket(code.into()),
            Say::RatingNotSentTitle => self.invoke_rating_not_sent_title(),
            Say::TryAgainShortly => self.invoke_try_again_shortly(),
            Say::ThankYou => self.invoke_thank_you(),
            Say::AspirationReceived => self.invoke_aspiration_received(),
            Say::ComplaintReceived => self.invoke_complaint_received(),
            Say::AspirationNotSent => self.invoke_aspiration_not_sent(),
            Say::RatingReceived { code } => self.invoke_rating_received(code.into()),
            Say::RatingNotSent => self.invoke_rating_not_sent(),
            Say::MakingTicket => self.invoke_making_ticket(),
            Say::Connecting => self.invoke_connecting(),
            Say::ConnectionLost => self.invoke_connection_lost(),
            Say::PrinterProblemPhone => self.invoke_printer_problem_phone(),
            Say::TicketOnPhone => self.invoke_ticket_on_phone(),
            Say::Printing => self.invoke_printing(),
            Say::PrintFailed { why } => self.invoke_print_failed(why.into()),
            Say::TakeYourTicket => self.invoke_take_your_ticket(),
            Say::PriorityLansia => self.invoke_priority_lansia(),
            Say::PriorityDisabilitas => self.invoke_priority_disabilitas(),
            Say::PriorityIbuHamil => self.invoke_priority_ibu_hamil(),
            Say::NotABookingCode => self.invoke_not_a_booking_code(),
            Say::NoSuchBooking { code } => self.invoke_no_such_booking(code.into()),
            Say::BookingUsedTitle => self.invoke_booking_used_title(),
            Say::BookingUsed { code } => self.invoke_booking_used(code.into()),
            Say::BookingExpiredTitle => self.invoke_booking_expired_title(),
            Say::BookingExpired { code, minutes } => {
                self.invoke_booking_expired(code.into(), minutes.into())
            }
            Say::BookingOtherDayTitle => self.invoke_booking_other_day_title(),
            Say::BookingOtherDay { code } => self.invoke_booking_other_day(code.into()),
        }
        .into()
    }
}

impl Say {
    /// One of each, with a sample value in every field: for the test that each is translated.
    pub fn every_one() -> Vec<Say> {
        let x = || "A-012".to_owned();
        vec![
            Say::QuotaUsedUp,
            Say::NotOpenYet { at: x() },
            Say::ClosedForToday { at: x() },
            Say::ServiceClosed,
            Say::Holiday { reason: x() },
            Say::AgencyClosed,
            Say::AgencyWaiting { n: x() },
            Say::AlreadyOnTicket,
            Say::PleaseBring { what: x() },
            Say::ServiceStandard { minutes: x() },
            Say::PeopleWaiting { n: x() },
            Say::NoTicketTitle,
            Say::DemandRecorded { reason: x() },
            Say::WaitAMoment,
            Say::TooManyTickets,
            Say::SomethingWrong,
            Say::TicketNotMade,
            Say::NotATicketNumber,
            Say::NotTodaysTicket { code: x() },
            Say::NoSuchTicketCheck { code: x() },
            Say::NotServedYetRate { code: x() },
            Say::AlreadyRatedTitle,
            Say::AlreadyRated { code: x() },
            Say::NotYetPossible,
            Say::NotServedYet { code: x() },
            Say::TicketNotFound,
            Say::NoSuchTicket { code: x() },
            Say::RatingNotSentTitle,
            Say::TryAgainShortly,
            Say::ThankYou,
            Say::AspirationReceived,
            Say::ComplaintReceived,
            Say::AspirationNotSent,
            Say::RatingReceived { code: x() },
            Say::RatingNotSent,
            Say::MakingTicket,
            Say::Connecting,
            Say::ConnectionLost,
            Say::PrinterProblemPhone,
            Say::TicketOnPhone,
            Say::Printing,
            Say::PrintFailed { why: x() },
            Say::TakeYourTicket,
            Say::PriorityLansia,
            Say::PriorityDisabilitas,
            Say::PriorityIbuHamil,
            Say::NotABookingCode,
            Say::NoSuchBooking { code: x() },
            Say::BookingUsedTitle,
            Say::BookingUsed { code: x() },
            Say::BookingExpiredTitle,
            Say::BookingExpired {
                code: x(),
                minutes: "30".into(),
            },
            Say::BookingOtherDayTitle,
            Say::BookingOtherDay { code: x() },
        ]
    }
}

/// The names of the texts instead of the texts ("NotOpenYet { at: \"08:00\" }"): for tests of
/// what a screen says, without a window.
pub struct Names;

impl Words for Names {
    fn say(&self, s: Say) -> String {
        format!("{s:?}")
    }
}
