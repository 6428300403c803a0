//! How real time becomes virtual time: the speed setting, the per-frame step, and steady traffic
//! (one request every N virtual ms). Pure arithmetic; the app's frame loop and the tests' driver
//! both go through [`plan`], so a test that advances 5 000 ms sees what a learner sees in 5 s.

use svclab_sim::time::Time;

/// The speeds a learner can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Speed {
    Quarter,
    Half,
    #[default]
    One,
    Two,
    Four,
}

impl Speed {
    pub const ALL: [Speed; 5] = [
        Speed::Quarter,
        Speed::Half,
        Speed::One,
        Speed::Two,
        Speed::Four,
    ];

    /// Virtual ms per real ms.
    pub fn factor(self) -> f64 {
        match self {
            Speed::Quarter => 0.25,
            Speed::Half => 0.5,
            Speed::One => 1.0,
            Speed::Two => 2.0,
            Speed::Four => 4.0,
        }
    }

    /// The option's text and value: `0.25×`.
    pub fn as_str(self) -> &'static str {
        match self {
            Speed::Quarter => "0.25×",
            Speed::Half => "0.5×",
            Speed::One => "1×",
            Speed::Two => "2×",
            Speed::Four => "4×",
        }
    }

    pub fn parse(s: &str) -> Option<Speed> {
        Speed::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A frame longer than this (a background tab waking up) counts as this long, so the world
/// does not leap.
pub const MAX_FRAME_MS: f64 = 100.0;

/// Virtual ms to advance for a frame of `real_ms` at `speed`. Fractions of a millisecond are kept
/// in `carry` for the next frame, so slow speeds still move.
pub fn frame_ms(real_ms: f64, speed: Speed, carry: &mut f64) -> Time {
    let total = real_ms.clamp(0.0, MAX_FRAME_MS) * speed.factor() + *carry;
    let whole = total.floor();
    *carry = total - whole;
    whole as Time
}

/// Steady traffic: a request every `interval` virtual ms, the next one at `next`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Traffic {
    pub interval: Time,
    pub next: Time,
}

/// The shortest interval steady traffic accepts.
pub const MIN_INTERVAL: Time = 100;
pub const DEFAULT_INTERVAL: Time = 1_000;

impl Traffic {
    /// Traffic starting now.
    pub fn starting(now: Time, interval: Time) -> Traffic {
        Traffic {
            interval: interval.max(MIN_INTERVAL),
            next: now,
        }
    }
}

/// One thing to do to the world, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    Advance(Time),
    Send,
}

/// Move the world from `now` by `ms`, sending the steady-traffic requests that fall due on the way
/// (at their exact virtual times). Updates `traffic.next`.
pub fn plan(now: Time, ms: Time, traffic: Option<&mut Traffic>) -> Vec<Tick> {
    let target = now + ms;
    let mut ticks = Vec::new();
    let mut at = now;
    if let Some(t) = traffic {
        while t.next <= target {
            if t.next > at {
                ticks.push(Tick::Advance(t.next - at));
                at = t.next;
            }
            ticks.push(Tick::Send);
            t.next += t.interval.max(MIN_INTERVAL);
        }
    }
    if target > at {
        ticks.push(Tick::Advance(target - at));
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_scale_frames_and_keep_fractions() {
        let mut carry = 0.0;
        assert_eq!(frame_ms(16.0, Speed::One, &mut carry), 16);
        assert_eq!(frame_ms(16.0, Speed::Four, &mut carry), 64);
        let mut carry = 0.0;
        let moved: Time = (0..10)
            .map(|_| frame_ms(1.0, Speed::Quarter, &mut carry))
            .sum();
        assert_eq!(moved, 2);
        assert!((carry - 0.5).abs() < 1e-9);
        let mut carry = 0.0;
        assert_eq!(frame_ms(5_000.0, Speed::One, &mut carry), 100);
        assert_eq!(Speed::parse("0.5×"), Some(Speed::Half));
    }

    #[test]
    fn steady_traffic_sends_at_its_times() {
        let mut t = Traffic::starting(1_000, 400);
        let ticks = plan(1_000, 1_000, Some(&mut t));
        assert_eq!(
            ticks,
            [
                Tick::Send,
                Tick::Advance(400),
                Tick::Send,
                Tick::Advance(400),
                Tick::Send,
                Tick::Advance(200)
            ]
        );
        assert_eq!(t.next, 2_200);
        assert_eq!(plan(2_000, 100, Some(&mut t)), [Tick::Advance(100)]);
        assert_eq!(plan(5, 10, None), [Tick::Advance(10)]);
        assert_eq!(plan(5, 0, None), []);
        assert_eq!(Traffic::starting(0, 1).interval, MIN_INTERVAL);
    }
}
