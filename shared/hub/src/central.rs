//! The hub's link to the city's service (`[central]`, CENTRAL.md): two background tasks
//! that the hall never waits for.
//!
//! - **Push**: the event log, in order, from where the service says it has stored it to
//!   (`stored_to`), in batches; after any error or cut it asks again and resends from there.
//!   The service keys events by (hall, epoch, seq), so a resend is harmless. Old events are
//!   not pruned before the service has them.
//! - **Pull**: today's and tomorrow's bookings, at start and every minute, kept in the
//!   hall's database so a booking can be checked in with the internet down.

use crate::config::CentralLink;
use crate::server::Hub;
use antre_core::proto::sync::{DayBookings, Stored};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Events per push.
pub const PUSH_BATCH: u32 = 1_000;
/// The longest wait between two tries after a failure.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long one request to the service may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Starts both tasks; they end when `stop` turns true.
pub fn spawn(
    hub: Arc<Hub>,
    link: CentralLink,
    prunable_to: Arc<AtomicU64>,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("antre-hub/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client");
    let link = Arc::new(link);
    vec![
        tokio::spawn(push_loop(
            Arc::clone(&hub),
            Arc::clone(&link),
            client.clone(),
            prunable_to,
            stop.clone(),
        )),
        tokio::spawn(pull_loop(hub, link, client, stop)),
    ]
}

/// Waits `d`, or less when `stop` turns; `false` when it is time to stop.
async fn pause(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => !*stop.borrow(),
        _ = stop.changed() => false,
    }
}

/// The hall's names as a push carries them (`catalogue`).
fn catalogue(cfg: &crate::config::Config) -> String {
    use antre_core::proto::sync::{Catalogue, NamedAgency, NamedService};
    serde_json::to_string(&Catalogue {
        name: cfg.hall.name.clone(),
        agencies: cfg
            .agencies
            .iter()
            .map(|a| NamedAgency {
                id: a.id.as_str().to_owned(),
                name: a.name.clone(),
            })
            .collect(),
        services: cfg
            .services
            .iter()
            .map(|s| NamedService {
                id: s.id.as_str().to_owned(),
                agency: s.agency.as_str().to_owned(),
                name: s.name.clone(),
            })
            .collect(),
    })
    .expect("names serialize")
}

