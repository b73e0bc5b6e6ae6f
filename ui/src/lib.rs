//! The screens of Antre, compiled from `ui/*.slint`. The `.slint` files only show state and
//! raise callbacks; each window has one `global` adapter that is its boundary with Rust.

/// The code Slint generates; lints are for our code, not for it.
#[allow(clippy::all, clippy::pedantic, clippy::todo)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

pub mod inbox;

/// Saves what `window` shows now as a PNG (the pixels of its own renderer: no X server
/// needed), for screenshots in the docs and for looking at screens in tests.
///
/// # Errors
/// The window cannot be rendered, or the file cannot be written.
pub fn save_png(window: &slint::Window, path: &std::path::Path) -> Result<(), String> {
    let shot = window.take_snapshot().map_err(|e| e.to_string())?;
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), shot.width(), shot.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .and_then(|mut w| w.write_image_data(shot.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Replaces a model's rows only when they changed, so an unchanged screen is not redrawn
/// and a scrolled list does not jump. Returns whether it changed.
pub fn replace_if_changed<T: Clone + PartialEq + 'static>(
    model: &slint::VecModel<T>,
    rows: Vec<T>,
) -> bool {
    use slint::Model as _;
    let same = model.row_count() == rows.len() && model.iter().zip(&rows).all(|(a, b)| &a == b);
    if !same {
        model.set_vec(rows);
    }
    !same
}

/// Where tests put screenshots: `$ANTRE_SCREENSHOTS`, else the temp dir.
pub fn screenshot_dir() -> std::path::PathBuf {
    std::env::var_os("ANTRE_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

/// `#rrggbb` from the config → a colour; the hall's blue for anything else.
pub fn color_from_hex(hex: &str) -> slint::Color {
    let h = hex.trim_start_matches('#');
    match (h.len(), u32::from_str_radix(h, 16)) {
        (6, Ok(v)) => slint::Color::from_rgb_u8((v >> 16) as u8, (v >> 8) as u8, v as u8),
        _ => slint::Color::from_rgb_u8(0x0b, 0x5c, 0xab),
    }
}

/// Runs `tick` once a second on the UI thread (the clock, idle timers, catching up): keep the
/// returned timer alive as long as the window runs.
pub fn every_second(tick: impl FnMut() + 'static) -> slint::Timer {
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        std::time::Duration::from_secs(1),
        tick,
    );
    timer
}

/// For UI tests: Slint's testing backend with the real software renderer (screenshots are
/// real pixels) and mock time, no event loop. Call once per test process.
///
/// # Panics
/// A platform was set already.
#[cfg(feature = "testing")]
pub fn use_testing_backend() {
    slint::platform::set_platform(Box::new(i_slint_backend_testing::TestingBackend::new(
        i_slint_backend_testing::TestingBackendOptions {
            mock_time: true,
            threading: false,
            renderer_name: Some("software".into()),
        },
    )))
    .expect("the platform is set once per test process");
}
