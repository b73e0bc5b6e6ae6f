//! The screens of Antre, compiled from `ui/*.slint`. The `.slint` files only show state and
//! raise callbacks; each window has one `global` adapter that is its boundary with Rust.

/// The code Slint generates; lints are for our code, not for it.
#[allow(clippy::all, clippy::pedantic, clippy::todo)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

pub mod inbox;
pub mod setup;

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

/// The least contrast any text has against what it stands on (WCAG 2, level AA): many
/// visitors are elderly.
pub const MIN_CONTRAST: f64 = 4.5;

/// WCAG 2's relative luminance of an sRGB colour (its alpha ignored).
pub fn luminance(c: slint::Color) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())
}

/// WCAG 2's contrast ratio of two colours, 1 to 21.
pub fn contrast(a: slint::Color, b: slint::Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

const WHITE: slint::Color = slint::Color::from_rgb_u8(0xff, 0xff, 0xff);
/// The dark text on light colours (the theme's ink).
const DARK_INK: slint::Color = slint::Color::from_rgb_u8(0x11, 0x11, 0x11);

/// `c` a step darker (mixed 6 % toward black).
fn darker_step(c: slint::Color) -> slint::Color {
    let d = |v: u8| (f64::from(v) * 0.94).round() as u8;
    slint::Color::from_rgb_u8(d(c.red()), d(c.green()), d(c.blue()))
}

/// An agency's colour as a tile with text on it: the colour and its ink. White where white
/// reads (≥ [`MIN_CONTRAST`]), else the dark ink where that reads; a colour on which
/// neither does is darkened until white does. The one place every coloured surface with
/// text takes its colours from.
pub fn tile_colors(hex: &str) -> (slint::Color, slint::Color) {
    let bg = color_from_hex(hex);
    if contrast(WHITE, bg) >= MIN_CONTRAST {
        return (bg, WHITE);
    }
    if contrast(DARK_INK, bg) >= MIN_CONTRAST {
        return (bg, DARK_INK);
    }
    let mut bg = bg;
    while contrast(WHITE, bg) < MIN_CONTRAST {
        bg = darker_step(bg);
    }
    (bg, WHITE)
}

/// An agency's colour for text (and lines) on white: darkened until it reads.
pub fn on_white(hex: &str) -> slint::Color {
    let mut c = color_from_hex(hex);
    while contrast(WHITE, c) < MIN_CONTRAST {
        c = darker_step(c);
    }
    c
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

#[cfg(test)]
mod tests {
    use super::*;

    /// White on four agency colours, as measured from the kiosk's pixels before this rule
    /// (the figures): the formula reproduces them.
    #[test]
    fn contrast_agrees_with_the_measured_figures() {
        for (hex, white) in [
            ("#f9a825", 1.97),
            ("#ef6c00", 3.08),
            ("#0097a7", 3.51),
            ("#00897b", 4.32),
        ] {
            let got = contrast(WHITE, color_from_hex(hex));
            assert!((got - white).abs() < 0.01, "{hex}: {got:.3}");
        }
        assert!((contrast(WHITE, slint::Color::from_rgb_u8(0, 0, 0)) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn every_agency_colour_of_the_sample_hall_gets_readable_text() {
        let config = include_str!("../../config/mpp-among-warga.toml");
        let colours: Vec<&str> = config
            .lines()
            .filter_map(|l| l.strip_prefix("color = \""))
            .filter_map(|l| l.strip_suffix('"'))
            .collect();
        assert_eq!(colours.len(), 15, "the hall's fifteen agencies");
        for hex in colours {
            let (bg, ink) = tile_colors(hex);
            assert!(contrast(ink, bg) >= MIN_CONTRAST, "{hex}");
            assert!(contrast(WHITE, on_white(hex)) >= MIN_CONTRAST, "{hex}");
        }
        // Hand-worked: yellow takes the dark ink (9.58), blue keeps white (5.75), and BPJS
        // Kesehatan's teal, where neither reads (4.32 and 4.37), is darkened for white.
        assert_eq!(
            tile_colors("#f9a825"),
            (color_from_hex("#f9a825"), DARK_INK)
        );
        assert_eq!(tile_colors("#1565c0"), (color_from_hex("#1565c0"), WHITE));
        let (teal, ink) = tile_colors("#00897b");
        assert_eq!(ink, WHITE);
        assert_ne!(teal, color_from_hex("#00897b"));
        assert!(contrast(WHITE, teal) >= MIN_CONTRAST);
    }
}
