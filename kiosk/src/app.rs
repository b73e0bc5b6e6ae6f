//! The kiosk window and the visitor's way through it: agency → service → priority → the
//! ticket, printed. Network and printer work runs on the tokio runtime; what they learn comes
//! back through the [`Inbox`] and is applied on the UI thread.

use crate::flow::aspiration::Aspiration;
use crate::flow::booking::{self, Booking};
use crate::flow::printer_watch::PrinterWatch;
use crate::flow::survey::{Answered, Survey};
use crate::flow::ticket::{delivery, At, Choice, PhoneWhy, Step};
use crate::model;
use crate::printer::{status_indonesian, PrintError, Printer};
use crate::ticket::{qr_payload, ticket_bytes, Paper, TicketPaper};
use crate::words::{Say, Words};
use antre_client::{Client, HallView, RequestError, Status, Update};
use antre_core::clock::{system_clock, Clock};
use antre_core::domain::estimate;
use antre_core::domain::ikm::{ELEMENTS, SURVEY};
use antre_core::domain::words::date_long;
use antre_core::domain::Priority;
use antre_core::proto::{
    AspirationKind, OkReply, PrinterStatus, Request, Ticket, MAX_ASPIRATION_CHARS,
};
use antre_ui::inbox::{self, Inbox};
use antre_ui::replace_if_changed;
use antre_ui::{AgencyTile, KioskAdapter, KioskWindow, KioskWords, ServiceTile};
use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// The screens, as `ui/kiosk.slint` names them (`KioskScreen`).
pub use antre_ui::KioskScreen as Screen;

/// Shows the screens' own texts (`@tr` in `ui/kiosk.slint`) in English or in Indonesian, the
/// language they are written in. Selected at start too: Slint would otherwise follow the
/// system's locale, and a kiosk speaks Indonesian first whatever its PC is set to.
fn select_language(english: bool) {
    if let Err(e) = slint::select_bundled_translation(if english { "en" } else { "" }) {
        tracing::warn!(error = %e, "cannot switch the kiosk's language");
    }
}

/// What the kiosk is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// Tickets, with the survey and aspirations one tap away.
    #[default]
    Tickets,
    /// A survey tablet at the exit: only the survey and aspirations; no printer.
    Survey,
}

/// The national complaints channel, shown as a QR code with complaints.
pub const LAPOR_URL: &str = "https://www.lapor.go.id";

/// Settings of the kiosk beyond the hub connection.
#[derive(Debug, Clone)]
pub struct KioskOptions {
    pub paper: Paper,
    /// Back to the start screen after this long without a touch.
    pub idle: Duration,
    /// The live ticket page's base URL, for the QR code (else the QR holds the ticket code).
    pub public_url: Option<String>,
    pub mode: Mode,
}

enum Msg {
    /// The hall view changed.
    Changed,
    /// A printer status check finished.
    Printer(PrinterStatus, String),
    /// The hub answered the issue request.
    /// The hub's answer, and whether the printer could not print (the check before).
    Issued(Box<Result<OkReply, RequestError>>, bool),
    /// A print job finished.
    Printed(Result<PrinterStatus, PrintError>),
    /// The hub stored our printer report.
    Reported(PrinterStatus, Option<String>),
    /// The hub answered a survey or an aspiration.
    Sent(Box<Result<OkReply, RequestError>>),
}

/// The ticket the visitor just got.
struct Issued {
    ticket: Ticket,
    job: Vec<u8>,
    printing: bool,
    /// Set when the last attempt to print failed.
    failed: Option<PrintError>,
    /// Why the ticket is given on the screen for the visitor's phone (no printer, or the
    /// printer has a problem), if it is.
    phone: Option<PhoneWhy>,
    /// The QR code's text and its image, made once.
    qr: (String, slint::Image),
}

/// How long a ticket on the screen stays, at least, for the visitor to scan it.
const PHONE_TICKET_SECS: i64 = 60;

struct State {
    screen: Screen,
    english: bool,
    /// The ticket being chosen: agency, services of the visit, priority.
    choice: Choice,
    /// A request or a print is in flight: taps wait for it (no double tickets).
    busy: bool,
    last_touch: DateTime<Utc>,
    issued: Option<Issued>,
    title: String,
    detail: String,
    printer: PrinterWatch,
    survey: Survey,
    aspiration: Option<Aspiration>,
    /// "Saya sudah booking": the code typed or scanned, then checked in.
    booking: Booking,
}

/// The screen of a step of the ticket's choice.
fn screen_of(at: At) -> Screen {
    match at {
        At::Agencies => Screen::Start,
        At::Services => Screen::Services,
        At::Priority => Screen::Priority,
    }
}

pub struct KioskApp {
    pub window: KioskWindow,
    client: Client,
    rt: tokio::runtime::Handle,
    inbox: Inbox<Msg>,
    printer: Arc<Printer>,
    options: KioskOptions,
    state: RefCell<State>,
    clock: RefCell<Clock>,
    /// The language the screens' texts were last switched to (`None`: not yet).
    language: std::cell::Cell<Option<bool>>,
    /// The screens' lists, kept and updated in place (a list set anew is redrawn whole).
    models: Models,
}

struct Models {
    agencies: Rc<VecModel<AgencyTile>>,
    services: Rc<VecModel<ServiceTile>>,
    prefixes: Rc<VecModel<SharedString>>,
    answer_labels: Rc<VecModel<SharedString>>,
    /// The visit being put together, and the one on the ticket shown.
    visit: Rc<VecModel<SharedString>>,
    ticket_visit: Rc<VecModel<SharedString>>,
}

