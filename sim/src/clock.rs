//! Wall-clock dates for what kubectl and the node tools print (`creationTimestamp`, `Start Time:`,
//! klog stamps). svclab has no wall time: virtual time 0 is pinned to a fixed, made-up date,
//! [`EPOCH`], so every run prints the same dates.

use crate::time::{Time, SECOND};

/// The date virtual time 0 stands for: 2026-11-28T00:00:00Z, as Unix seconds.
pub const EPOCH: i64 = 1_795_824_000;

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Sunday.
    weekday: u32,
    micros: u32,
}

fn civil(t: Time) -> Civil {
    let total = EPOCH + (t / SECOND) as i64;
    let days = total.div_euclid(86_400);
    let secs = total.rem_euclid(86_400) as u32;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Civil {
        year: if m <= 2 { y + 1 } else { y },
        month: m,
        day: d,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
        weekday: (days + 4).rem_euclid(7) as u32,
        micros: ((t % SECOND) * 1_000) as u32,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// RFC 3339 as the API server writes `creationTimestamp`: `2026-11-28T01:00:00Z`.
pub fn rfc3339(t: Time) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Go's `time.RFC1123Z`, as `kubectl describe` prints times: `Sat, 28 Nov 2026 01:00:00 +0000`.
pub fn rfc1123z(t: Time) -> String {
    let c = civil(t);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        DAYS[c.weekday as usize],
        c.day,
        MONTHS[(c.month - 1) as usize],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// What Go prints for `time.Now()` in a process started at `started` (a UTC container):
/// `2026-11-28 00:01:23.456 +0000 UTC m=+83.456000000`, the fraction without trailing zeros
/// and the monotonic reading (`m=`) counted from the process's start.
pub fn go_now(t: Time, started: Time) -> String {
    let c = civil(t);
    let millis = t % SECOND;
    let fraction = if millis == 0 {
        String::new()
    } else {
        format!(".{millis:03}").trim_end_matches('0').to_string()
    };
    let since = t.saturating_sub(started);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{fraction} +0000 UTC m=+{}.{:09}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        since / SECOND,
        (since % SECOND) * 1_000_000
    )
}

/// klog's header stamp: `1128 01:00:03.123456` (month, day, time with microseconds).
pub fn klog(t: Time) -> String {
    let c = civil(t);
    format!(
        "{:02}{:02} {:02}:{:02}:{:02}.{:06}",
        c.month, c.day, c.hour, c.minute, c.second, c.micros
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR;

    #[test]
    fn the_epoch_is_a_saturday_in_november() {
        assert_eq!(rfc3339(0), "2026-11-28T00:00:00Z");
        assert_eq!(
            rfc1123z(HOUR + 3 * SECOND),
            "Sat, 28 Nov 2026 01:00:03 +0000"
        );
        assert_eq!(klog(HOUR + 3_250), "1128 01:00:03.250000");
        assert_eq!(rfc3339(4 * 24 * HOUR), "2026-12-02T00:00:00Z");
        assert_eq!(rfc1123z(4 * 24 * HOUR), "Wed, 02 Dec 2026 00:00:00 +0000");
        assert_eq!(rfc3339(40 * 24 * HOUR), "2027-01-07T00:00:00Z");
    }

    #[test]
    fn go_now_is_time_string_with_its_monotonic_reading() {
        // Go: time.Time.String() = "2006-01-02 15:04:05.999999999 -0700 MST" + " m=+S.NNNNNNNNN".
        assert_eq!(
            go_now(HOUR + 3_250, HOUR - 80 * SECOND),
            "2026-11-28 01:00:03.25 +0000 UTC m=+83.250000000"
        );
        assert_eq!(
            go_now(HOUR, HOUR),
            "2026-11-28 01:00:00 +0000 UTC m=+0.000000000"
        );
    }
}
