//! The virtual clock. svclab never reads wall time: the app advances the clock, tests set it.

/// Milliseconds on the simulation's virtual clock.
pub type Time = u64;

pub const SECOND: Time = 1_000;
pub const MINUTE: Time = 60 * SECOND;
pub const HOUR: Time = 60 * MINUTE;

/// Go's `time.ParseDuration`, in whole ms (rounded down): `30s`, `1m30s`, `1.5h`, `500ms`,
/// `0`. `None` for anything Go would refuse.
pub fn parse_go_duration(text: &str) -> Option<Time> {
    if text == "0" {
        return Some(0);
    }
    let mut rest = text;
    let mut total = 0.0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let ms = match &rest[..unit] {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => return None,
        };
        rest = &rest[unit..];
        total += number * ms;
    }
    (total.is_finite() && total < 1e15).then_some(total as Time)
}

/// Go's `time.Duration.String()` of a whole number of ms, as the kubelet writes durations in
/// events: `480ms`, `2.1s`, `2s`, `1m3.5s`, `1h0m0s`, `0s`.
pub fn go_duration(ms: Time) -> String {
    if ms == 0 {
        return "0s".into();
    }
    if ms < SECOND {
        return format!("{ms}ms");
    }
    let (hours, rest) = (ms / HOUR, ms % HOUR);
    let (minutes, rest) = (rest / MINUTE, rest % MINUTE);
    let (seconds, millis) = (rest / SECOND, rest % SECOND);
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&seconds.to_string());
    if millis > 0 {
        let fraction = format!("{millis:03}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('s');
    out
}

/// kubectl's `HumanDuration`, as printed in the AGE column: `95s`, `2m30s`, `3m`, `25m`, `3h20m`,
/// `20h`, `3d4h`, `12d`.
pub fn human_duration(ms: Time) -> String {
    let seconds = ms / SECOND;
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{h}h")
        };
    }
    format!("{days}d")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse_as_go_parses_them() {
        assert_eq!(parse_go_duration("30s"), Some(30_000));
        assert_eq!(parse_go_duration("1m30s"), Some(90_000));
        assert_eq!(parse_go_duration("1.5h"), Some(5_400_000));
        assert_eq!(parse_go_duration("500ms"), Some(500));
        assert_eq!(parse_go_duration("0"), Some(0));
        for bad in ["", "30", "s", "1x", "1.2.3s", "1e3s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn age_column_matches_kubectl() {
        let rows = [
            (0, "0s"),
            (95 * SECOND, "95s"),
            (119 * SECOND, "119s"),
            (120 * SECOND, "2m"),
            (150 * SECOND, "2m30s"),
            (3 * MINUTE, "3m"),
            (25 * MINUTE, "25m"),
            (179 * MINUTE, "179m"),
            (3 * HOUR + 20 * MINUTE, "3h20m"),
            (5 * HOUR, "5h"),
            (20 * HOUR, "20h"),
            (76 * HOUR, "3d4h"),
            (12 * 24 * HOUR, "12d"),
        ];
        for (ms, want) in rows {
            assert_eq!(human_duration(ms), want, "for {ms} ms");
        }
    }

    #[test]
    fn event_durations_are_written_as_go_does() {
        let rows = [
            (0, "0s"),
            (480, "480ms"),
            (2_100, "2.1s"),
            (2_000, "2s"),
            (2_580, "2.58s"),
            (63_500, "1m3.5s"),
            (HOUR, "1h0m0s"),
            (HOUR + 2 * MINUTE + 5, "1h2m0.005s"),
        ];
        for (ms, want) in rows {
            assert_eq!(go_duration(ms), want, "for {ms} ms");
        }
    }
}
