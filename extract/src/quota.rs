//! Daily quotas (YouTube's units per day and its separate search bucket): spent per
//! request before it is sent, counted in a ledger that outlives the process, so two
//! runs on the same day share one budget.

use std::sync::Arc;

use chrono::Utc;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DailyQuota {
    /// Units per day for ordinary requests.
    pub units: u64,
    /// Calls per day for search requests, a bucket of its own; unset: searches spend units.
    #[serde(default)]
    pub search_calls: Option<u64>,
    /// Where the provider's day starts (YouTube resets at midnight Pacific time).
    #[serde(default = "pacific")]
    pub timezone: String,
}

fn pacific() -> String {
    "America/Los_Angeles".into()
}

impl DailyQuota {
    pub fn problems(&self, field: &str) -> Vec<String> {
        match self.timezone.parse::<chrono_tz::Tz>() {
            Ok(_) => vec![],
            Err(_) => vec![format!(
                "{field}.timezone: {:?} is not a time zone name such as America/Los_Angeles",
                self.timezone
            )],
        }
    }

    /// The provider's current day, as the ledger keys it.
    pub fn today(&self) -> String {
        let tz: chrono_tz::Tz = self.timezone.parse().unwrap_or(chrono_tz::America::Los_Angeles);
        Utc::now().with_timezone(&tz).format("%Y-%m-%d").to_string()
    }
}

/// What a request costs against a daily quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Units(u32),
    /// One call from the search bucket.
    SearchCall,
}

/// Where spending is recorded. Implementations must be atomic across processes.
pub trait QuotaLedger: Send + Sync {
    /// Spends `amount` of `bucket` for `day` if that keeps it within `limit`;
    /// returns whether it did.
    fn spend(&self, provider: &str, bucket: &str, day: &str, amount: u64, limit: u64) -> anyhow::Result<bool>;
}

pub type Ledger = Arc<dyn QuotaLedger>;

/// Spends a request's cost; `Err` with a message for the user when the budget is gone.
pub fn spend(
    ledger: &dyn QuotaLedger,
    provider: &str,
    quota: &DailyQuota,
    cost: Cost,
) -> anyhow::Result<Result<(), String>> {
    let day = quota.today();
    let (bucket, amount, limit) = match (cost, quota.search_calls) {
        (Cost::SearchCall, Some(calls)) => ("search", 1, calls),
        (Cost::SearchCall, None) => ("units", 1, quota.units),
        (Cost::Units(n), _) => ("units", n as u64, quota.units),
    };
    if ledger.spend(provider, bucket, &day, amount, limit)? {
        Ok(Ok(()))
    } else {
        Ok(Err(format!(
            "{provider}: the daily quota ({limit} {bucket}) for {day} ({}) is spent; its steps stop until midnight there",
            quota.timezone
        )))
    }
}
