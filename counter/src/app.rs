//! The counter window and its wiring. A background tokio task forwards the client's updates
//! and the replies to requests into the app's inbox and wakes the UI thread, which applies them
//! ([`CounterApp::pump`]) and refreshes the screen from the hall view.

use crate::model::{self, Model};
use antre_client::{Client, RequestError, Status, Update};
use antre_core::clock::{system_clock, Clock};
use antre_core::domain::counter::{valid_until, PauseReason};
use antre_core::proto::{OkReply, Request};
use antre_ui::inbox::Inbox;
use antre_ui::replace_if_changed;
use antre_ui::{CounterAdapter, CounterWindow, ServiceChoice, ServiceCount, WaitingRow};
use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// What the background sends the UI thread.
enum Msg {
    /// The hall view changed (the client applied an update).
    Changed,
    Done {
        what: &'static str,
        result: Box<Result<OkReply, RequestError>>,
    },
}

pub struct CounterApp {
    pub window: CounterWindow,
    client: Client,
    rt: tokio::runtime::Handle,
    inbox: Inbox<Msg>,
    ui: RefCell<UiState>,
    waiting: Rc<VecModel<WaitingRow>>,
    counts: Rc<VecModel<ServiceCount>>,
    choices: Rc<VecModel<ServiceChoice>>,
    clock: RefCell<Clock>,
}

#[derive(Default)]
struct UiState {
    /// A request is in flight: every action waits for it (no double presses).
    busy: bool,
    /// (text, is_error)
    message: Option<(String, bool)>,
}

impl CounterApp {
    /// Builds the window and wires it to `client`, without running the event loop.
    ///
    /// # Errors
    /// The window cannot be created (no display, no font).
    pub fn new(
        client: Client,
        updates: UnboundedReceiver<Update>,
        rt: tokio::runtime::Handle,
    ) -> Result<Rc<Self>, slint::PlatformError> {
        let window = CounterWindow::new()?;
        let inbox = Inbox::default();
        inbox.forward(&rt, updates, |_| Msg::Changed);
        let waiting = Rc::new(VecModel::default());
        let counts = Rc::new(VecModel::default());
        let choices = Rc::new(VecModel::default());
        let adapter = window.global::<CounterAdapter>();
        adapter.set_waiting(ModelRc::from(waiting.clone()));
        adapter.set_counts(ModelRc::from(counts.clone()));
        adapter.set_transfer_choices(ModelRc::from(choices.clone()));
        let app = Rc::new(CounterApp {
            window,
            client,
            rt,
            inbox,
            ui: RefCell::default(),
            waiting,
            counts,
            choices,
            clock: RefCell::new(system_clock()),
        });
        app.wire();
        antre_ui::inbox::pump_on_wake(&app);
        app.refresh();
        Ok(app)
    }