/// One push: `events` (protocol lines) after the service's `stored_to`, with the hall's
/// names.
async fn push(
    client: &reqwest::Client,
    link: &CentralLink,
    epoch: &str,
    catalogue: &str,
    events: &[(u64, String)],
) -> Result<u64, String> {
    let mut body = String::with_capacity(64 + events.iter().map(|e| e.1.len() + 1).sum::<usize>());
    body.push_str(r#"{"hall":"#);
    body.push_str(&serde_json::to_string(&link.hall).expect("a string serializes"));
    body.push_str(r#","epoch":"#);
    body.push_str(&serde_json::to_string(epoch).expect("a string serializes"));
    body.push_str(r#","catalogue":"#);
    body.push_str(catalogue);
    body.push_str(r#","events":["#);
    for (i, (_, line)) in events.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(line.trim_end());
    }
    body.push_str("]}");
    let reply = client
        .post(format!("{}/sync/v1/events", link.url))
        .bearer_auth(&link.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let stored: Stored = answer(link, reply, "a stored_to").await?;
    Ok(u64::try_from(stored.stored_to).unwrap_or(0))
}

/// The service's answer to a request, read as `T` (`what` it should be); an error in words
/// when it could not be reached, refused, or sent something else.
async fn answer<T: serde::de::DeserializeOwned>(
    link: &CentralLink,
    reply: reqwest::Result<reqwest::Response>,
    what: &str,
) -> Result<T, String> {
    let reply = reply.map_err(|e| format!("cannot reach {}: {e}", link.url))?;
    let status = reply.status();
    if !status.is_success() {
        let text = reply.text().await.unwrap_or_default();
        return Err(format!("{} answered {status}: {text}", link.url));
    }
    reply
        .json()
        .await
        .map_err(|e| format!("{} sent what is not {what}: {e}", link.url))
}

async fn push_loop(
    hub: Arc<Hub>,
    link: Arc<CentralLink>,
    client: reqwest::Client,
    prunable_to: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
) {
    let epoch = match hub.read(|dao| dao.epoch()).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the log's epoch: no events go to the city's service");
            return;
        }
    };
    let mut events = hub.subscribe();
    // Where the service stands: unknown until it answers.
    let mut stored_to: Option<u64> = None;
    let mut backoff = Duration::from_secs(1);
    let mut failing = false;
    while !*stop.borrow() {
        let batch = match stored_to {
            None => vec![],
            Some(from) => match hub
                .read(move |dao| dao.events_after(from, PUSH_BATCH))
                .await
            {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the events to push");
                    if !pause(backoff, &mut stop).await {
                        break;
                    }
                    continue;
                }
            },
        };
        if stored_to.is_some() && batch.is_empty() {
            // Up to date: wait for the next event (or look again now and then).
            tokio::select! {
                _ = events.recv() => {}
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop.changed() => break,
            }
            continue;
        }
        let names = catalogue(&hub.config());
        match push(&client, &link, &epoch, &names, &batch).await {
            Ok(to) => {
                if failing {
                    tracing::info!(stored_to = to, "the city's service is reachable again");
                    failing = false;
                }
                if to > hub.committed_seq() {
                    tracing::error!(
                        stored_to = to,
                        ours = hub.committed_seq(),
                        "the city's service has more of this log than the database: was it restored from a backup? New events with seqs it has are not sent"
                    );
                }
                prunable_to.store(to, Ordering::SeqCst);
                let stuck = stored_to == Some(to) && !batch.is_empty();
                stored_to = Some(to);
                backoff = Duration::from_secs(1);
                if stuck && !pause(MAX_BACKOFF, &mut stop).await {
                    break;
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "pushing events to the city's service failed; the hall goes on and the events follow later");
                    failing = true;
                }
                stored_to = None; // ask again where it stands
                if !pause(backoff, &mut stop).await {
                    break;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// Pulls the bookings of `date` and keeps them; how many there were.
async fn pull_day(
    hub: &Hub,
    link: &CentralLink,
    client: &reqwest::Client,
    date: chrono::NaiveDate,
) -> Result<usize, String> {
    let reply = client
        .get(format!("{}/sync/v1/bookings", link.url))
        .query(&[("hall", link.hall.as_str()), ("date", &date.to_string())])
        .bearer_auth(&link.token)
        .send()
        .await;
    let day: DayBookings = answer(link, reply, "a day's bookings").await?;
    let n = day.bookings.len();
    hub.run(move |hall, now| {
        let saved = hall.save_bookings(now, &day.bookings);
        (saved, (vec![], vec![]))
    })
    .await
    .ok_or("the hub is busy or stopping")?
    .map_err(|e| format!("cannot keep the bookings: {e}"))?;
    Ok(n)
}

async fn pull_loop(
    hub: Arc<Hub>,
    link: Arc<CentralLink>,
    client: reqwest::Client,
    mut stop: watch::Receiver<bool>,
) {
    let every = Duration::from_secs(link.pull_every_secs);
    let mut failing = false;
    while !*stop.borrow() {
        let today = antre_core::domain::day::service_day(hub.now(), hub.config().hall.timezone);
        let mut result = Ok(0);
        for date in [today, today + chrono::Duration::days(1)] {
            match pull_day(&hub, &link, &client, date).await {
                Ok(n) => result = result.map(|m| m + n),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        match result {
            Ok(n) => {
                if failing {
                    tracing::info!("bookings pulled again from the city's service");
                }
                failing = false;
                tracing::debug!(bookings = n, "bookings pulled");
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "pulling bookings failed; check-in goes on with those pulled before");
                }
                failing = true;
            }
        }
        if !pause(
            if failing {
                every.min(Duration::from_secs(10))
            } else {
                every
            },
            &mut stop,
        )
        .await
        {
            break;
        }
    }
}
