//! The bounded prover pool: dedicated OS threads fed by a channel, admission by a semaphore.
//!
//! Capacity is `threads + max_queue_depth` jobs (running + waiting). A job that cannot get a slot
//! is refused at once ([`PoolError::Full`] → 503 with `Retry-After`), so memory and latency stay
//! bounded under overload and the async workers never block: they only await a oneshot.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why a job was not run to completion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// Every running and queued slot is taken.
    #[error("prover queue full")]
    Full,
    /// The job panicked (a bug); the pool thread survives.
    #[error("prover job panicked")]
    Panicked,
    /// The pool is gone.
    #[error("prover pool closed")]
    Closed,
}

/// A fixed set of prover threads with a bounded queue.
pub struct ProverPool {
    sender: Mutex<mpsc::Sender<Job>>,
    permits: Arc<Semaphore>,
    capacity: usize,
    threads: usize,
    running: Arc<AtomicUsize>,
}

impl ProverPool {
    /// Starts `threads` (≥ 1) prover threads accepting at most `max_queue_depth` waiting jobs.
    pub fn new(threads: usize, max_queue_depth: usize) -> Self {
        let threads = threads.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let running = Arc::new(AtomicUsize::new(0));
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            let running = Arc::clone(&running);
            std::thread::Builder::new()
                .name(format!("prover-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    running.fetch_add(1, Ordering::SeqCst);
                    job();
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .expect("spawn prover thread");
        }
        let capacity = threads + max_queue_depth;
        ProverPool {
            sender: Mutex::new(tx),
            permits: Arc::new(Semaphore::new(capacity)),
            capacity,
            threads,
            running,
        }
    }

    /// Runs `f` on a prover thread, or fails at once with [`PoolError::Full`].
    ///
    /// The slot is held until `f` returns, even if the caller stops waiting.
    pub async fn run<F, T>(&self, f: F) -> Result<T, PoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| PoolError::Full)?;
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let r = catch_unwind(AssertUnwindSafe(f));
            drop(permit);
            let _ = tx.send(r);
        });
        self.sender
            .lock()
            .map_err(|_| PoolError::Closed)?
            .send(job)
            .map_err(|_| PoolError::Closed)?;
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(PoolError::Panicked),
            Err(_) => Err(PoolError::Closed),
        }
    }

    /// Jobs admitted and not finished (running + queued).
    pub fn in_flight(&self) -> usize {
        self.capacity - self.permits.available_permits()
    }

    /// Jobs currently executing on a prover thread.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Jobs admitted but waiting for a thread.
    pub fn queued(&self) -> usize {
        self.in_flight().saturating_sub(self.running())
    }

    /// True when no new job would be admitted.
    pub fn is_saturated(&self) -> bool {
        self.permits.available_permits() == 0
    }

    /// Number of prover threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Running + queued jobs admitted at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc as smpsc;

    #[tokio::test]
    async fn admits_up_to_capacity_then_refuses() {
        let pool = Arc::new(ProverPool::new(1, 1));
        let (release_tx, release_rx) = smpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let mut handles = vec![];
        for _ in 0..2 {
            let pool = Arc::clone(&pool);
            let rr = Arc::clone(&release_rx);
            handles.push(tokio::spawn(async move {
                pool.run(move || rr.lock().unwrap().recv().unwrap()).await
            }));
        }
        while pool.in_flight() < 2 {
            tokio::task::yield_now().await;
        }
        assert!(pool.is_saturated());
        assert_eq!(pool.run(|| ()).await, Err(PoolError::Full));
        release_tx.send(()).unwrap();
        release_tx.send(()).unwrap();
        for h in handles {
            assert_eq!(h.await.unwrap(), Ok(()));
        }
        assert_eq!(pool.in_flight(), 0);
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn panics_are_contained() {
        let pool = ProverPool::new(1, 0);
        assert_eq!(
            pool.run(|| panic!("boom")).await,
            Err::<(), _>(PoolError::Panicked)
        );
        assert_eq!(pool.run(|| 1).await, Ok(1));
    }
}
