//! The one worker pool: live runs, a bounded number at once, results in the order given.
//!
//! [`crate::Suite`] runs scenario files on it and [`crate::compare()`] runs a matrix's
//! combinations on it. Each job is a tokio task, so a job that panics loses its own result
//! only.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Scenarios (or combinations) run at once unless told otherwise: the number of cores the
/// process may use.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// Runs `work` on every item, at most `jobs` at once (0 counts as 1), and returns the results
/// in the items' order; `None` for a job that panicked. `finished` sees each result as its
/// job ends, in the order they end.
pub(crate) async fn run_bounded<I, T, F, Fut>(
    items: Vec<I>,
    jobs: usize,
    work: F,
    mut finished: impl FnMut(&T),
) -> Vec<Option<T>>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let mut running = JoinSet::new();
    let mut results: Vec<Option<T>> = items.iter().map(|_| None).collect();
    for (index, item) in items.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        let job = work(item);
        running.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await.ok();
            (index, job.await)
        });
    }
    while let Some(joined) = running.join_next().await {
        if let Ok((index, result)) = joined {
            finished(&result);
            results[index] = Some(result);
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::sync::Barrier;

    use super::*;

    /// Every batch of `jobs` jobs meets at a barrier, which only opens when `jobs` run at
    /// once; a counter shows that never more do.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn runs_exactly_jobs_at_once_and_keeps_the_order() {
        let jobs = 3;
        let barrier = Arc::new(Barrier::new(jobs));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut seen = 0;
        let work = |n: usize| {
            let (barrier, running, most) = (
                Arc::clone(&barrier),
                Arc::clone(&running),
                Arc::clone(&most),
            );
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                barrier.wait().await;
                running.fetch_sub(1, Ordering::SeqCst);
                n * 10
            }
        };
        let results = tokio::time::timeout(
            Duration::from_secs(10),
            run_bounded((0..9).collect(), jobs, work, |_| seen += 1),
        )
        .await
        .expect("every batch of jobs met at the barrier");
        assert_eq!(
            results,
            (0..9).map(|n| Some(n * 10)).collect::<Vec<_>>(),
            "results in the items' order"
        );
        assert_eq!(seen, 9);
        assert_eq!(most.load(Ordering::SeqCst), jobs);
    }

    #[tokio::test]
    async fn a_job_that_panics_loses_only_its_own_result() {
        let results = run_bounded(
            vec![1, 0, 2],
            0,
            |n: u32| async move {
                assert!(n != 0, "a job that panics");
                n
            },
            |_| {},
        )
        .await;
        assert_eq!(results, [Some(1), None, Some(2)]);
    }
}
