//! The runs `liner serve` was asked for, waiting their turn: one runs at a time.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::Notify;

use crate::runs::schedules::Step;
use crate::stored::state::new_run_id;

#[derive(Debug, Clone)]
pub enum Work {
    Schedule(String),
    Steps(Vec<Step>),
    Follow {
        name: String,
        musicbrainz_id: Option<String>,
    },
    /// Items apps asked to have found (`POST /enrich`), by their enrichment ids.
    Enrich(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Queued {
    pub run_id: String,
    pub command: String,
    pub work: Work,
    pub requested_at: String,
}

pub struct Queue {
    inner: Mutex<Inner>,
    wake: Notify,
    max_waiting: usize,
}

#[derive(Default)]
struct Inner {
    waiting: VecDeque<Queued>,
    running: Option<Queued>,
    closed: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{0} runs are already waiting (serve.max_queued_runs): try again when one has run")]
pub struct Full(usize);

impl Queue {
    pub fn new(max_waiting: usize) -> Queue {
        Queue { inner: Mutex::default(), wake: Notify::new(), max_waiting }
    }

    /// Queues `work` under a new run id.
    pub fn push(&self, work: Work, command: String) -> Result<Queued, Full> {
        let mut inner = self.inner.lock().expect("queue lock");
        if inner.waiting.len() >= self.max_waiting {
            return Err(Full(inner.waiting.len()));
        }
        let q = Queued {
            run_id: new_run_id(),
            command,
            work,
            requested_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        };
        inner.waiting.push_back(q.clone());
        drop(inner);
        self.wake.notify_one();
        Ok(q)
    }

    /// The run of schedule `name` waiting or going, if any.
    pub fn pending_schedule(&self, name: &str) -> Option<String> {
        self.pending(|w| matches!(w, Work::Schedule(n) if n == name))
    }

    /// The first run waiting or going whose work is `such`, if any.
    pub fn pending(&self, such: impl Fn(&Work) -> bool) -> Option<String> {
        let inner = self.inner.lock().expect("queue lock");
        inner.running.iter().chain(inner.waiting.iter()).find(|q| such(&q.work)).map(|q| q.run_id.clone())
    }

    /// The next run, marked as running; None once the queue is closed.
    pub async fn next(&self) -> Option<Queued> {
        loop {
            let notified = self.wake.notified();
            {
                let mut inner = self.inner.lock().expect("queue lock");
                if inner.closed {
                    return None;
                }
                if let Some(q) = inner.waiting.pop_front() {
                    inner.running = Some(q.clone());
                    return Some(q);
                }
            }
            notified.await;
        }
    }

    /// The running run is done.
    pub fn finish(&self) {
        self.inner.lock().expect("queue lock").running = None;
    }

    pub fn close(&self) {
        self.inner.lock().expect("queue lock").closed = true;
        self.wake.notify_waiters();
    }

    pub fn drain(&self) -> Vec<Queued> {
        self.inner.lock().expect("queue lock").waiting.drain(..).collect()
    }

    /// The running run and the waiting ones, in order.
    pub fn snapshot(&self) -> (Option<Queued>, Vec<Queued>) {
        let inner = self.inner.lock().expect("queue lock");
        (inner.running.clone(), inner.waiting.iter().cloned().collect())
    }
}
