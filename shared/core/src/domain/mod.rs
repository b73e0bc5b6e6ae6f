//! The queue's rules, pure: no I/O and no clock. Time is always a parameter.
//!
//! - [`ids`]: newtypes for the identifiers of agencies, services, counters and devices.
//! - [`booking`]: online bookings: sessions, check-in windows, codes, masked phones.
//! - [`ticket`]: priorities, ticket states, ticket codes.
//! - [`calling`]: which waiting ticket a counter calls next.
//! - [`day`]: the service day and local time in the hall's time zone.
//! - [`issuing`]: issuing hours and daily quotas.
//! - [`estimate`]: people ahead and the estimated wait.
//! - [`durations`]: how a report adds up waits and service times (the hall's and the city's).
//! - [`ikm`]: the public satisfaction index (IKM) of Permenpan RB 14/2017.
//! - [`counter`]: which counter action is allowed in which state.
//! - [`words`]: numbers, letters and calls in Indonesian words, for the voice.

pub mod booking;
pub mod calling;
pub mod counter;
pub mod day;
pub mod durations;
pub mod estimate;
pub mod ids;
pub mod ikm;
pub mod issuing;
pub mod text;
pub mod ticket;
pub mod words;

pub use ids::{AgencyId, CounterId, DeviceId, ServiceId};
pub use ticket::{Priority, TicketCode, TicketStatus};