impl Models {
    /// The lists, empty, given to the window once.
    fn new(window: &KioskWindow) -> Models {
        let m = Models {
            agencies: Rc::default(),
            services: Rc::default(),
            prefixes: Rc::default(),
            answer_labels: Rc::default(),
            visit: Rc::default(),
            ticket_visit: Rc::default(),
        };
        let a = window.global::<KioskAdapter>();
        a.set_agencies(ModelRc::from(Rc::clone(&m.agencies)));
        a.set_services(ModelRc::from(Rc::clone(&m.services)));
        a.set_prefixes(ModelRc::from(Rc::clone(&m.prefixes)));
        a.set_answer_labels(ModelRc::from(Rc::clone(&m.answer_labels)));
        a.set_visit(ModelRc::from(Rc::clone(&m.visit)));
        a.set_ticket_visit(ModelRc::from(Rc::clone(&m.ticket_visit)));
        m
    }
}

impl KioskApp {
    /// Builds the window and wires it to `client` and `printer`, without running the event loop.
    ///
    /// # Errors
    /// The window cannot be created (no display, no font).
    pub fn new(
        client: Client,
        updates: UnboundedReceiver<Update>,
        rt: tokio::runtime::Handle,
        printer: Printer,
        options: KioskOptions,
    ) -> Result<Rc<Self>, slint::PlatformError> {
        let window = KioskWindow::new()?;
        let models = Models::new(&window);
        let inbox = Inbox::default();
        inbox.forward(&rt, updates, |_| Msg::Changed);
        let clock = system_clock();
        let now = clock();
        let app = Rc::new(KioskApp {
            window,
            client,
            rt,
            inbox,
            printer: Arc::new(printer),
            options,
            state: RefCell::new(State {
                screen: Screen::Start,
                english: false,
                choice: Choice::default(),
                busy: false,
                last_touch: now,
                issued: None,
                title: String::new(),
                detail: String::new(),
                printer: PrinterWatch::default(),
                survey: Survey::default(),
                aspiration: None,
                booking: Booking::default(),
            }),
            clock: RefCell::new(clock),
            language: std::cell::Cell::new(None),
            models,
        });
        app.wire();
        {
            let a = app.window.global::<KioskAdapter>();
            a.set_survey_mode(app.options.mode == Mode::Survey);
            a.set_lapor_qr(qr_image(LAPOR_URL));
            let keys: Vec<SharedString> = antre_core::domain::booking::CODE_ALPHABET
                .iter()
                .map(|b| SharedString::from(char::from(*b).to_string()))
                .collect();
            a.set_booking_keys(ModelRc::from(Rc::new(VecModel::from(keys))));
        }
        inbox::pump_on_wake(&app);
        app.refresh();
        Ok(app)
    }

