//! The display window and its wiring: the hub's updates come through the [`Inbox`]; a call
//! goes on screen at once (the next frame) and into the announcer's queue.

use crate::model::{self, CallRow};
use crate::voice::{Announcer, Call};
use antre_client::{Client, Status, Update};
use antre_core::clock::{system_clock, Clock};
use antre_core::domain::words::date_long;
use antre_core::proto::Event;
use antre_ui::inbox::{self, Inbox};
use antre_ui::replace_if_changed;
use antre_ui::{AgencyWaiting, CounterCell, DisplayAdapter, DisplayWindow};
use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, VecModel};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// A call older than this when it reaches the display (it was offline) is shown, not spoken.
const ANNOUNCE_WITHIN: chrono::Duration = chrono::Duration::seconds(60);
/// Seconds each running-text announcement stays.
const RUNNING_TEXT_SECS: i64 = 12;

/// A call waiting for its frame: (code, when it arrived here, when the hub committed it).
type Pending = (String, Instant, DateTime<Utc>);

enum Msg {
    Online,
    Offline,
    Event(Box<Event>),
}

pub struct DisplayApp {
    pub window: DisplayWindow,
    client: Client,
    inbox: Inbox<Msg>,
    announcer: Option<Announcer>,
    flash_seq: Cell<i32>,
    clock: RefCell<Clock>,
    /// When offline began (for "last update" on the indicator).
    offline_since: Cell<Option<DateTime<Utc>>>,
    /// `--measure`: when the latest call arrived, until its frame is rendered.
    measuring: Rc<RefCell<Option<Pending>>>,
    measure_next_turn: Cell<bool>,
    /// The screen's lists, kept and updated in place.
    history: Rc<VecModel<antre_ui::CallRow>>,
    counters: Rc<VecModel<CounterCell>>,
    waiting: Rc<VecModel<AgencyWaiting>>,
}

impl DisplayApp {
    /// Builds the window, without running the event loop. `announcer`: `None` is a silent
    /// display.
    ///
    /// # Errors
    /// The window cannot be created.
    pub fn new(
        client: Client,
        updates: UnboundedReceiver<Update>,
        rt: &tokio::runtime::Handle,
        announcer: Option<Announcer>,
    ) -> Result<Rc<Self>, slint::PlatformError> {
        let window = DisplayWindow::new()?;
        let (history, counters, waiting) = (Rc::default(), Rc::default(), Rc::default());
        {
            let a = window.global::<DisplayAdapter>();
            a.set_history(ModelRc::from(Rc::clone(&history)));
            a.set_counters(ModelRc::from(Rc::clone(&counters)));
            a.set_waiting(ModelRc::from(Rc::clone(&waiting)));
        }
        let inbox = Inbox::default();
        inbox.forward(rt, updates, |u| match u {
            Update::Online { .. } => Msg::Online,
            Update::Offline(_) => Msg::Offline,
            Update::Event(e) => Msg::Event(e),
        });
        let app = Rc::new(DisplayApp {
            window,
            client,
            inbox,
            announcer,
            flash_seq: Cell::new(0),
            clock: RefCell::new(system_clock()),
            offline_since: Cell::new(None),
            measuring: Rc::default(),
            measure_next_turn: Cell::new(false),
            history,
            counters,
            waiting,
        });
        inbox::pump_on_wake(&app);
        app.refresh();
        Ok(app)
    }

    /// Prints, for each call, how long it took from its arrival here (and from the hub's
    /// commit) to the frame that shows it (`antre-display --measure`, for the benchmark).
    /// With a renderer that reports its frames, the time is taken after the frame; the
    /// software renderer does not, and the time is taken at the next turn of the event loop
    /// after the screen's properties were set (the turn in which the frame is drawn).
    pub fn measure_frames(&self) {
        let pending = Rc::clone(&self.measuring);
        let notified = self
            .window
            .window()
            .set_rendering_notifier(move |state, _| {
                if matches!(state, slint::RenderingState::AfterRendering) {
                    if let Some(p) = pending.borrow_mut().take() {
                        report(&p, "frame");
                    }
                }
            });
        self.measure_next_turn.set(notified.is_err());
    }

