//! What the counter screen shows, computed from the hall view: pure, so it is tested without
//! a window.

use antre_client::HallView;
use antre_core::domain::counter::{self, CurrentAction};
use antre_core::domain::TicketStatus;
use antre_core::proto::{ErrorCode, Ticket};
use chrono::{DateTime, Utc};

/// The current ticket as the officer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub code: String,
    pub service: String,
    pub status: TicketStatus,
    /// "Dipanggil" or "Sedang dilayani".
    pub state: &'static str,
    /// Time in that state, e.g. "2 mnt 05 dtk".
    pub since: String,
    pub priority: bool,
    pub recalls: u32,
    /// For a visit of several services: "Langkah 1 dari 2 — berikutnya Peserta BPJS".
    pub step: Option<String>,
}

/// Where a visit stands, for the officer: "Langkah 1 dari 2 — berikutnya Peserta BPJS", or
/// "Langkah 2 dari 2 — layanan terakhir"; `None` for a ticket of one service.
pub fn step_words(t: &Ticket, name_of: impl Fn(&str) -> String) -> Option<String> {
    let visit = t.visit.as_ref().filter(|v| v.len() > 1)?;
    let step = t.step.unwrap_or(0) as usize;
    let after = match visit.get(step + 1) {
        Some(next) => format!("berikutnya {}", name_of(next.as_str())),
        None => "layanan terakhir".to_owned(),
    };
    Some(format!(
        "Langkah {} dari {} — {after}",
        step + 1,
        visit.len()
    ))
}

/// Where a visitor goes after this counter finished their step (the ticket as the hub
/// answered the finish, waiting for its next service): "berikutnya ke Peserta BPJS (Loket
/// 3)", for the officer to tell them. `None` when the visit is over.
pub fn next_stop(view: &HallView, t: &Ticket) -> Option<String> {
    if t.status != TicketStatus::Waiting || t.step.unwrap_or(0) == 0 {
        return None;
    }
    let hall = view.hall.as_ref()?;
    let service = hall.services.iter().find(|s| s.id == t.service)?;
    let counters = view.served_at(&t.service);
    Some(if counters.is_empty() {
        format!("berikutnya ke {}", service.name)
    } else {
        format!("berikutnya ke {} ({counters})", service.name)
    })
}

/// Which actions make sense now. Buttons that do not are disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Can {
    pub call_next: bool,
    pub recall: bool,
    pub start: bool,
    pub finish: bool,
    pub no_show: bool,
    pub transfer: bool,
    pub call_ticket: bool,
    pub close: bool,
    /// Pause (no current ticket, not paused) and resume (paused).
    pub pause: bool,
    pub resume: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub code: String,
    pub service: String,
    pub priority: bool,
    /// e.g. "12 mnt".
    pub waited: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Model {
    pub hall: String,
    pub counter: String,
    pub known: bool,
    pub open: bool,
    pub officer: String,
    pub current: Option<Current>,
    /// The pause in words ("Salat s.d. 12:30") while the counter is paused.
    pub paused: Option<String>,
    pub can: Can,
    pub waiting: Vec<Waiting>,
    /// (service name, waiting) for each service of the counter.
    pub counts: Vec<(String, usize)>,
    pub served: usize,
    pub no_show: usize,
    /// Average from call to finish of today's served tickets here, e.g. "6 mnt"; "-" if none.
    pub average: String,
    /// (id, name) of the services a ticket can be transferred to.
    pub transfer_to: Vec<(String, String)>,
    /// Kiosk printers that need staff, in words ("Anjungan kiosk-1: Kertas printer habis").
    pub notice: String,
}