    fn wire(self: &Rc<Self>) {
        let a = self.window.global::<KioskAdapter>();
        macro_rules! on {
            ($set:ident, |$app:ident $(, $arg:ident)*| $body:expr) => {{
                let weak = Rc::downgrade(self);
                a.$set(move |$($arg),*| {
                    if let Some($app) = weak.upgrade() {
                        $app.touch();
                        $body;
                        $app.refresh();
                    }
                });
            }};
        }
        on!(on_pick_agency, |app, id| app.pick_agency(id.as_str()));
        on!(on_pick_service, |app, id| app.pick_service(id.as_str()));
        on!(on_pick_priority, |app, p| app.pick_priority(p.as_str()));
        on!(on_add_service, |app| app.add_service());
        on!(on_remove_service, |app, i| app.remove_service(i));
        on!(on_back, |app| app.back());
        on!(on_home, |app| app.home());
        on!(on_toggle_language, |app| {
            let mut s = app.state.borrow_mut();
            s.english = !s.english;
        });
        on!(on_reprint, |app| app.reprint());
        on!(on_start_survey, |app| app.start_survey());
        on!(on_start_aspiration, |app| app.start_aspiration());
        on!(on_code_key, |app, k| app.code_key(k.as_str()));
        on!(on_code_backspace, |app| {
            app.state.borrow_mut().survey.input.pop();
        });
        on!(on_code_submit, |app| app.code_submit());
        on!(on_answer, |app, level| app.answer(level));
        on!(on_pick_kind, |app, k| app.pick_kind(k));
        on!(on_type_key, |app, k| app.type_key(k.as_str()));
        on!(on_type_backspace, |app| {
            if let Some(a) = app.state.borrow_mut().aspiration.as_mut() {
                a.text.pop();
            }
        });
        on!(on_toggle_shift, |app| {
            if let Some(a) = app.state.borrow_mut().aspiration.as_mut() {
                a.shift = !a.shift;
            }
        });
        on!(on_send_aspiration, |app| app.send_aspiration());
        on!(on_start_booking, |app| app.start_booking());
        on!(on_booking_key, |app, k| {
            let mut s = app.state.borrow_mut();
            if s.screen == Screen::BookingCode {
                s.booking.key(k.as_str());
            }
        });
        on!(on_booking_backspace, |app| {
            let mut s = app.state.borrow_mut();
            if s.screen == Screen::BookingCode {
                s.booking.backspace();
            }
        });
        on!(on_booking_submit, |app| app.booking_submit());
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock.borrow())()
    }

    /// Uses `clock` for the time shown, idle time and hours (tests use the hub's clock).
    pub fn set_clock(&self, clock: Clock) {
        *self.clock.borrow_mut() = clock;
        self.state.borrow_mut().last_touch = self.now();
        self.refresh();
    }

    fn touch(&self) {
        let now = self.now();
        self.state.borrow_mut().last_touch = now;
    }

    fn tz(&self) -> chrono_tz::Tz {
        self.client.with_view(HallView::tz)
    }

    fn local_time(&self) -> chrono::NaiveTime {
        self.now().with_timezone(&self.tz()).time()
    }

    // --- the visitor's taps -----------------------------------------------------------------

    fn pick_agency(&self, id: &str) {
        let mut s = self.state.borrow_mut();
        if s.busy || s.screen != Screen::Start || !self.client.is_online() {
            return;
        }
        let step = s.choice.agency(id);
        drop(s);
        self.step(step);
    }

    /// Goes where a step of the ticket's choice leads.
    fn step(&self, step: Step) {
        match step {
            Step::Go(at) => self.state.borrow_mut().screen = screen_of(at),
            // The printer is asked once the visitor has chosen; not for a refusal.
            Step::Issue => self.issue(None, false),
            Step::Stay => {}
        }
    }

    fn pick_service(&self, id: &str) {
        let service = self.client.with_view(|v| {
            v.hall
                .as_ref()
                .and_then(|h| h.services.iter().find(|s| s.id.as_str() == id).cloned())
        });
        let Some(service) = service else { return };
        let now = self.local_time(); // outside with_view: it takes the view's lock too
        let open = self
            .client
            .with_view(|v| model::availability(v, &service, now).is_ok());
        let step = {
            let mut s = self.state.borrow_mut();
            if s.busy || s.screen != Screen::Services {
                return;
            }
            s.choice.service(&service.id, open)
        };
        self.step(step);
    }

    /// "Tambah layanan lain?": the agencies again, to add one more service to the visit.
    fn add_service(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy || s.screen != Screen::Priority {
            return;
        }
        let step = s.choice.add_more();
        drop(s);
        self.step(step);
    }

    /// Takes a service off the visit (never the last one left).
    fn remove_service(&self, index: i32) {
        let mut s = self.state.borrow_mut();
        if s.busy || s.screen != Screen::Priority {
            return;
        }
        let step = s.choice.remove(index);
        drop(s);
        self.step(step);
    }

    fn pick_priority(&self, p: &str) {
        if !matches!(
            self.state.borrow().screen,
            Screen::Priority | Screen::BookingPriority
        ) {
            return;
        }
        // "umum" (or anything else) is no priority.
        let priority = p.parse::<Priority>().ok();
        self.issue(priority, true);
    }

    fn back(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy {
            return;
        }
        if s.survey.sending || s.aspiration.as_ref().is_some_and(|a| a.sending) {
            return;
        }
        let screen = s.screen;
        s.screen = match screen {
            Screen::Priority => screen_of(s.choice.back(At::Priority)),
            Screen::Services => screen_of(s.choice.back(At::Services)),
            Screen::Start => screen_of(s.choice.back(At::Agencies)),
            // One question back, its answer kept and shown.
            Screen::SurveyQuestion if s.survey.back() => Screen::SurveyQuestion,
            Screen::SurveyQuestion => Screen::SurveyCode,
            Screen::AspirationText => Screen::AspirationKind,
            // Back to the code, to correct it.
            Screen::BookingPriority => {
                s.booking.error.clear();
                s.booking.code = None;
                Screen::BookingCode
            }
            _ => {
                s.booking = Booking::default();
                Screen::Start
            }
        };
    }

    fn home(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy {
            return;
        }
        if s.survey.sending || s.aspiration.as_ref().is_some_and(|a| a.sending) {
            return;
        }
        s.screen = Screen::Start;
        s.choice = Choice::default();
        s.issued = None;
        s.survey = Survey::default();
        s.aspiration = None;
        s.booking = Booking::default();
    }

    // --- "Saya sudah booking" ------------------------------------------------------------------

    fn start_booking(&self) {
        let mut s = self.state.borrow_mut();
        let bookings = self
            .client
            .with_view(|v| v.hall.as_ref().is_some_and(|h| h.bookings));
        if s.busy || s.screen != Screen::Start || !bookings || !self.client.is_online() {
            return;
        }
        s.booking = Booking::default();
        s.screen = Screen::BookingCode;
    }

    /// "Lanjut ›" or a scanner's Enter: a code that reads as one goes on to the priority
    /// question; anything else is said to be no booking code, in words.
    fn booking_submit(&self) {
        let w = self.words();
        let mut s = self.state.borrow_mut();
        if s.screen != Screen::BookingCode || !s.booking.ready() {
            return;
        }
        if s.booking.submit() {
            s.screen = Screen::BookingPriority;
        } else {
            s.booking.error = w.say(Say::NotABookingCode);
        }
    }

    /// The hub would not check the booking in: an unknown code back to the keypad to be
    /// corrected, anything else said on a message screen.
    fn booking_refused(&self, e: &RequestError) {
        let code = e.code();
        tracing::info!(error = %e, "booking not checked in");
        let w = self.words();
        let mut s = self.state.borrow_mut();
        s.busy = false;
        let booking = s.booking.code.clone().unwrap_or_default();
        match s.booking.refused(code) {
            booking::Refused::Retype => {
                s.booking.error = w.say(Say::NoSuchBooking { code: booking });
                s.screen = Screen::BookingCode;
            }
            booking::Refused::Message => {
                let (title, detail) = model::booking_refusal(code, &booking);
                (s.title, s.detail) = (w.say(title), w.say(detail));
                s.screen = Screen::Refused;
            }
        }
    }

    // --- ruang aspirasi: the survey and aspirations -------------------------------------------

    fn start_survey(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy || s.screen != Screen::Start || !self.client.is_online() {
            return;
        }
        s.survey = Survey::default();
        s.screen = Screen::SurveyCode;
    }

    fn code_key(&self, key: &str) {
        let mut s = self.state.borrow_mut();
        if s.screen != Screen::SurveyCode {
            return;
        }
        s.survey.key(key);
    }

    fn code_submit(&self) {
        let typed = {
            let s = self.state.borrow();
            if s.screen != Screen::SurveyCode {
                return;
            }
            s.survey.input.clone()
        };
        let tz = self.tz();
        let today = self.now().with_timezone(&tz).date_naive().to_string();
        let checked = self
            .client
            .with_view(|v| model::survey_check(v, &typed, &today))
            .map_err(|why| self.words().say(why));
        let mut s = self.state.borrow_mut();
        let accepted = checked.is_ok();
        s.survey.checked(checked);
        if accepted {
            s.screen = Screen::SurveyQuestion;
        }
    }

    fn answer(&self, level: i32) {
        let answered = {
            let mut s = self.state.borrow_mut();
            if s.screen != Screen::SurveyQuestion {
                return;
            }
            s.survey.answer(level)
        };
        if let Answered::Send { ticket, answers } = answered {
            self.send(Request::Survey {
                ticket,
                answers,
                key: None,
            });
        }
    }

    fn start_aspiration(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy || s.screen != Screen::Start || !self.client.is_online() {
            return;
        }
        s.screen = Screen::AspirationKind;
    }

    fn pick_kind(&self, kind: i32) {
        let mut s = self.state.borrow_mut();
        if s.screen != Screen::AspirationKind {
            return;
        }
        let before = s.aspiration.take();
        s.aspiration = Some(Aspiration::start(kind, before));
        s.screen = Screen::AspirationText;
    }

    fn type_key(&self, key: &str) {
        let mut s = self.state.borrow_mut();
        if s.screen != Screen::AspirationText {
            return;
        }
        if let Some(a) = s.aspiration.as_mut() {
            a.key(key);
        }
    }

    fn send_aspiration(&self) {
        let request = {
            let mut s = self.state.borrow_mut();
            if s.screen != Screen::AspirationText {
                return;
            }
            let Some(request) = s.aspiration.as_mut().and_then(Aspiration::send) else {
                return;
            };
            request
        };
        self.send(request);
    }

    /// Sends a survey or an aspiration; the answer comes back as [`Msg::Sent`].
    fn send(&self, request: Request) {
        let (client, tx) = (self.client.clone(), self.inbox.sender());
        self.rt.spawn(async move {
            let result = client.request(request).await;
            tx.send(Msg::Sent(Box::new(result)));
        });
    }

    fn sent(&self, result: Result<OkReply, RequestError>) {
        let w = self.words();
        let mut s = self.state.borrow_mut();
        if let Some(a) = s.aspiration.as_mut().filter(|a| a.sending) {
            a.sending = false;
            match result {
                Ok(_) => {
                    let complaint = a.kind == AspirationKind::Complaint;
                    s.title = w.say(Say::ThankYou);
                    s.detail = w.say(if complaint {
                        Say::ComplaintReceived
                    } else {
                        Say::AspirationReceived
                    });
                    s.aspiration = None;
                    s.screen = Screen::Thanks;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "aspiration not stored");
                    a.error = w.say(Say::AspirationNotSent);
                }
            }
            return;
        }
        if !s.survey.sending {
            return;
        }
        s.survey.sending = false;
        let ticket = s.survey.code.clone().unwrap_or_default();
        match result {
            Ok(_) => {
                s.title = w.say(Say::ThankYou);
                s.detail = w.say(Say::RatingReceived {
                    code: ticket.clone(),
                });
                s.survey = Survey::default();
                s.screen = Screen::Thanks;
            }
            Err(e) => {
                let code = e.code();
                tracing::info!(error = %e, ticket, "survey not stored");
                if code.is_some() {
                    let (title, detail) = model::survey_refusal(code, &ticket);
                    (s.title, s.detail) = (w.say(title), w.say(detail));
                    s.survey = Survey::default();
                    s.screen = Screen::Refused;
                } else {
                    // Not an answer from the hub: keep the answers, let the visitor retry.
                    s.survey.send_error = w.say(Say::RatingNotSent);
                }
            }
        }
    }

    /// Checks the printer (when asked for), then asks the hub for a ticket, once: the request
    /// keeps its id through reconnects, so a dropped connection never makes two tickets.
    fn issue(&self, priority: Option<Priority>, check_printer: bool) {
        let request;
        {
            let mut s = self.state.borrow_mut();
            if s.busy {
                return;
            }
            let r = if s.screen == Screen::BookingPriority {
                s.booking.request(priority)
            } else {
                s.choice.request(priority)
            };
            let Some(r) = r else {
                return;
            };
            request = r;
            s.busy = true;
            s.screen = Screen::Wait;
        }
        self.set_wait_text(&self.words().say(Say::MakingTicket));
        let (client, tx, printer) = (
            self.client.clone(),
            self.inbox.sender(),
            self.printer.clone(),
        );
        self.rt.spawn(async move {
            // A printer that cannot print turns nobody away: the ticket goes on the screen.
            let mut printer_down = false;
            if check_printer && printer.exists() {
                let p = printer.clone();
                let (status, detail) = tokio::task::spawn_blocking(move || p.check())
                    .await
                    .unwrap_or((PrinterStatus::NoAnswer, "the check panicked".into()));
                printer_down = !status.can_print();
                tx.send(Msg::Printer(status, detail));
            }
            let result = client.request(request).await;
            tx.send(Msg::Issued(Box::new(result), printer_down));
        });
    }

    /// The window's words, in the language the kiosk shows now.
    fn words(&self) -> KioskWords<'_> {
        self.window.global::<KioskWords>()
    }

    fn set_wait_text(&self, text: &str) {
        self.window
            .global::<KioskAdapter>()
            .set_wait_text(text.into());
    }

    fn reprint(&self) {
        let job = {
            let mut s = self.state.borrow_mut();
            let Some(issued) = s.issued.as_mut() else {
                return;
            };
            if issued.printing {
                return;
            }
            issued.printing = true;
            issued.job.clone()
        };
        self.state.borrow_mut().busy = true;
        self.print(job);
    }

    fn print(&self, job: Vec<u8>) {
        let (tx, printer) = (self.inbox.sender(), self.printer.clone());
        self.rt.spawn(async move {
            let result = tokio::task::spawn_blocking(move || printer.print(&job))
                .await
                .unwrap_or_else(|_| {
                    Err(PrintError {
                        status: PrinterStatus::NoAnswer,
                        detail: "the print job panicked".into(),
                    })
                });
            tx.send(Msg::Printed(result));
        });
    }

    /// Asks the printer in the background (at most one check at a time).
    fn check_printer(&self) {
        if !self.state.borrow_mut().printer.begin() {
            return;
        }
        let (tx, printer) = (self.inbox.sender(), self.printer.clone());
        self.rt.spawn(async move {
            let (status, detail) = tokio::task::spawn_blocking(move || printer.check())
                .await
                .unwrap_or((PrinterStatus::NoAnswer, "the check panicked".into()));
            tx.send(Msg::Printer(status, detail));
        });
    }

    /// Tells the hub when the printer's state changed, so staff see it.
    fn report_printer(&self) {
        let Some((status, message)) = self.state.borrow_mut().printer.report(status_indonesian)
        else {
            return;
        };
        let (client, tx) = (self.client.clone(), self.inbox.sender());
        self.rt.spawn(async move {
            let request = Request::DeviceStatus {
                printer: status,
                message: message.clone(),
            };
            if client.request(request).await.is_ok() {
                tx.send(Msg::Reported(status, message));
            }
        });
    }

    // --- what comes back ---------------------------------------------------------------------

    /// Applies everything that arrived, then the idle and printer timers, and refreshes.
    pub fn pump(&self) {
        self.inbox.drain(|m| self.apply(m));
        self.tick();
        self.refresh();
    }

    /// For tests: pumps until `done` holds or `timeout` passes; true if it held.
    pub fn pump_until(&self, timeout: Duration, done: impl Fn(&KioskApp) -> bool) -> bool {
        // As the event loop would: the timers and the screen between messages.
        self.inbox.wait(
            timeout,
            |m| self.apply(m),
            || {
                self.tick();
                self.refresh();
                done(self)
            },
        )
    }

    fn tick(&self) {
        let now = self.now();
        let (idle_home, check) = {
            let s = self.state.borrow();
            let idle = chrono::Duration::from_std(self.options.idle).unwrap_or_default();
            // A visitor whose ticket did not print gets twice as long to note the number,
            // and one whose ticket is on the screen a minute at least to scan it.
            let limit = match &s.issued {
                Some(i) if i.phone.is_some() => {
                    idle.max(chrono::Duration::seconds(PHONE_TICKET_SECS))
                }
                Some(i) if i.failed.is_some() => idle * 2,
                _ => idle,
            };
            let sending = s.survey.sending || s.aspiration.as_ref().is_some_and(|a| a.sending);
            let idle_home =
                s.screen != Screen::Start && !s.busy && !sending && now - s.last_touch >= limit;
            let check =
                self.options.mode == Mode::Tickets && s.printer.due(now, s.screen == Screen::Start);
            (idle_home, check)
        };
        if idle_home {
            self.home();
            self.state.borrow_mut().english = false;
        }
        if check {
            self.check_printer();
        }
        self.report_printer();
    }

    fn apply(&self, m: Msg) {
        match m {
            Msg::Changed => {}
            Msg::Printer(status, detail) => {
                let now = self.now();
                let mut s = self.state.borrow_mut();
                // A failed check before issuing does not stop the ticket: it is given on
                // the screen (see `issued`), and staff are told.
                s.printer.answered(status, detail, now);
            }
            Msg::Issued(result, printer_down) => self.issued(*result, printer_down),
            Msg::Printed(result) => {
                let mut s = self.state.borrow_mut();
                s.busy = false;
                let status = match &result {
                    Ok(st) => *st,
                    Err(e) => e.status,
                };
                let now = self.now();
                s.printer.answered(status, String::new(), now);
                if let Some(issued) = s.issued.as_mut() {
                    issued.printing = false;
                    if result.is_ok() {
                        // Printed after all (a reprint once staff mended the printer).
                        issued.phone = None;
                    }
                    issued.failed = result.err();
                    if let Some(e) = &issued.failed {
                        tracing::warn!(code = %issued.ticket.code, error = %e, "ticket not printed");
                    }
                }
            }
            Msg::Sent(result) => self.sent(*result),
            Msg::Reported(status, message) => {
                self.state.borrow_mut().printer.reported((status, message));
            }
        }
    }

    fn issued(&self, result: Result<OkReply, RequestError>, printer_down: bool) {
        match result.map(|ok| ok.ticket) {
            Ok(Some(ticket)) => {
                let paper = self.paper_for(&ticket);
                let job = ticket_bytes(&paper, self.options.paper);
                let phone = delivery(self.printer.exists(), printer_down);
                {
                    let mut s = self.state.borrow_mut();
                    s.screen = Screen::Ticket;
                    if phone.is_some() {
                        s.busy = false;
                        s.last_touch = self.now();
                    }
                    s.issued = Some(Issued {
                        ticket,
                        job: job.clone(),
                        printing: phone.is_none(),
                        failed: None,
                        phone,
                        qr: (paper.qr.clone(), qr_image(&paper.qr)),
                    });
                }
                if phone.is_none() {
                    self.print(job);
                }
            }
            Err(e) if self.state.borrow().booking.code.is_some() => self.booking_refused(&e),
            Ok(None) => self.refused(None),
            Err(e) => self.refused(Some(e)),
        }
    }

    fn refused(&self, e: Option<RequestError>) {
        let now = self.local_time();
        let reason = {
            let s = self.state.borrow();
            // A visit's refusal names the service that refused.
            let named = match &e {
                Some(RequestError::Refused(r)) => r.service.clone(),
                _ => None,
            };
            let service = s.choice.refused_service(named);
            let several = s.choice.visit.len() > 1;
            self.client.with_view(|v| {
                let info = v.hall.as_ref().and_then(|h| {
                    h.services
                        .iter()
                        .find(|x| Some(&x.id) == service.as_ref())
                        .cloned()
                })?;
                let why = match e.as_ref().and_then(RequestError::code) {
                    Some(antre_core::proto::ErrorCode::QuotaExhausted) => {
                        antre_core::domain::issuing::Refusal::QuotaExhausted
                    }
                    _ => antre_core::domain::issuing::Refusal::ServiceClosed,
                };
                let holiday = model::holiday(v);
                let reason = self
                    .words()
                    .say(model::closed_reason(&info, why, now, holiday));
                Some(if several {
                    format!("{}: {reason}", info.name)
                } else {
                    reason
                })
            })
        };
        let code = e.as_ref().and_then(RequestError::code);
        if let Some(e) = &e {
            tracing::info!(error = %e, "no ticket");
        }
        let mut s = self.state.borrow_mut();
        s.busy = false;
        s.screen = Screen::Refused;
        let (title, detail) = model::refusal_text(code, &reason.unwrap_or_default());
        let w = self.words();
        (s.title, s.detail) = (w.say(title), w.say(detail));
    }

    /// What the printed ticket says.
    fn paper_for(&self, t: &Ticket) -> TicketPaper {
        let tz = self.tz();
        let when = self.now().with_timezone(&tz);
        // The kiosk's own setting wins over the hall's `public_url`.
        let public_url = self.options.public_url.clone().or_else(|| {
            self.client
                .with_view(|v| v.hall.as_ref().and_then(|h| h.public_url.clone()))
        });
        let (hall, agency, service) = self.client.with_view(|v| {
            let hall = v.hall.as_ref();
            let service = hall.and_then(|h| h.services.iter().find(|s| s.id == t.service));
            let agency = hall.and_then(|h| {
                h.agencies
                    .iter()
                    .find(|a| Some(&a.id) == service.map(|s| &s.agency))
            });
            (
                hall.map(|h| h.name.clone()).unwrap_or_default(),
                agency.map(|a| a.name.clone()).unwrap_or_default(),
                service.map(|s| s.name.clone()).unwrap_or_default(),
            )
        });
        TicketPaper {
            hall,
            agency,
            service,
            code: t.code.clone(),
            priority: t.priority.map(|p| model::priority_name(p).to_uppercase()),
            issued: format!(
                "{}  {}",
                date_long(when.date_naive(), false),
                when.format("%H:%M")
            ),
            estimate: t.estimate(),
            visit: t
                .visit
                .as_deref()
                .filter(|v| v.len() > 1)
                .map(|visit| self.client.with_view(|v| model::visit_lines(v, visit)))
                .unwrap_or_default(),
            qr: qr_payload(public_url.as_deref(), &t.day, &t.code, t.key.as_deref()),
            booking: t.booking.clone(),
        }
    }

    // --- for tests and the main loop ---------------------------------------------------------

    pub fn screen(&self) -> Screen {
        self.state.borrow().screen
    }

    pub fn busy(&self) -> bool {
        self.state.borrow().busy
    }

    /// How many printer status checks have finished (tests wait on it).
    pub fn printer_checks(&self) -> u64 {
        self.state.borrow().printer.checks
    }

    /// Whether a printer status check is running.
    pub fn checking(&self) -> bool {
        self.state.borrow().printer.checking
    }

    /// The last printer status the kiosk knows, if it checked.
    pub fn printer_status(&self) -> Option<PrinterStatus> {
        self.state.borrow().printer.status.as_ref().map(|p| p.0)
    }

    /// What the hub last stored about this kiosk's printer.
    pub fn reported(&self) -> Option<PrinterStatus> {
        self.state.borrow().printer.reported.as_ref().map(|r| r.0)
    }

    /// The ticket on screen, and whether its printing failed.
    pub fn ticket(&self) -> Option<(String, bool)> {
        let s = self.state.borrow();
        s.issued
            .as_ref()
            .map(|i| (i.ticket.code.clone(), i.failed.is_some()))
    }

    /// Whether the ticket shown is given on the screen (no printer, or a printer problem).
    pub fn phone_ticket(&self) -> bool {
        self.state
            .borrow()
            .issued
            .as_ref()
            .is_some_and(|i| i.phone.is_some())
    }

    pub fn printing(&self) -> bool {
        self.state
            .borrow()
            .issued
            .as_ref()
            .is_some_and(|i| i.printing)
    }

    /// Puts the current state on the screen.
    pub fn refresh(&self) {
        let now = self.now();
        let tz = self.tz();
        let local = now.with_timezone(&tz);
        let s = self.state.borrow();
        let en = s.english;
        let a = self.window.global::<KioskAdapter>();
        let online = self.client.status() == Status::Online;
        a.set_screen(s.screen);
        if self.language.replace(Some(en)) != Some(en) {
            select_language(en);
        }
        let w = self.words();
        a.set_english(en);
        a.set_online(online);
        a.set_clock_text(local.format("%H:%M").to_string().into());
        a.set_date_text(date_long(local.date_naive(), en).into());
        let time = local.time();
        let (hall, agencies, services, agency_name, agency_color, service_name) =
            self.client.with_view(|v| {
                let hall = v.hall.as_ref();
                let agency = s
                    .choice
                    .agency
                    .as_ref()
                    .and_then(|id| hall?.agencies.iter().find(|a| a.id.as_str() == id));
                (
                    hall.map(|h| h.name.clone())
                        .unwrap_or_else(|| w.say(Say::Connecting)),
                    model::agencies(v, time, &w),
                    s.choice
                        .agency
                        .as_deref()
                        .map(|id| model::services(v, id, s.choice.chosen(), time, en, &w))
                        .unwrap_or_default(),
                    agency.map(|a| a.name.clone()).unwrap_or_default(),
                    agency.and_then(|a| a.color.clone()),
                    s.choice
                        .service
                        .as_ref()
                        .and_then(|id| hall?.services.iter().find(|x| &x.id == id))
                        .map(|x| x.name.clone())
                        .unwrap_or_default(),
                )
            });
        a.set_hall_name(hall.into());
        replace_if_changed(
            &self.models.agencies,
            agencies
                .into_iter()
                .map(|t| {
                    let (color, ink) = antre_ui::tile_colors(&t.color);
                    AgencyTile {
                        id: t.id.into(),
                        name: t.name.into(),
                        color,
                        ink,
                        waiting: t.waiting as i32,
                        // A closed agency stays tappable: its services say when they open.
                        enabled: online,
                        note: t.note.into(),
                    }
                })
                .collect(),
        );
        replace_if_changed(
            &self.models.services,
            services
                .into_iter()
                .map(|x| ServiceTile {
                    id: x.id.into(),
                    name: x.name.into(),
                    requirements: x.requirements.into(),
                    standard: x.standard.into(),
                    waiting: x.waiting.into(),
                    estimate: x.estimate.into(),
                    open: x.open,
                    reason: x.reason.into(),
                })
                .collect(),
        );
        a.set_agency_name(agency_name.into());
        // Used for text and lines on white.
        a.set_agency_color(antre_ui::on_white(
            agency_color.as_deref().unwrap_or_default(),
        ));
        a.set_service_name(service_name.into());
        a.set_adding(s.choice.adding);
        a.set_visit_full(s.choice.full());
        let (visit, ticket_visit) = self.client.with_view(|v| {
            let ticket_visit = s
                .issued
                .as_ref()
                .and_then(|i| i.ticket.visit.as_deref())
                .filter(|visit| visit.len() > 1)
                .map(|visit| model::visit_lines(v, visit))
                .unwrap_or_default();
            (model::visit_lines(v, &s.choice.visit), ticket_visit)
        });
        let strings = |lines: Vec<String>| lines.into_iter().map(SharedString::from).collect();
        replace_if_changed(&self.models.visit, strings(visit));
        replace_if_changed(&self.models.ticket_visit, strings(ticket_visit));
        self.refresh_aspirasi(&s, &a);
        a.set_problem_title(s.title.as_str().into());
        a.set_problem_detail(s.detail.as_str().into());
        if s.screen == Screen::Wait && !online {
            a.set_wait_text(w.say(Say::ConnectionLost).into());
        }
        match &s.issued {
            Some(i) => {
                let (ahead, wait) = i
                    .ticket
                    .estimate()
                    .map(|e| estimate::describe(&e, en))
                    .unwrap_or_default();
                a.set_ticket_code(i.ticket.code.as_str().into());
                a.set_ticket_service(service_name_of(&self.client, &i.ticket).into());
                a.set_ticket_priority(
                    model::priority_label(i.ticket.priority)
                        .map(|p| w.say(p))
                        .unwrap_or_default()
                        .into(),
                );
                a.set_ticket_ahead(ahead.into());
                a.set_ticket_wait(wait.into());
                a.set_printing(i.printing);
                // A printer problem is shown as a failed print (with "Cetak ulang" for when
                // staff have mended it), with the ticket on the screen beside.
                a.set_print_failed(i.failed.is_some() || i.phone == Some(PhoneWhy::PrinterProblem));
                a.set_phone_ticket(i.phone.is_some());
                if a.get_ticket_qr_text() != i.qr.0.as_str() {
                    a.set_ticket_qr_text(i.qr.0.as_str().into());
                    a.set_ticket_qr(i.qr.1.clone());
                }
                a.set_print_note(
                    w.say(if i.phone == Some(PhoneWhy::PrinterProblem) {
                        Say::PrinterProblemPhone
                    } else if i.phone == Some(PhoneWhy::NoPrinter) {
                        Say::TicketOnPhone
                    } else if i.printing {
                        Say::Printing
                    } else if let Some(e) = &i.failed {
                        Say::PrintFailed {
                            why: status_indonesian(e.status).to_owned(),
                        }
                    } else {
                        Say::TakeYourTicket
                    })
                    .into(),
                );
            }
            None => {
                a.set_ticket_code(SharedString::new());
            }
        }
    }
}

