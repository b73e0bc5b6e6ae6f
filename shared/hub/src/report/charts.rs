//! The report's charts, drawn with plotters as SVG text to put inline in the HTML page.

use super::{Report, WAIT_CLASSES_MIN};
use antre_core::domain::ikm::SURVEY;
use plotters::prelude::*;

const BLUE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const GREEN: RGBColor = RGBColor(0x2e, 0x8b, 0x57);
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const FONT: &str = "sans-serif";

/// Draws with `draw` onto an SVG of `size`; a drawing error becomes a short note instead of
/// a chart (the rest of the report still prints).
fn svg(
    size: (u32, u32),
    draw: impl for<'a, 'b> FnOnce(
        &'b DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>,
) -> String {
    let mut out = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)
            .and_then(|()| root.present().map_err(Into::into))
            .map_err(|e| e.to_string())
    };
    match result {
        Ok(()) => out,
        Err(e) => {
            tracing::warn!(error = %e, "a report chart could not be drawn");
            format!("<p class=\"note\">(Grafik tidak dapat digambar: {e})</p>")
        }
    }
}

/// Arrivals and served visitors per hour, side by side.
pub fn per_hour(r: &Report) -> String {
    svg((900, 320), |root| {
        root.fill(&WHITE)?;
        let (first, last) = match (r.hours.first(), r.hours.last()) {
            (Some(a), Some(b)) => (a.hour, b.hour),
            _ => (8, 16),
        };
        let top = r
            .hours
            .iter()
            .map(|h| h.arrivals.max(h.served))
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.15;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(f64::from(first) - 0.5..f64::from(last) + 0.5, 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels((last - first + 1) as usize)
            .x_label_formatter(&|x| format!("{:02}.00", x.round() as i64))
            // Whole people: no more labels than there are whole numbers on the axis.
            .y_labels((top.floor() as usize + 1).min(10))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("orang")
            .label_style((FONT, 14).into_font().color(&INK))
            .axis_desc_style((FONT, 14).into_font().color(&INK))
            .draw()?;
        let bars = |pick: fn(&super::HourRow) -> u64, left: f64, color: RGBColor| {
            r.hours.iter().map(move |h| {
                let x = f64::from(h.hour);
                Rectangle::new(
                    [(x + left, 0.0), (x + left + 0.38, pick(h) as f64)],
                    color.filled(),
                )
            })
        };
        chart
            .draw_series(bars(|h| h.arrivals, -0.4, BLUE))?
            .label("Datang (tiket diambil)")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], BLUE.filled()));
        chart
            .draw_series(bars(|h| h.served, 0.02, GREEN))?
            .label("Selesai dilayani")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], GREEN.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT, 14).into_font().color(&INK))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .draw()?;
        Ok(())
    })
}

/// A long period's trend: tickets and served per week or month (bars), the average wait
/// (line, right axis).
pub fn trend(r: &Report) -> String {
    let rows = &r.trend;
    svg((900, 320), |root| {
        root.fill(&WHITE)?;
        let n = rows.len().max(1);
        let top = rows
            .iter()
            .map(|t| t.issued.max(t.served))
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.15;
        let wait_top = rows.iter().map(|t| t.wait_avg_min).fold(1.0, f64::max) * 1.2;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .right_y_label_area_size(52)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..top)?
            .set_secondary_coord(-0.5..n as f64 - 0.5, 0.0..wait_top);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                rows.get(i as usize)
                    .map(|t| t.label.clone())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("tiket")
            .label_style((FONT, 13).into_font().color(&INK))
            .axis_desc_style((FONT, 13).into_font().color(&INK))
            .draw()?;
        chart
            .configure_secondary_axes()
            .y_desc("menit tunggu")
            .label_style((FONT, 13).into_font().color(&INK))
            .axis_desc_style((FONT, 13).into_font().color(&INK))
            .draw()?;
        let bar = |i: usize, left: f64, v: u64, color: RGBColor| {
            let x = i as f64;
            Rectangle::new(
                [(x + left, 0.0), (x + left + 0.38, v as f64)],
                color.filled(),
            )
        };
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .map(|(i, t)| bar(i, -0.4, t.issued, BLUE)),
            )?
            .label("Tiket")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], BLUE.filled()));
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .map(|(i, t)| bar(i, 0.02, t.served, GREEN)),
            )?
            .label("Dilayani")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], GREEN.filled()));
        chart
            .draw_secondary_series(LineSeries::new(
                // Weeks without a call have no average: the line goes over them.
                rows.iter()
                    .enumerate()
                    .filter(|(_, t)| t.served + t.no_show > 0)
                    .map(|(i, t)| (i as f64, t.wait_avg_min)),
                RED.stroke_width(3),
            ))?
            .label("Rata-rata tunggu (menit)")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], RED.stroke_width(3)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT, 13).into_font().color(&INK))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .draw()?;
        Ok(())
    })
}

