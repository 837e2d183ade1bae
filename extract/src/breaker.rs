//! A circuit breaker per provider: after enough consecutive failures it opens and
//! requests fail at once without being sent; after a pause it lets requests through
//! again (half-open), and enough successes close it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Consecutive failed attempts that open the circuit.
    pub failures: u32,
    /// How long it stays open before letting requests through again.
    pub open_seconds: f64,
    /// Successes in the half-open state that close it.
    pub successes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig { failures: 5, open_seconds: 60.0, successes: 2 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl std::fmt::Display for BreakerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        })
    }
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { since: Instant },
    HalfOpen { successes: u32 },
}

#[derive(Debug)]
pub struct Breaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Breaker { config, inner: Mutex::new(Inner::Closed { failures: 0 }) }
    }

    /// Whether a request may be sent now. An open circuit whose pause is over turns
    /// half-open and lets it through.
    pub fn allow(&self) -> Result<(), Duration> {
        self.allow_at(Instant::now())
    }

    fn allow_at(&self, now: Instant) -> Result<(), Duration> {
        let mut inner = self.inner.lock().expect("breaker lock");
        if let Inner::Open { since } = *inner {
            let pause = Duration::from_secs_f64(self.config.open_seconds);
            let waited = now.duration_since(since);
            if waited < pause {
                return Err(pause - waited);
            }
            *inner = Inner::HalfOpen { successes: 0 };
        }
        Ok(())
    }

    pub fn success(&self) {
        let mut inner = self.inner.lock().expect("breaker lock");
        *inner = match *inner {
            Inner::HalfOpen { successes } if successes + 1 < self.config.successes => {
                Inner::HalfOpen { successes: successes + 1 }
            }
            _ => Inner::Closed { failures: 0 },
        };
    }

    /// A failed attempt (a server error, a timeout, a broken connection). Answers such
    /// as 404 are not failures of the provider.
    pub fn failure(&self) {
        self.failure_at(Instant::now())
    }

    fn failure_at(&self, now: Instant) {
        let mut inner = self.inner.lock().expect("breaker lock");
        *inner = match *inner {
            Inner::Closed { failures } if failures + 1 < self.config.failures => {
                Inner::Closed { failures: failures + 1 }
            }
            Inner::Open { since } => Inner::Open { since },
            _ => Inner::Open { since: now },
        };
    }

    pub fn state(&self) -> BreakerState {
        match *self.inner.lock().expect("breaker lock") {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_half_opens_after_the_pause_and_closes_after_successes() {
        let b = Breaker::new(BreakerConfig { failures: 3, open_seconds: 60.0, successes: 2 });
        let t0 = Instant::now();
        b.failure_at(t0);
        b.failure_at(t0);
        b.success();
        b.failure_at(t0);
        b.failure_at(t0);
        assert_eq!(b.state(), BreakerState::Closed, "a success resets the count");
        b.failure_at(t0);
        assert_eq!(b.state(), BreakerState::Open);
        assert!(b.allow_at(t0 + Duration::from_secs(59)).is_err());
        assert!(b.allow_at(t0 + Duration::from_secs(60)).is_ok());
        assert_eq!(b.state(), BreakerState::HalfOpen);
        b.success();
        assert_eq!(b.state(), BreakerState::HalfOpen);
        b.success();
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn a_failure_while_half_open_opens_it_again() {
        let b = Breaker::new(BreakerConfig { failures: 1, open_seconds: 1.0, successes: 2 });
        let t0 = Instant::now();
        b.failure_at(t0);
        assert!(b.allow_at(t0 + Duration::from_secs(2)).is_ok());
        b.failure_at(t0 + Duration::from_secs(2));
        assert_eq!(b.state(), BreakerState::Open);
        assert!(b.allow_at(t0 + Duration::from_millis(2500)).is_err());
    }
}