impl KioskApp {
    fn refresh_aspirasi(&self, s: &State, a: &KioskAdapter<'_>) {
        let en = s.english;
        let prefixes: Vec<SharedString> = self.client.with_view(|v| {
            let mut p: Vec<String> = v
                .hall
                .iter()
                .flat_map(|h| h.services.iter().map(|x| x.prefix.clone()))
                .collect();
            p.sort();
            p.dedup();
            p.into_iter().map(Into::into).collect()
        });
        replace_if_changed(&self.models.prefixes, prefixes);
        a.set_code_input(s.survey.input.as_str().into());
        a.set_bookings(
            self.client
                .with_view(|v| v.hall.as_ref().is_some_and(|h| h.bookings)),
        );
        a.set_booking_input(s.booking.shown().into());
        a.set_booking_ready(s.booking.ready());
        a.set_booking_error(s.booking.error.as_str().into());
        a.set_booking_code(s.booking.code.clone().unwrap_or_default().into());
        a.set_code_error(s.survey.error.as_str().into());
        let q = s.survey.question.min(ELEMENTS - 1);
        let element = &SURVEY[q];
        a.set_question(q as i32);
        a.set_question_text(
            if en {
                element.question_en
            } else {
                element.question
            }
            .into(),
        );
        let labels = if en {
            element.answers_en
        } else {
            element.answers
        };
        replace_if_changed(
            &self.models.answer_labels,
            labels.iter().map(|l| SharedString::from(*l)).collect(),
        );
        a.set_chosen(s.survey.answers[q].map_or(-1, |x| i32::from(x) - 1));
        let asp = s.aspiration.as_ref();
        a.set_sending(s.survey.sending || asp.is_some_and(|x| x.sending));
        a.set_aspiration_kind(match asp.map(|x| x.kind) {
            Some(AspirationKind::Suggestion) => 1,
            Some(AspirationKind::Complaint) => 2,
            _ => 0,
        });
        let text = asp.map(|x| x.text.as_str()).unwrap_or_default();
        a.set_typed_text(text.into());
        a.set_typed_count(text.chars().count() as i32);
        a.set_typed_max(MAX_ASPIRATION_CHARS as i32);
        a.set_shift(asp.is_some_and(|x| x.shift));
        a.set_send_error(
            match asp {
                Some(x) => x.error.as_str(),
                None => s.survey.send_error.as_str(),
            }
            .into(),
        );
    }