/// The class colours, from a short wait (green) to a long one (red).
fn class_color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; WAIT_CLASSES_MIN.len() + 1] = [
        RGBColor(0x1a, 0x98, 0x50),
        RGBColor(0x66, 0xbd, 0x63),
        RGBColor(0xa6, 0xd9, 0x6a),
        RGBColor(0xd9, 0xef, 0x8b),
        RGBColor(0xfe, 0xe0, 0x8b),
        RGBColor(0xfd, 0xae, 0x61),
        RGBColor(0xf4, 0x6d, 0x43),
        RGBColor(0xd7, 0x30, 0x27),
    ];
    COLORS[i.min(COLORS.len() - 1)]
}

/// The class names: "< 5 mnt", "5–10 mnt", …, "≥ 60 mnt".
pub fn class_names() -> Vec<String> {
    let mut names = vec![format!("< {} mnt", WAIT_CLASSES_MIN[0])];
    for w in WAIT_CLASSES_MIN.windows(2) {
        names.push(format!("{}–{} mnt", w[0], w[1]));
    }
    names.push(format!(
        "≥ {} mnt",
        WAIT_CLASSES_MIN[WAIT_CLASSES_MIN.len() - 1]
    ));
    names
}

/// The room, in pixels, that labels of `chars` characters take at `size` px: DejaVu Sans's
/// widest common letters are about 0.62 em, and a margin.
pub fn label_room(chars: usize, size: u32) -> u32 {
    (chars as f64 * f64::from(size) * 0.62).ceil() as u32 + 16
}

/// Per agency, one bar of 100 %: the share of visitors in each waiting-time class. The
/// names get the room their longest one needs ("Dinas Kependudukan dan Pencatatan Sipil"
/// whole), and the chart grows wider by as much.
pub fn wait_distribution(r: &Report, agency_name: impl Fn(&str) -> String) -> String {
    let rows = &r.wait_distribution;
    let height = 70 + 34 * rows.len().max(1) as u32 + 40;
    let longest = rows
        .iter()
        .map(|d| agency_name(&d.agency).chars().count())
        .max()
        .unwrap_or(10);
    let names_room = label_room(longest, 13).max(170);
    svg((730 + names_room, height), |root| {
        root.fill(&WHITE)?;
        let (legend, body) = root.split_vertically(40);
        let names = class_names();
        for (i, name) in names.iter().enumerate() {
            let x = 12 + i as i32 * 110;
            legend.draw(&Rectangle::new(
                [(x, 12), (x + 14, 26)],
                class_color(i).filled(),
            ))?;
            legend.draw(&Text::new(
                name.clone(),
                (x + 18, 12),
                (FONT, 13).into_font().color(&INK),
            ))?;
        }
        let n = rows.len().max(1);
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(names_room)
            .build_cartesian_2d(0.0..100.0, (0..n - 1).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0} %"))
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => (n - 1)
                    .checked_sub(*i)
                    .and_then(|i| rows.get(i))
                    .map(|d| agency_name(&d.agency))
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 13).into_font().color(&INK))
            .draw()?;
        for (i, d) in rows.iter().enumerate() {
            let row = n - 1 - i; // the first agency on top
            let total: u64 = d.counts.iter().sum();
            if total == 0 {
                continue;
            }
            let mut left = 0.0;
            for (class, &count) in d.counts.iter().enumerate() {
                let width = 100.0 * count as f64 / total as f64;
                let mut bar = Rectangle::new(
                    [
                        (left, SegmentValue::Exact(row)),
                        (left + width, SegmentValue::Exact(row + 1)),
                    ],
                    class_color(class).filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                chart.draw_series(std::iter::once(bar))?;
                left += width;
            }
        }
        Ok(())
    })
}

/// The IKM per element on the 25–100 scale (NRR × 25), with the category thresholds.
pub fn ikm_per_element(r: &Report) -> String {
    svg((900, 340), |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(-0.5..9.4, 0.0..100.0)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(10)
            .x_label_formatter(&|x: &f64| {
                SURVEY
                    .get(x.round() as usize)
                    .filter(|_| *x >= -0.1)
                    .map(|e| e.code.to_owned())
                    .unwrap_or_default()
            })
            .y_labels(5)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, 14).into_font().color(&INK))
            .draw()?;
        for (threshold, label) in [(88.31, "A 88,31"), (76.61, "B 76,61"), (65.0, "C 65,00")] {
            chart.draw_series(LineSeries::new(
                [(-0.5, threshold), (8.6, threshold)],
                ShapeStyle::from(&RGBColor(0xb0, 0x30, 0x30)).stroke_width(1),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                label,
                (8.65, threshold + 2.0),
                (FONT, 12).into_font().color(&RGBColor(0xb0, 0x30, 0x30)),
            )))?;
        }
        chart.draw_series(r.ikm.nrr.iter().enumerate().map(|(i, nrr)| {
            let x = i as f64;
            Rectangle::new([(x - 0.32, 0.0), (x + 0.32, nrr * 25.0)], BLUE.filled())
        }))?;
        chart.draw_series(r.ikm.nrr.iter().enumerate().map(|(i, nrr)| {
            Text::new(
                super::decimal(nrr * 25.0, 1),
                (i as f64 - 0.22, nrr * 25.0 + 6.0),
                (FONT, 13).into_font().color(&INK),
            )
        }))?;
        Ok(())
    })
}
