//! How real time becomes virtual time: the speed setting and the per-frame step, and the
//! intervals steady traffic offers (the cluster itself sends it: `Action::SetTraffic`). Pure
//! arithmetic.

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

/// The shortest interval steady traffic accepts.
pub const MIN_INTERVAL: Time = svclab_sim::action::MIN_TRAFFIC_INTERVAL;
pub const DEFAULT_INTERVAL: Time = 1_000;

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
}