    fn wire(self: &Rc<Self>) {
        let adapter = self.window.global::<CounterAdapter>();
        let on = |f: fn(&CounterApp)| {
            let weak = Rc::downgrade(self);
            move || {
                if let Some(app) = weak.upgrade() {
                    f(&app);
                }
            }
        };
        adapter.on_call_next(on(|a| {
            a.counter_action("dipanggil", |c| Request::CallNext { counter: c })
        }));
        adapter.on_recall(on(|a| {
            a.counter_action("dipanggil ulang", |c| Request::Recall { counter: c })
        }));
        adapter.on_start_serving(on(|a| {
            a.counter_action("mulai dilayani", |c| Request::StartServing { counter: c })
        }));
        adapter.on_finish(on(|a| {
            a.counter_action("selesai dilayani", |c| Request::Finish { counter: c })
        }));
        adapter.on_no_show(on(|a| {
            a.counter_action("dicatat tidak hadir", |c| Request::NoShow { counter: c })
        }));
        adapter.on_close_counter(on(|a| {
            a.counter_action("Loket ditutup", |c| Request::CloseCounter { counter: c })
        }));
        adapter.on_resume(on(|a| {
            a.counter_action("Loket melayani lagi", |c| Request::ResumeCounter {
                counter: c,
            })
        }));
        let weak = Rc::downgrade(self);
        adapter.on_pause(move |reason, until| {
            let Some(app) = weak.upgrade() else { return };
            let Ok(reason) = reason.parse::<PauseReason>() else {
                return;
            };
            let until = until.trim().to_owned();
            if !until.is_empty() && !valid_until(&until) {
                app.ui.borrow_mut().message = Some((
                    format!("Jam \"{until}\" tidak dikenali: tulis seperti 13:00, atau kosongkan."),
                    true,
                ));
                app.refresh();
                return;
            }
            app.window.global::<CounterAdapter>().set_pause_open(false);
            let until = (!until.is_empty()).then_some(until);
            app.counter_action("Loket dijeda", move |c| Request::PauseCounter {
                counter: c,
                reason,
                until,
            });
        });
        adapter.on_dismiss_message(on(|a| {
            a.ui.borrow_mut().message = None;
            a.refresh();
        }));
        let weak = Rc::downgrade(self);
        adapter.on_open_counter(move |name| {
            if let Some(app) = weak.upgrade() {
                let officer = name.trim().to_owned();
                if officer.is_empty() {
                    return;
                }
                app.counter_action("Loket dibuka", move |c| Request::OpenCounter {
                    counter: c,
                    officer,
                });
            }
        });
        let weak = Rc::downgrade(self);
        adapter.on_transfer(move |service| {
            if let Some(app) = weak.upgrade() {
                app.window
                    .global::<CounterAdapter>()
                    .set_transfer_open(false);
                let to_service = service.as_str().into();
                app.counter_action("dialihkan ke layanan lain", move |c| Request::Transfer {
                    counter: c,
                    to_service,
                });
            }
        });
        let weak = Rc::downgrade(self);
        adapter.on_call_ticket(move |code| {
            if let Some(app) = weak.upgrade() {
                if code.is_empty() {
                    return;
                }
                let ticket = code.to_string();
                app.window
                    .global::<CounterAdapter>()
                    .set_selected_code(SharedString::new());
                app.counter_action("dipanggil", move |c| Request::CallTicket {
                    counter: c,
                    ticket,
                });
            }
        });
        let weak = Rc::downgrade(self);
        adapter.on_select(move |code| {
            if let Some(app) = weak.upgrade() {
                let adapter = app.window.global::<CounterAdapter>();
                let same = adapter.get_selected_code() == code;
                adapter.set_selected_code(if same { SharedString::new() } else { code });
                app.refresh();
            }
        });
    }

    /// Sends a request for this device's counter, once: the buttons stay disabled until the
    /// reply. `what` completes the success message: "A-012 {what}", or alone without a ticket. The client re-sends it with the same id if the connection drops meanwhile.
    fn counter_action(
        &self,
        what: &'static str,
        make: impl FnOnce(antre_core::domain::CounterId) -> Request,
    ) {
        let Some(counter) = self.client.with_view(|v| v.counter.clone()) else {
            return;
        };
        {
            let mut ui = self.ui.borrow_mut();
            if ui.busy {
                return;
            }
            ui.busy = true;
            ui.message = None;
        }
        let request = make(counter);
        let (client, tx) = (self.client.clone(), self.inbox.sender());
        self.rt.spawn(async move {
            let result = client.request(request).await;
            let _ = tx.send(Msg::Done {
                what,
                result: Box::new(result),
            });
        });
        self.refresh();
    }

    /// Applies everything that arrived and refreshes the screen.
    pub fn pump(&self) {
        self.inbox.drain(|m| self.apply(m));
        self.refresh();
    }

    fn apply(&self, m: Msg) {
        match m {
            Msg::Changed => {} // the view is already updated; refresh shows it
            Msg::Done { what, result } => {
                let mut ui = self.ui.borrow_mut();
                ui.busy = false;
                ui.message = Some(match *result {
                    Ok(ok) => match ok.ticket {
                        // A visit with services left: where the visitor goes next.
                        Some(t) => match self.client.with_view(|v| model::next_stop(v, &t)) {
                            Some(next) => (format!("{} selesai di sini — {next}", t.code), false),
                            None => (format!("{} {what}", t.code), false),
                        },
                        None => (what.to_owned(), false),
                    },
                    Err(e) => (model::error_text(e.code()), true),
                });
            }
        }
    }

    /// For tests: pumps until `done` holds or `timeout` passes; true if it held.
    pub fn pump_until(&self, timeout: Duration, done: impl Fn(&CounterApp) -> bool) -> bool {
        self.inbox.wait(
            timeout,
            |m| self.apply(m),
            || {
                // As the event loop does: everything that is there, then the screen.
                self.pump();
                done(self)
            },
        )
    }

