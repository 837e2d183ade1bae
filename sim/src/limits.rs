//! Rate limits as the providers enforce them: a count of requests over a rolling
//! window, not a token bucket.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// At most `limit` admitted requests in any window of `period`.
///
/// A grace of 5% of the window (at least 50 ms) absorbs delivery jitter: a client that
/// spaces requests exactly at the limit must not be refused because its previous
/// request reached us late on a loaded machine. It also means an overrun smaller than
/// that goes unnoticed, as it would at a real provider.
#[derive(Debug)]
pub struct RollingWindow {
    limit: usize,
    window: Duration,
    admitted: VecDeque<Instant>,
}

impl RollingWindow {
    pub fn new(limit: u32, period: Duration) -> Self {
        let grace = (period / 20).max(Duration::from_millis(50));
        RollingWindow { limit: limit.max(1) as usize, window: period.saturating_sub(grace), admitted: VecDeque::new() }
    }

    /// Whether a request arriving now is within the limit. Refused requests do not
    /// count against the window.
    pub fn admit(&mut self, now: Instant) -> bool {
        while self.admitted.front().is_some_and(|&t| now.duration_since(t) >= self.window) {
            self.admitted.pop_front();
        }
        if self.admitted.len() >= self.limit {
            return false;
        }
        self.admitted.push_back(now);
        true
    }

    /// (limit, requests admitted in the window ending now), for rate headers.
    pub fn usage(&self, now: Instant) -> (u32, u32) {
        let used = self.admitted.iter().filter(|&&t| now.duration_since(t) < self.window).count();
        (self.limit as u32, used as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_request_past_the_limit_and_admits_again_when_the_window_moves() {
        let mut w = RollingWindow::new(3, Duration::from_secs(1));
        let t0 = Instant::now();
        assert!(w.admit(t0));
        assert!(w.admit(t0 + Duration::from_millis(100)));
        assert!(w.admit(t0 + Duration::from_millis(200)));
        assert!(!w.admit(t0 + Duration::from_millis(300)));
        assert!(w.admit(t0 + Duration::from_millis(1000)));
        assert!(!w.admit(t0 + Duration::from_millis(1040)));
    }

    #[test]
    fn one_per_second_tolerates_a_millisecond_of_jitter() {
        let mut w = RollingWindow::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        assert!(w.admit(t0));
        assert!(w.admit(t0 + Duration::from_millis(960)), "40 ms early is jitter");
        assert!(!w.admit(t0 + Duration::from_millis(1500)), "500 ms early is too fast");
    }
}
