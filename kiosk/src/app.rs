//! The kiosk window and the visitor's way through it: agency → service → priority → the
//! ticket, printed. Network and printer work runs on the tokio runtime; what they learn comes
//! back through the [`Inbox`] and is applied on the UI thread.

use crate::model::{self, tr};
use crate::printer::{status_indonesian, PrintError, Printer};
use crate::ticket::{qr_payload, ticket_bytes, Paper, TicketPaper};
use antre_shared::client::{Client, RequestError, Status, Update};
use antre_shared::domain::words::date_long;
use antre_shared::domain::{Priority, ServiceId};
use antre_shared::proto::{OkReply, PrinterStatus, Request, Ticket};
use antre_shared::server::{system_clock, Clock};
use antre_ui::inbox::{self, Inbox};
use antre_ui::{AgencyTile, KioskAdapter, KioskWindow, ServiceTile};
use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// How often the printer is asked while nobody uses the kiosk, so staff hear of an empty
/// roll before a visitor does.
const PRINTER_CHECK_EVERY: chrono::Duration = chrono::Duration::seconds(30);

/// The screens, as `KioskAdapter.screen` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start = 0,
    Services = 1,
    Priority = 2,
    Wait = 3,
    Ticket = 4,
    PrinterProblem = 5,
    Refused = 6,
}

/// Settings of the kiosk beyond the hub connection.
#[derive(Debug, Clone)]
pub struct KioskOptions {
    pub paper: Paper,
    /// Back to the start screen after this long without a touch.
    pub idle: Duration,
    /// The live ticket page's base URL, for the QR code (else the QR holds the ticket code).
    pub public_url: Option<String>,
}

enum Msg {
    /// The hall view changed.
    Changed,
    /// A printer status check finished.
    Printer(PrinterStatus, String),
    /// The hub answered the issue request.
    Issued(Box<Result<OkReply, RequestError>>),
    /// A print job finished.
    Printed(Result<PrinterStatus, PrintError>),
    /// The hub stored our printer report.
    Reported(PrinterStatus, Option<String>),
}

/// The ticket the visitor just got.
struct Issued {
    ticket: Ticket,
    job: Vec<u8>,
    printing: bool,
    /// Set when the last attempt to print failed.
    failed: Option<PrintError>,
}

