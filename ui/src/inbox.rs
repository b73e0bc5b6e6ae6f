//! How news from background threads (the hub client, the printer, the voice) reaches the UI
//! thread: each app owns one [`Inbox`] of its own message type; senders post into it and wake
//! the event loop, which drains it. Tests, which run no event loop, drain it themselves with
//! [`Inbox::wait`].

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::{Duration, Instant};

thread_local! {
    /// What the UI thread runs when woken: the app's drain, registered by the app.
    static ON_WAKE: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what the UI thread runs when a sender wakes it (one app per thread).
pub fn on_wake(f: impl Fn() + 'static) {
    ON_WAKE.with(|w| *w.borrow_mut() = Some(Box::new(f)));
}

/// Asks the UI thread to run its [`on_wake`] function. Without a running event loop (tests)
/// this does nothing; the test drains the inbox itself.
pub fn wake() {
    let _ = slint::invoke_from_event_loop(|| {
        ON_WAKE.with(|w| {
            if let Some(f) = w.borrow().as_ref() {
                f();
            }
        });
    });
}

/// The sending side, for any thread.
pub struct Sender<M>(mpsc::Sender<M>);

impl<M> Clone for Sender<M> {
    fn clone(&self) -> Self {
        Sender(self.0.clone())
    }
}

impl<M> Sender<M> {
    /// Posts `m` and wakes the UI thread. False when the app is gone.
    pub fn send(&self, m: M) -> bool {
        let sent = self.0.send(m).is_ok();
        if sent {
            wake();
        }
        sent
    }
}

/// The receiving side, owned by the app on the UI thread.
pub struct Inbox<M> {
    tx: mpsc::Sender<M>,
    rx: mpsc::Receiver<M>,
}

impl<M> Default for Inbox<M> {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Inbox { tx, rx }
    }
}

impl<M> Inbox<M> {
    pub fn sender(&self) -> Sender<M> {
        Sender(self.tx.clone())
    }

    /// Applies every message that is there now.
    pub fn drain(&self, mut apply: impl FnMut(M)) {
        while let Ok(m) = self.rx.try_recv() {
            apply(m);
        }
    }

    /// Applies messages one at a time as they come until `done` holds (checked before the
    /// first and after each) or `timeout` passes; true if it held. One at a time, so a test can
    /// stop right after the message it waits for, before the next is applied.
    pub fn wait(
        &self,
        timeout: Duration,
        mut apply: impl FnMut(M),
        done: impl Fn() -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) => apply(m),
                Err(_) => return done(),
            }
        }
    }
}

/// An app whose UI thread applies what arrived and refreshes its screen in `pump`.
pub trait Pump: 'static {
    fn pump(&self);
}

/// Makes senders' wake-ups run `app.pump()` on this (the UI) thread, for as long as the app lives.
pub fn pump_on_wake<A: Pump>(app: &std::rc::Rc<A>) {
    let weak = std::rc::Rc::downgrade(app);
    on_wake(move || {
        if let Some(app) = weak.upgrade() {
            app.pump();
        }
    });
}

/// Runs the window's event loop, pumping the app once a second too (the clock, idle timers,
/// catching up), until the window closes.
///
/// # Errors
/// The event loop cannot run.
pub fn run_pumping<A: Pump>(
    app: &std::rc::Rc<A>,
    window: &impl slint::ComponentHandle,
) -> Result<(), slint::PlatformError> {
    let weak = std::rc::Rc::downgrade(app);
    let _timer = crate::every_second(move || {
        if let Some(app) = weak.upgrade() {
            app.pump();
        }
    });
    window.run()
}

impl<M: Send + 'static> Inbox<M> {
    /// Forwards everything `from` yields (the hub client's updates), as `map` makes it, into
    /// this inbox, on the runtime `rt`, until the app is gone.
    pub fn forward<U: Send + 'static>(
        &self,
        rt: &tokio::runtime::Handle,
        mut from: tokio::sync::mpsc::UnboundedReceiver<U>,
        map: impl Fn(U) -> M + Send + 'static,
    ) {
        let tx = self.sender();
        rt.spawn(async move {
            while let Some(u) = from.recv().await {
                if !tx.send(map(u)) {
                    break;
                }
            }
        });
    }
}