    // --- for tests -----------------------------------------------------------------------------

    /// The survey's current question (0..9) and the code being rated.
    pub fn survey_progress(&self) -> (usize, Option<String>) {
        let s = self.state.borrow();
        (s.survey.question, s.survey.code.clone())
    }

    /// Whether a survey or an aspiration is on its way to the hub.
    pub fn sending(&self) -> bool {
        let s = self.state.borrow();
        s.survey.sending || s.aspiration.as_ref().is_some_and(|a| a.sending)
    }

    /// What the visitor sees as the title and text of a message screen.
    pub fn message(&self) -> (String, String) {
        let s = self.state.borrow();
        (s.title.clone(), s.detail.clone())
    }
}

/// A QR code as an image for the screen: black modules on white, 4 modules of quiet zone,
/// 8 pixels per module (scaled smoothly by nothing: `image-rendering: pixelated`).
pub fn qr_image(text: &str) -> slint::Image {
    use slint::{Rgb8Pixel, SharedPixelBuffer};
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return slint::Image::default();
    };
    let modules = code.width();
    let colors = code.to_colors();
    let (quiet, scale) = (4usize, 8usize);
    let side = (modules + 2 * quiet) * scale;
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(side as u32, side as u32);
    let pixels = buf.make_mut_slice();
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / scale).wrapping_sub(quiet),
                (y / scale).wrapping_sub(quiet),
            );
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            let v = if dark { 0 } else { 255 };
            pixels[y * side + x] = Rgb8Pixel { r: v, g: v, b: v };
        }
    }
    slint::Image::from_rgb8(buf)
}

fn service_name_of(client: &Client, t: &Ticket) -> String {
    client.with_view(|v| {
        v.hall
            .as_ref()
            .and_then(|h| h.services.iter().find(|s| s.id == t.service))
            .map(|s| s.name.clone())
            .unwrap_or_else(|| t.service.to_string())
    })
}

impl inbox::Pump for KioskApp {
    fn pump(&self) {
        KioskApp::pump(self);
    }
}