struct State {
    screen: Screen,
    english: bool,
    agency: Option<String>,
    service: Option<ServiceId>,
    priority: Option<Priority>,
    /// A request or a print is in flight: taps wait for it (no double tickets).
    busy: bool,
    last_touch: DateTime<Utc>,
    issued: Option<Issued>,
    title: String,
    detail: String,
    printer: Option<(PrinterStatus, String)>,
    printer_checked: Option<DateTime<Utc>>,
    checking: bool,
    /// Status checks finished so far.
    checks: u64,
    /// What the hub last stored about our printer.
    reported: Option<(PrinterStatus, Option<String>)>,
    reporting: bool,
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
                agency: None,
                service: None,
                priority: None,
                busy: false,
                last_touch: now,
                issued: None,
                title: String::new(),
                detail: String::new(),
                printer: None,
                printer_checked: None,
                checking: false,
                checks: 0,
                reported: None,
                reporting: false,
            }),
            clock: RefCell::new(clock),
        });
        app.wire();
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
        on!(on_back, |app| app.back());
        on!(on_home, |app| app.home());
        on!(on_toggle_language, |app| {
            let mut s = app.state.borrow_mut();
            s.english = !s.english;
        });
        on!(on_reprint, |app| app.reprint());
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
        self.client
            .with_view(|v| {
                v.hall
                    .as_ref()
                    .and_then(|h| h.timezone.as_deref()?.parse().ok())
            })
            .unwrap_or(chrono_tz::Asia::Jakarta)
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
        s.agency = Some(id.to_owned());
        s.screen = Screen::Services;
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
        {
            let mut s = self.state.borrow_mut();
            if s.busy || s.screen != Screen::Services {
                return;
            }
            s.service = Some(service.id.clone());
        }
        if open {
            // The printer is asked once the visitor has chosen (`issue`).
            self.state.borrow_mut().screen = Screen::Priority;
        } else {
            // The hub refuses it and records the unmet demand, which the mall reports.
            self.issue(None, false);
        }
    }

    fn pick_priority(&self, p: &str) {
        if self.state.borrow().screen != Screen::Priority {
            return;
        }
        let priority = match p {
            "lansia" => Some(Priority::Lansia),
            "disabilitas" => Some(Priority::Disabilitas),
            "ibu_hamil" => Some(Priority::IbuHamil),
            _ => None,
        };
        self.issue(priority, true);
    }

    fn back(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy {
            return;
        }
        s.screen = match s.screen {
            Screen::Priority => Screen::Services,
            _ => Screen::Start,
        };
    }

    fn home(&self) {
        let mut s = self.state.borrow_mut();
        if s.busy {
            return;
        }
        s.screen = Screen::Start;
        s.agency = None;
        s.service = None;
        s.issued = None;
    }

    /// Checks the printer (when asked for), then asks the hub for a ticket, once: the request
    /// keeps its id through reconnects, so a dropped connection never makes two tickets.
    fn issue(&self, priority: Option<Priority>, check_printer: bool) {
        let english;
        let service;
        {
            let mut s = self.state.borrow_mut();
            if s.busy {
                return;
            }
            let Some(id) = s.service.clone() else { return };
            service = id;
            s.busy = true;
            s.priority = priority;
            s.screen = Screen::Wait;
            english = s.english;
        }
        self.set_wait_text(&tr(
            english,
            "Mohon tunggu, tiket Anda sedang dibuat…",
            "Please wait, your ticket is being made…",
        ));
        let (client, tx, printer) = (
            self.client.clone(),
            self.inbox.sender(),
            self.printer.clone(),
        );
        self.rt.spawn(async move {
            if check_printer {
                let p = printer.clone();
                let (status, detail) = tokio::task::spawn_blocking(move || p.check())
                    .await
                    .unwrap_or((PrinterStatus::NoAnswer, "the check panicked".into()));
                let can_print = status.can_print();
                tx.send(Msg::Printer(status, detail));
                if !can_print {
                    return;
                }
            }
            let result = client
                .request(Request::IssueTicket { service, priority })
                .await;
            tx.send(Msg::Issued(Box::new(result)));
        });
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
        {
            let mut s = self.state.borrow_mut();
            if s.checking {
                return;
            }
            s.checking = true;
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
        let (status, message) = {
            let s = self.state.borrow();
            let Some((status, _)) = &s.printer else {
                return;
            };
            let message =
                (*status != PrinterStatus::Ok).then(|| status_indonesian(*status).to_owned());
            if s.reporting || s.reported.as_ref() == Some(&(*status, message.clone())) {
                return;
            }
            (*status, message)
        };
        self.state.borrow_mut().reporting = true;
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
            // A visitor whose ticket did not print gets twice as long to note the number.
            let limit = if s.issued.as_ref().is_some_and(|i| i.failed.is_some()) {
                idle * 2
            } else {
                idle
            };
            let idle_home = s.screen != Screen::Start && !s.busy && now - s.last_touch >= limit;
            let check = s.screen == Screen::Start
                && !s.checking
                && s.printer_checked
                    .is_none_or(|t| now - t >= PRINTER_CHECK_EVERY);
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
                s.checking = false;
                s.checks += 1;
                s.printer_checked = Some(now);
                s.printer = Some((status, detail));
                if s.screen == Screen::Wait && s.issued.is_none() && !status.can_print() {
                    // The check before issuing failed: no ticket.
                    s.busy = false;
                    s.screen = Screen::PrinterProblem;
                    (s.title, s.detail) = model::printer_problem(status, s.english);
                }
            }
            Msg::Issued(result) => self.issued(*result),
            Msg::Printed(result) => {
                let mut s = self.state.borrow_mut();
                s.busy = false;
                let status = match &result {
                    Ok(st) => *st,
                    Err(e) => e.status,
                };
                s.printer = Some((status, String::new()));
                s.printer_checked = Some(self.now());
                if let Some(issued) = s.issued.as_mut() {
                    issued.printing = false;
                    issued.failed = result.err();
                    if let Some(e) = &issued.failed {
                        tracing::warn!(code = %issued.ticket.code, error = %e, "ticket not printed");
                    }
                }
            }
            Msg::Reported(status, message) => {
                let mut s = self.state.borrow_mut();
                s.reporting = false;
                s.reported = Some((status, message));
            }
        }
    }

    fn issued(&self, result: Result<OkReply, RequestError>) {
        let english = self.state.borrow().english;
        match result.map(|ok| ok.ticket) {
            Ok(Some(ticket)) => {
                let job = ticket_bytes(&self.paper_for(&ticket), self.options.paper);
                {
                    let mut s = self.state.borrow_mut();
                    s.screen = Screen::Ticket;
                    s.issued = Some(Issued {
                        ticket,
                        job: job.clone(),
                        printing: true,
                        failed: None,
                    });
                }
                self.print(job);
            }
            Ok(None) => self.refused(None, english),
            Err(e) => self.refused(Some(e), english),
        }
    }

    fn refused(&self, e: Option<RequestError>, english: bool) {
        let now = self.local_time();
        let reason = {
            let s = self.state.borrow();
            let service = s.service.clone();
            self.client.with_view(|v| {
                let info = v.hall.as_ref().and_then(|h| {
                    h.services
                        .iter()
                        .find(|x| Some(&x.id) == service.as_ref())
                        .cloned()
                })?;
                let why = match e.as_ref().and_then(RequestError::code) {
                    Some(antre_shared::proto::ErrorCode::QuotaExhausted) => {
                        antre_shared::domain::issuing::Refusal::QuotaExhausted
                    }
                    _ => antre_shared::domain::issuing::Refusal::ServiceClosed,
                };
                Some(model::closed_reason(&info, why, now, english))
            })
        };
        let code = e.as_ref().and_then(RequestError::code);
        if let Some(e) = &e {
            tracing::info!(error = %e, "no ticket");
        }
        let mut s = self.state.borrow_mut();
        s.busy = false;
        s.screen = Screen::Refused;
        (s.title, s.detail) = model::refusal_text(code, &reason.unwrap_or_default(), english);
    }

    /// What the printed ticket says.
    fn paper_for(&self, t: &Ticket) -> TicketPaper {
        let tz = self.tz();
        let when = self.now().with_timezone(&tz);
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
            ahead: t.ahead,
            wait_min: t.estimated_wait_min,
            qr: qr_payload(self.options.public_url.as_deref(), &t.day, &t.code),
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
        self.state.borrow().checks
    }

    /// Whether a printer status check is running.
    pub fn checking(&self) -> bool {
        self.state.borrow().checking
    }

    /// The last printer status the kiosk knows, if it checked.
    pub fn printer_status(&self) -> Option<PrinterStatus> {
        self.state.borrow().printer.as_ref().map(|p| p.0)
    }

    /// What the hub last stored about this kiosk's printer.
    pub fn reported(&self) -> Option<PrinterStatus> {
        self.state.borrow().reported.as_ref().map(|r| r.0)
    }

    /// The ticket on screen, and whether its printing failed.
    pub fn ticket(&self) -> Option<(String, bool)> {
        let s = self.state.borrow();
        s.issued
            .as_ref()
            .map(|i| (i.ticket.code.clone(), i.failed.is_some()))
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
        a.set_screen(s.screen as i32);
        a.set_english(en);
        a.set_online(online);
        a.set_clock_text(local.format("%H:%M").to_string().into());
        a.set_date_text(date_long(local.date_naive(), en).into());
        let time = local.time();
        let (hall, agencies, services, agency_name, agency_color, service_name) =
            self.client.with_view(|v| {
                let hall = v.hall.as_ref();
                let agency = s
                    .agency
                    .as_ref()
                    .and_then(|id| hall?.agencies.iter().find(|a| a.id.as_str() == id));
                (
                    hall.map(|h| h.name.clone())
                        .unwrap_or_else(|| tr(en, "Menghubungkan…", "Connecting…")),
                    model::agencies(v, time, en),
                    s.agency
                        .as_deref()
                        .map(|id| model::services(v, id, time, en))
                        .unwrap_or_default(),
                    agency.map(|a| a.name.clone()).unwrap_or_default(),
                    agency.and_then(|a| a.color.clone()),
                    s.service
                        .as_ref()
                        .and_then(|id| hall?.services.iter().find(|x| &x.id == id))
                        .map(|x| x.name.clone())
                        .unwrap_or_default(),
                )
            });
        a.set_hall_name(hall.into());
        a.set_agencies(ModelRc::new(VecModel::from(
            agencies
                .into_iter()
                .map(|t| AgencyTile {
                    id: t.id.into(),
                    name: t.name.into(),
                    color: antre_ui::color_from_hex(&t.color),
                    waiting: t.waiting as i32,
                    // A closed agency stays tappable: its services say when they open.
                    enabled: online,
                    note: t.note.into(),
                })
                .collect::<Vec<_>>(),
        )));
        a.set_services(ModelRc::new(VecModel::from(
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
                .collect::<Vec<_>>(),
        )));
        a.set_agency_name(agency_name.into());
        a.set_agency_color(antre_ui::color_from_hex(
            agency_color.as_deref().unwrap_or_default(),
        ));
        a.set_service_name(service_name.into());
        a.set_problem_title(s.title.as_str().into());
        a.set_problem_detail(s.detail.as_str().into());
        if s.screen == Screen::Wait && !online {
            a.set_wait_text(
                tr(
                    en,
                    "Koneksi terputus. Tiket Anda akan dibuat begitu tersambung kembali…",
                    "Connection lost. Your ticket will be made as soon as it is back…",
                )
                .into(),
            );
        }
        match &s.issued {
            Some(i) => {
                let (ahead, wait) =
                    model::ticket_figures(i.ticket.ahead, i.ticket.estimated_wait_min, en);
                a.set_ticket_code(i.ticket.code.as_str().into());
                a.set_ticket_service(service_name_of(&self.client, &i.ticket).into());
                a.set_ticket_priority(
                    model::priority_label(i.ticket.priority, en)
                        .unwrap_or_default()
                        .into(),
                );
                a.set_ticket_ahead(ahead.into());
                a.set_ticket_wait(wait.into());
                a.set_printing(i.printing);
                a.set_print_failed(i.failed.is_some());
                a.set_print_note(
                    if i.printing {
                        tr(en, "Tiket sedang dicetak…", "Printing your ticket…")
                    } else if let Some(e) = &i.failed {
                        let why = status_indonesian(e.status);
                        tr(
                            en,
                            &format!("Tiket gagal dicetak ({why}). Ingat nomor Anda di atas, atau tekan Cetak ulang."),
                            "The ticket could not be printed. Remember your number above, or press Print again.",
                        )
                    } else {
                        tr(en, "Silakan ambil tiket Anda", "Please take your ticket")
                    }
                    .into(),
                );
            }
            None => {
                a.set_ticket_code(SharedString::new());
            }
        }
    }
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
