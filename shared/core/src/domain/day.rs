//! The service day and local time in the hall's time zone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

/// The service day of instant `now` in the hall's time zone: numbers restart every day.
/// The hall's time zone when its config names none.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Asia::Jakarta;

pub fn service_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// The local wall-clock time of `now` in the hall.
pub fn local_time(now: DateTime<Utc>, tz: Tz) -> NaiveTime {
    now.with_timezone(&tz).time()
}

/// An instant given in milliseconds since the Unix epoch.
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// `ms` as the hall shows it on the wire: RFC 3339 with milliseconds and the hall's
/// offset, e.g. `2026-11-27T09:15:02.317+07:00`.
pub fn rfc3339_ms(ms: i64, tz: Tz) -> String {
    let local: DateTime<FixedOffset> = from_ms(ms).with_timezone(&tz).fixed_offset();
    local.to_rfc3339_opts(SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_local_midnight_not_utc() {
        let tz: Tz = "Asia/Jakarta".parse().unwrap();
        // 16:59:59.999 UTC is 23:59:59.999 in Jakarta; one ms later it is the next day.
        let before = Utc.with_ymd_and_hms(2026, 11, 26, 16, 59, 59).unwrap()
            + chrono::Duration::milliseconds(999);
        let after = before + chrono::Duration::milliseconds(1);
        assert_eq!(service_day(before, tz).to_string(), "2026-11-26");
        assert_eq!(service_day(after, tz).to_string(), "2026-11-27");
    }

    #[test]
    fn wire_times_carry_milliseconds_and_the_hall_offset() {
        let tz: Tz = "Asia/Jakarta".parse().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 27, 2, 15, 2).unwrap()
            + chrono::Duration::milliseconds(317);
        assert_eq!(
            rfc3339_ms(t.timestamp_millis(), tz),
            "2026-11-27T09:15:02.317+07:00"
        );
        let makassar: Tz = "Asia/Makassar".parse().unwrap();
        assert_eq!(
            rfc3339_ms(t.timestamp_millis(), makassar),
            "2026-11-27T10:15:02.317+08:00"
        );
    }
}