/// What staff should know about the hall's kiosk printers.
pub fn device_notice(view: &HallView) -> String {
    use antre_core::proto::PrinterStatus;
    let problems: Vec<String> = view
        .devices
        .values()
        .filter(|d| d.printer != PrinterStatus::Ok)
        .map(|d| {
            let what = d
                .message
                .clone()
                .unwrap_or_else(|| d.printer.as_str().into());
            format!("Anjungan {}: {what}", d.device)
        })
        .collect();
    if problems.is_empty() {
        String::new()
    } else {
        format!("⚠ {} — mohon dicek petugas", problems.join("; "))
    }
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// "2 mnt 05 dtk", "45 dtk", "1 jam 03 mnt".
pub fn duration_words(secs: i64) -> String {
    let s = secs.max(0);
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h} jam {m:02} mnt")
    } else if m > 0 {
        format!("{m} mnt {sec:02} dtk")
    } else {
        format!("{sec} dtk")
    }
}

/// Builds the model for the counter this device acts for, at `now`. `online` and `busy`
/// (a request in flight) disable every action.
pub fn build(
    view: &HallView,
    now: DateTime<Utc>,
    online: bool,
    busy: bool,
    selected: Option<&str>,
) -> Model {
    let Some(hall) = &view.hall else {
        return Model {
            counter: "Loket".into(),
            average: "-".into(),
            ..Model::default()
        };
    };
    let Some(info) = view
        .counter
        .as_ref()
        .and_then(|id| hall.counters.iter().find(|c| &c.id == id))
    else {
        return Model {
            hall: hall.name.clone(),
            counter: "Loket".into(),
            average: "-".into(),
            ..Model::default()
        };
    };
    let service_name = |id: &str| {
        hall.services
            .iter()
            .find(|s| s.id.as_str() == id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let state = view.counters.get(&info.id);
    let open = state.is_some_and(|s| s.open);
    let current_ticket: Option<&Ticket> = state.and_then(|s| s.current.as_ref());
    let current = current_ticket.map(|t| {
        let (label, since) = match t.status {
            TicketStatus::Serving => (
                "Sedang dilayani",
                t.started_at.as_deref().or(t.called_at.as_deref()),
            ),
            _ => ("Dipanggil", t.called_at.as_deref()),
        };
        let secs = since
            .and_then(parse)
            .map(|s| (now - s).num_seconds())
            .unwrap_or(0);
        Current {
            code: t.code.clone(),
            service: service_name(t.service.as_str()),
            status: t.status,
            state: label,
            since: duration_words(secs),
            priority: t.priority.is_some(),
            recalls: t.recalls,
            step: step_words(t, service_name),
        }
    });

    let waiting: Vec<Waiting> = view
        .waiting_for(&info.services)
        .into_iter()
        .map(|t| Waiting {
            code: t.code.clone(),
            service: service_name(t.service.as_str()),
            priority: t.priority.is_some(),
            waited: format!(
                "{} mnt",
                parse(&t.issued_at)
                    .map(|s| (now - s).num_minutes().max(0))
                    .unwrap_or(0)
            ),
        })
        .collect();
    let counts = info
        .services
        .iter()
        .map(|s| (service_name(s.as_str()), view.waiting_count(s.as_str())))
        .collect();

    let mine = |t: &&Ticket| t.counter.as_ref() == Some(&info.id);
    let served: Vec<&Ticket> = view
        .tickets
        .iter()
        .filter(mine)
        .filter(|t| t.status == TicketStatus::Done)
        .collect();
    let no_show = view
        .tickets
        .iter()
        .filter(mine)
        .filter(|t| t.status == TicketStatus::NoShow)
        .count();
    let durations: Vec<i64> = served
        .iter()
        .filter_map(|t| {
            Some((parse(t.closed_at.as_deref()?)? - parse(t.called_at.as_deref()?)?).num_seconds())
        })
        .collect();
    let average = if durations.is_empty() {
        "-".to_owned()
    } else {
        let avg = durations.iter().sum::<i64>() / durations.len() as i64;
        format!("{} mnt", (avg + 30) / 60)
    };

    let paused = state
        .and_then(|s| s.paused.as_ref())
        .map(|p| counter::pause_words(p.reason, p.until.as_deref()));
    let able = online && !busy && open;
    // Nobody is called while paused.
    let calling = able && paused.is_none();
    let status = current.as_ref().map(|c| c.status);
    // The hub's own table of which action fits which state: a button is enabled exactly
    // when the hub would accept the request.
    let allowed = |a: CurrentAction| able && counter::check(a, status).is_ok();
    let selected_waits = selected.is_some_and(|code| waiting.iter().any(|w| w.code == code));
    let can = Can {
        call_next: calling && !waiting.is_empty(),
        recall: allowed(CurrentAction::Recall),
        start: allowed(CurrentAction::StartServing),
        finish: allowed(CurrentAction::Finish),
        no_show: allowed(CurrentAction::NoShow),
        transfer: allowed(CurrentAction::Transfer),
        call_ticket: calling && selected_waits,
        close: able,
        pause: able && paused.is_none() && counter::may_pause(current.is_some()),
        resume: able && paused.is_some(),
    };
    let transfer_to = hall
        .services
        .iter()
        .filter(|s| current_ticket.is_none_or(|t| t.service != s.id))
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    Model {
        hall: hall.name.clone(),
        counter: info.name.clone(),
        known: true,
        open,
        officer: state.and_then(|s| s.officer.clone()).unwrap_or_default(),
        current,
        paused,
        can,
        waiting,
        counts,
        served: served.len(),
        no_show,
        average,
        transfer_to,
        notice: device_notice(view),
    }
}

/// The hub's refusal in plain Indonesian, for the officer.
pub fn error_text(code: Option<ErrorCode>) -> String {
    match code {
        Some(ErrorCode::QueueEmpty) => "Antrean kosong: belum ada pengunjung yang menunggu.".into(),
        Some(ErrorCode::CounterClosed) => {
            "Loket belum dibuka. Isi nama petugas lalu tekan Buka loket.".into()
        }
        Some(ErrorCode::NoCurrentTicket) => "Belum ada nomor yang sedang dipanggil.".into(),
        Some(ErrorCode::WrongState) => {
            "Tindakan itu tidak sesuai dengan status nomor saat ini.".into()
        }
        Some(ErrorCode::NotWaiting) => "Nomor itu sudah tidak menunggu.".into(),
        Some(ErrorCode::CounterPaused) => {
            "Loket sedang jeda: tekan Lanjutkan (F8) untuk melayani lagi.".into()
        }
        Some(ErrorCode::UnknownTicket) => "Nomor antrean itu tidak ada hari ini.".into(),
        Some(ErrorCode::UnknownService) => "Layanan itu tidak dikenal.".into(),
        Some(ErrorCode::UnknownCounter) => "Loket ini tidak dikenal server. Hubungi admin.".into(),
        Some(ErrorCode::Forbidden) => {
            "Perangkat ini tidak berhak melakukan tindakan itu. Hubungi admin.".into()
        }
        Some(ErrorCode::Busy | ErrorCode::Internal) => {
            "Server sedang sibuk. Silakan coba lagi.".into()
        }
        Some(ErrorCode::InvalidRequest) => {
            "Permintaan tidak valid. Periksa isian lalu coba lagi.".into()
        }
        Some(c) => format!("Server menolak: {}", c.as_str()),
        None => "Aplikasi sedang berhenti.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_indonesian() {
        assert_eq!(duration_words(45), "45 dtk");
        assert_eq!(duration_words(125), "2 mnt 05 dtk");
        assert_eq!(duration_words(3780), "1 jam 03 mnt");
        assert_eq!(duration_words(-3), "0 dtk");
    }

    #[test]
    fn nothing_known_yet_means_nothing_allowed() {
        let m = build(&HallView::default(), Utc::now(), true, false, None);
        assert!(!m.known);
        assert_eq!(m.can, Can::default());
    }

    #[test]
    fn every_code_has_indonesian_words() {
        assert!(error_text(Some(ErrorCode::QueueEmpty)).starts_with("Antrean kosong"));
        assert!(error_text(Some(ErrorCode::Busy)).contains("coba lagi"));
    }
}
