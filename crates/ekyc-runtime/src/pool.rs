//! A fixed set of inference threads fed by a bounded queue.
//!
//! Inference is CPU-bound and would stall the async runtime, so it runs on
//! threads of its own, one per core, each owning its model sessions (no
//! locks on the hot path). When the queue is full a request is refused at
//! once rather than left to time out: the HTTP layer turns that into 503.
//!
//! A job runs inside the tracing span of the code that submitted it, so
//! what it logs on the inference thread carries the request's `trxId`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;

use crossbeam_channel::{bounded, Sender, TrySendError};
use tokio::sync::oneshot;

type Job<W> = Box<dyn FnOnce(&mut W) + Send>;

/// Why a job did not run to its end.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PoolError {
    /// Refused at once: every worker busy and the queue full.
    #[error("all inference workers are busy and the queue is full")]
    Busy,
    /// The workers are gone.
    #[error("the inference pool has shut down")]
    Closed,
    /// The job panicked; its worker lives on.
    #[error("the inference job failed unexpectedly")]
    JobPanicked,
}

/// Threads that each own one worker state `W` (e.g. model sessions).
pub struct InferencePool<W> {
    sender: Sender<Job<W>>,
    threads: usize,
}

impl<W: Send + 'static> InferencePool<W> {
    /// Starts one thread per worker state; at most `queue` jobs wait.
    pub fn start(workers: Vec<W>, queue: usize) -> std::io::Result<Self> {
        let (sender, receiver) = bounded::<Job<W>>(queue);
        let threads = workers.len();
        for (index, mut worker) in workers.into_iter().enumerate() {
            let receiver = receiver.clone();
            thread::Builder::new()
                .name(format!("inference-{index}"))
                .spawn(move || {
                    for job in receiver {
                        job(&mut worker);
                    }
                })?;
        }
        Ok(Self { sender, threads })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `job` on a worker and waits for its result without blocking
    /// the async runtime. Fails fast with [`PoolError::Busy`] when full.
    pub async fn run<R, F>(&self, job: F) -> Result<R, PoolError>
    where
        R: Send + 'static,
        F: FnOnce(&mut W) -> R + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let span = tracing::Span::current();
        let boxed: Job<W> = Box::new(move |worker| {
            let _request = span.enter();
            // A panicking job must not take the worker thread down with it;
            // dropping `reply` tells the caller it failed.
            if let Ok(value) = catch_unwind(AssertUnwindSafe(|| job(worker))) {
                let _ = reply.send(value);
            }
        });
        self.sender.try_send(boxed).map_err(|e| match e {
            TrySendError::Full(_) => PoolError::Busy,
            TrySendError::Disconnected(_) => PoolError::Closed,
        })?;
        result.await.map_err(|_| PoolError::JobPanicked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    #[tokio::test]
    async fn jobs_run_on_worker_state() {
        let pool = InferencePool::start(vec![10u32, 20u32], 4).unwrap();
        let mut results = Vec::new();
        for i in 0..6 {
            results.push(pool.run(move |w: &mut u32| *w + i).await.unwrap());
        }
        assert_eq!(results.len(), 6);
        assert!(results.iter().all(|r| *r >= 10));
    }

    #[tokio::test]
    async fn full_queue_answers_busy_immediately() {
        let gate = Arc::new(Barrier::new(2));
        let pool = Arc::new(InferencePool::start(vec![()], 1).unwrap());
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let held = gate.clone();
        let blocker = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move |_| {
                    started_tx.send(()).unwrap();
                    held.wait();
                })
                .await
            }
        });
        tokio::task::spawn_blocking(move || started_rx.recv())
            .await
            .unwrap()
            .unwrap();
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|_| 1).await }
        });
        while pool.sender.is_empty() {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(|_| 2).await, Err(PoolError::Busy));
        gate.wait();
        assert!(blocker.await.unwrap().is_ok());
        assert_eq!(queued.await.unwrap(), Ok(1));
    }

    #[tokio::test]
    async fn panicking_job_is_an_error_and_worker_survives() {
        let pool = InferencePool::start(vec![()], 2).unwrap();
        let failed: Result<(), _> = pool.run(|_| panic!("boom")).await;
        assert_eq!(failed, Err(PoolError::JobPanicked));
        assert_eq!(pool.run(|_| 5).await, Ok(5));
    }

    /// The submitter's span is current on the worker thread.
    #[tokio::test]
    async fn jobs_run_in_the_submitters_span() {
        // The registry alone tracks which span is current on each thread;
        // global, since the worker thread must see it too. It prints
        // nothing, so the other tests are none the wiser.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        let pool = InferencePool::start(vec![()], 2).unwrap();
        let outside = pool.run(|_| tracing::Span::current().is_none()).await;
        assert_eq!(outside, Ok(true));
        let span = tracing::info_span!("request", trx_id = 7);
        let inside = tracing::Instrument::instrument(
            pool.run(|_| tracing::Span::current().metadata().map(|m| m.name())),
            span,
        )
        .await;
        assert_eq!(inside, Ok(Some("request")));
    }
}