    /// Uses `clock` for the clock and the "how long" figures (tests use the hub's clock).
    pub fn set_clock(&self, clock: Clock) {
        *self.clock.borrow_mut() = clock;
        self.refresh();
    }

    /// Whether a request is in flight.
    pub fn busy(&self) -> bool {
        self.ui.borrow().busy
    }

    /// The model as shown now.
    pub fn model(&self) -> Model {
        self.model_at(self.now())
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock.borrow())()
    }

    fn model_at(&self, now: DateTime<Utc>) -> Model {
        let online = self.client.is_online();
        let busy = self.ui.borrow().busy;
        let selected = self.window.global::<CounterAdapter>().get_selected_code();
        let selected = (!selected.is_empty()).then(|| selected.to_string());
        self.client
            .with_view(|v| model::build(v, now, online, busy, selected.as_deref()))
    }

    /// Puts the current state on the screen.
    pub fn refresh(&self) {
        let now = self.now();
        let m = self.model_at(now);
        let a = self.window.global::<CounterAdapter>();
        a.set_hall_name(m.hall.as_str().into());
        a.set_counter_name(m.counter.as_str().into());
        a.set_officer(m.officer.as_str().into());
        // The hall's time, whatever zone this PC is set to.
        let tz: chrono_tz::Tz = self.client.with_view(antre_client::HallView::tz);
        a.set_clock(now.with_timezone(&tz).format("%H:%M:%S").to_string().into());
        let status = self.client.status();
        a.set_online(status == Status::Online);
        a.set_offline_reason(match status {
            Status::Offline(r) => r.into(),
            _ => SharedString::new(),
        });
        a.set_notice(m.notice.as_str().into());
        a.set_known(m.known);
        a.set_open(m.open);
        a.set_busy(self.ui.borrow().busy);
        match &m.current {
            Some(c) => {
                a.set_has_current(true);
                a.set_current_code(c.code.as_str().into());
                a.set_current_service(c.service.as_str().into());
                a.set_current_state(c.state.into());
                a.set_current_serving(c.status == antre_core::domain::TicketStatus::Serving);
                a.set_current_since(c.since.as_str().into());
                a.set_current_priority(c.priority);
                a.set_current_recalls(c.recalls as i32);
                a.set_current_step(c.step.as_deref().unwrap_or_default().into());
            }
            None => {
                a.set_has_current(false);
                a.set_current_code(SharedString::new());
            }
        }
        a.set_can_call_next(m.can.call_next);
        a.set_can_recall(m.can.recall);
        a.set_can_start(m.can.start);
        a.set_can_finish(m.can.finish);
        a.set_can_no_show(m.can.no_show);
        a.set_can_transfer(m.can.transfer);
        a.set_can_call_ticket(m.can.call_ticket);
        a.set_can_close(m.can.close);
        a.set_can_pause(m.can.pause);
        a.set_can_resume(m.can.resume);
        a.set_paused_text(m.paused.as_deref().unwrap_or_default().into());
        let rows: Vec<WaitingRow> = m
            .waiting
            .iter()
            .map(|w| WaitingRow {
                code: w.code.as_str().into(),
                service: w.service.as_str().into(),
                priority: w.priority,
                waited: w.waited.as_str().into(),
            })
            .collect();
        replace_if_changed(&self.waiting, rows);
        let counts: Vec<ServiceCount> = m
            .counts
            .iter()
            .map(|(n, c)| ServiceCount {
                name: n.as_str().into(),
                waiting: *c as i32,
            })
            .collect();
        replace_if_changed(&self.counts, counts);
        let choices: Vec<ServiceChoice> = m
            .transfer_to
            .iter()
            .map(|(id, n)| ServiceChoice {
                id: id.as_str().into(),
                name: n.as_str().into(),
            })
            .collect();
        replace_if_changed(&self.choices, choices);
        a.set_served(m.served as i32);
        a.set_no_show_count(m.no_show as i32);
        a.set_average(m.average.as_str().into());
        let ui = self.ui.borrow();
        let (text, error) = ui.message.clone().unwrap_or_default();
        a.set_message(text.into());
        a.set_message_is_error(error);
    }
}

impl antre_ui::inbox::Pump for CounterApp {
    fn pump(&self) {
        CounterApp::pump(self);
    }
}