    pub fn set_clock(&self, clock: Clock) {
        *self.clock.borrow_mut() = clock;
        self.refresh();
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock.borrow())()
    }

    /// Applies what arrived and refreshes the screen.
    pub fn pump(&self) {
        self.inbox.drain(|m| self.apply(m));
        self.refresh();
        if self.measure_next_turn.get() {
            if let Some(p) = self.measuring.borrow_mut().take() {
                slint::Timer::single_shot(Duration::ZERO, move || report(&p, "turn"));
            }
        }
    }

    /// For tests: pumps until `done` holds or `timeout` passes; true if it held.
    pub fn pump_until(&self, timeout: Duration, done: impl Fn(&DisplayApp) -> bool) -> bool {
        self.inbox.wait(
            timeout,
            |m| self.apply(m),
            || {
                // As the event loop does: everything that is there, then the screen.
                self.inbox.drain(|m| self.apply(m));
                self.refresh();
                done(self)
            },
        )
    }

    fn apply(&self, m: Msg) {
        match m {
            Msg::Online => self.offline_since.set(None),
            Msg::Offline => {
                if self.offline_since.get().is_none() {
                    self.offline_since.set(Some(self.now()));
                }
            }
            Msg::Event(e) => {
                let Some(call) = self.client.with_view(|v| model::call_of(v, &e)) else {
                    return;
                };
                self.flash_seq.set(self.flash_seq.get() + 1);
                let committed = DateTime::parse_from_rfc3339(&e.at)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|_| self.now());
                *self.measuring.borrow_mut() = Some((call.code.clone(), Instant::now(), committed));
                if let Some(a) = &self.announcer {
                    if self.now() - committed <= ANNOUNCE_WITHIN {
                        a.announce(Call {
                            code: call.code.clone(),
                            counter: call.counter.clone(),
                            recall: call.recall,
                        });
                    }
                }
            }
        }
    }

    /// The calls on screen, newest first (the hall view's, in this display's zone).
    pub fn calls(&self) -> Vec<CallRow> {
        self.client.with_view(model::calls)
    }

    pub fn announcer(&self) -> Option<&Announcer> {
        self.announcer.as_ref()
    }

    /// Puts the current state on the screen.
    pub fn refresh(&self) {
        let now = self.now();
        let a = self.window.global::<DisplayAdapter>();
        let (tz, hall, running, counters, waiting) = self.client.with_view(|v| {
            let hall = v.hall.as_ref();
            (
                v.tz(),
                hall.map(|h| h.name.clone()).unwrap_or_default(),
                hall.map(|h| h.running_text.clone()).unwrap_or_default(),
                model::counters(v),
                model::waiting(v),
            )
        });
        let local = now.with_timezone(&tz);
        a.set_hall_name(hall.into());
        a.set_date_text(date_long(local.date_naive(), false).into());
        a.set_clock_text(local.format("%H:%M").to_string().into());
        let online = self.client.status() == Status::Online;
        a.set_online(online);
        a.set_offline_text(
            match self.offline_since.get() {
                Some(t) => format!(
                    "Terputus dari server sejak {}",
                    t.with_timezone(&tz).format("%H:%M")
                ),
                None => "Menghubungkan ke server…".into(),
            }
            .into(),
        );
        let calls = self.calls();
        match calls.first() {
            Some(c) => {
                a.set_has_latest(true);
                a.set_latest_code(c.code.as_str().into());
                a.set_latest_counter(c.counter.as_str().into());
                a.set_latest_recall(c.recall);
            }
            None => {
                a.set_has_latest(false);
                a.set_latest_code("".into());
                a.set_latest_counter("".into());
                a.set_latest_recall(false);
            }
        }
        a.set_flash_seq(self.flash_seq.get());
        replace_if_changed(
            &self.history,
            calls
                .iter()
                .skip(1)
                .map(|c| antre_ui::CallRow {
                    code: c.code.as_str().into(),
                    counter: c.counter.as_str().into(),
                    recall: c.recall,
                })
                .collect(),
        );
        replace_if_changed(
            &self.counters,
            counters
                .into_iter()
                .map(|c| CounterCell {
                    name: c.name.into(),
                    code: c.code.into(),
                    serving: c.serving,
                    paused: c.paused.into(),
                    pause_reason: c.pause_reason.into(),
                    pause_until: c.pause_until.into(),
                })
                .collect(),
        );
        replace_if_changed(
            &self.waiting,
            waiting
                .into_iter()
                .map(|w| AgencyWaiting {
                    name: w.name.into(),
                    color: antre_ui::color_from_hex(&w.color),
                    waiting: w.waiting as i32,
                })
                .collect(),
        );
        let text = if running.is_empty() {
            String::new()
        } else {
            let i = (now.timestamp() / RUNNING_TEXT_SECS).rem_euclid(running.len() as i64);
            running[i as usize].clone()
        };
        a.set_running_text(text.into());
    }
}

fn report((code, arrived, committed): &Pending, how: &str) {
    let from_commit = (Utc::now() - *committed).num_microseconds().unwrap_or(0);
    println!(
        "frame {code} arrival_to_frame_us={} commit_to_frame_us={from_commit} measured_at={how}",
        arrived.elapsed().as_micros()
    );
}

impl inbox::Pump for DisplayApp {
    fn pump(&self) {
        DisplayApp::pump(self);
    }
}
