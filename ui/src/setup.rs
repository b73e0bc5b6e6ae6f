//! The first-run setup screen ([`SetupWindow`](crate::SetupWindow)): a device started with no
//! settings asks for the hub's address and the console's pairing code (or a device id and
//! token), tries them on the hub, and writes its settings file (mode 0600). The app then
//! starts from that file, as every later start does.

use crate::inbox::Inbox;
use crate::{SetupAdapter, SetupWindow};
use antre_client::pairing;
use slint::ComponentHandle;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

/// What the technician asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Pair {
        hub: String,
        code: String,
    },
    Token {
        hub: String,
        device: String,
        token: String,
    },
}

/// How a try ended: the device's id, or the words to show.
type Outcome = Result<String, String>;

/// The setup screen, its inbox, and whether the settings are saved.
pub struct Setup {
    pub window: SetupWindow,
    inbox: Inbox<Outcome>,
    saved: Rc<Cell<bool>>,
}

impl Setup {
    /// The screen for `app_title` ("Anjungan · Kiosk"), saving into `path`; `hub` prefills
    /// the address (from `--hub` or the environment).
    ///
    /// # Errors
    /// The window cannot be made.
    pub fn new(
        app_title: &str,
        path: &Path,
        hub: Option<&str>,
    ) -> Result<Setup, slint::PlatformError> {
        let window = SetupWindow::new()?;
        let adapter = window.global::<SetupAdapter>();
        adapter.set_app_title(app_title.into());
        adapter.set_settings_path(path.display().to_string().into());
        adapter.set_hub(hub.unwrap_or_default().into());
        let inbox = Inbox::default();
        let saved = Rc::new(Cell::new(false));
        let (tx, path) = (inbox.sender(), path.to_owned());
        let weak = window.as_weak();
        adapter.on_submit(move || {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<SetupAdapter>();
            if adapter.get_busy() {
                return;
            }
            let request = match read(&adapter) {
                Ok(r) => r,
                Err(words) => {
                    show(&adapter, &words, true);
                    return;
                }
            };
            adapter.set_busy(true);
            show(
                &adapter,
                "Menghubungkan ke hub… · Connecting to the hub…",
                false,
            );
            let (tx, path) = (tx.clone(), path.clone());
            std::thread::spawn(move || {
                let _ = tx.send(attempt(&request, &path));
            });
        });
        let setup = Setup {
            window,
            inbox,
            saved,
        };
        Ok(setup)
    }

    /// Whether the settings file has been written.
    pub fn saved(&self) -> bool {
        self.saved.get()
    }

    /// Applies what the pairing thread said.
    fn apply(&self, outcome: Outcome) {
        let adapter = self.window.global::<SetupAdapter>();
        adapter.set_busy(false);
        match outcome {
            Ok(device) => {
                show(
                    &adapter,
                    &format!("Terhubung sebagai {device}. · Connected as {device}."),
                    false,
                );
                self.saved.set(true);
            }
            Err(words) => show(&adapter, &words, true),
        }
    }

    /// For tests, which run no event loop: applies what arrives until `done` holds or
    /// `timeout` passes; whether it held.
    pub fn pump_until(&self, timeout: Duration, done: impl Fn(&Setup) -> bool) -> bool {
        self.inbox.wait(timeout, |o| self.apply(o), || done(self))
    }

    /// Shows the screen (on the whole screen with `full_screen`, as the kiosk and the
    /// display run) until the settings are saved (true) or the window is closed (false).
    ///
    /// # Errors
    /// The event loop cannot run.
    pub fn run(self, full_screen: bool) -> Result<bool, slint::PlatformError> {
        let setup = Rc::new(self);
        let weak = Rc::downgrade(&setup);
        crate::inbox::on_wake(move || {
            if let Some(s) = weak.upgrade() {
                s.inbox.drain(|o| s.apply(o));
                if s.saved() {
                    // A moment to read "Terhubung", then the app itself.
                    let w = s.window.as_weak();
                    slint::Timer::single_shot(Duration::from_millis(800), move || {
                        if let Some(w) = w.upgrade() {
                            let _ = w.hide();
                        }
                    });
                }
            }
        });
        if full_screen {
            setup.window.window().set_fullscreen(true);
        }
        setup.window.run()?;
        crate::inbox::on_wake(|| {});
        Ok(setup.saved())
    }
}

/// The fields as a request, or what is missing, in words.
fn read(adapter: &SetupAdapter<'_>) -> Result<Request, String> {
    let hub = pairing::hub_address(&adapter.get_hub())?;
    if adapter.get_with_token() {
        let (device, token) = (adapter.get_device(), adapter.get_token());
        if device.trim().is_empty() || token.trim().is_empty() {
            return Err("Isi id perangkat dan token. · Enter the device id and the token.".into());
        }
        Ok(Request::Token {
            hub,
            device: device.trim().into(),
            token: token.trim().into(),
        })
    } else {
        let code = adapter.get_code();
        if code.trim().is_empty() {
            return Err(
                "Isi kode pemasangan dari konsol. · Enter the pairing code from the console."
                    .into(),
            );
        }
        Ok(Request::Pair {
            hub,
            code: code.trim().into(),
        })
    }
}

/// Tries `request` on the hub and, when it works, writes the settings at `path`.
fn attempt(request: &Request, path: &Path) -> Outcome {
    let made = match request {
        Request::Pair { hub, code } => pairing::pair_and_save(hub, code, path),
        Request::Token { hub, device, token } => {
            pairing::token_and_save(hub, device, token, path).map(|()| device.clone())
        }
    };
    made.map_err(|e| {
        tracing::warn!(error = %e, "the first-run setup did not finish");
        format!("{} · {e}", e.kata())
    })
}

fn show(adapter: &SetupAdapter<'_>, words: &str, error: bool) {
    adapter.set_status(words.into());
    adapter.set_status_is_error(error);
}

/// The settings file `args` lead to, after the setup screen when there are none yet (full
/// screen with `full_screen`): `Ok(false)` when the technician closed the screen instead.
///
/// # Errors
/// The screen cannot be shown.
pub fn settings_or_setup(
    args: &mut antre_client::settings::DeviceArgs,
    app: &str,
    app_title: &str,
    full_screen: bool,
) -> Result<bool, slint::PlatformError> {
    args.locate(app);
    let Some(path) = args.needs_setup().map(PathBuf::from) else {
        return Ok(true);
    };
    tracing::info!(settings = %path.display(), "no settings yet: showing the setup screen");
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    Setup::new(app_title, &path, args.hub.as_deref())?.run(full_screen)
}
