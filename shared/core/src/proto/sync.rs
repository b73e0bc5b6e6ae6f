//! The wire between a hub and the city's service (CENTRAL.md): the bodies of
//! `POST /sync/v1/events` and `GET /sync/v1/bookings`, as both sides read and write them.

use serde::{Deserialize, Serialize};

/// The answer to a push: the log is stored up to this `seq`; the hub goes on after it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stored {
    pub stored_to: i64,
}

/// A booking as its hall gets it, the phone masked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HallBooking {
    pub code: String,
    pub service: String,
    pub date: String,
    /// `HH:MM-HH:MM`.
    pub session: String,
    pub name: String,
    /// Masked (`0812*****890`): a hall never needs the whole number.
    pub phone: String,
    /// `booked` or `cancelled`.
    pub status: String,
}

/// A hall's bookings of one day, cancelled ones included (so a hub drops what it pulled
/// before).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DayBookings {
    pub hall: String,
    pub date: String,
    pub bookings: Vec<HallBooking>,
}

/// Addition to a push: the hall's names as the hub has them now, so the city's report names
/// agencies and services as the hall does and puts each service under its agency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Catalogue {
    /// The hall's name.
    pub name: String,
    pub agencies: Vec<NamedAgency>,
    pub services: Vec<NamedService>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NamedAgency {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NamedService {
    pub id: String,
    pub agency: String,
    pub name: String,
}
