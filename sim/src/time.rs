//! The virtual clock. svclab never reads wall time: the app advances the clock, tests set it.

/// Milliseconds on the simulation's virtual clock.
pub type Time = u64;

pub const SECOND: Time = 1_000;
pub const MINUTE: Time = 60 * SECOND;
pub const HOUR: Time = 60 * MINUTE;

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
}
