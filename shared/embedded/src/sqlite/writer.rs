//! The single writer: a dedicated thread that owns the write connection and commits in
//! groups.
//!
//! Every write is a job sent over a channel. The thread takes the first waiting job and every
//! job queued behind it (up to [`MAX_BATCH`]), runs each inside its own `SAVEPOINT` within one
//! `BEGIN IMMEDIATE` transaction, commits once, and only then answers the callers. A job that
//! fails is rolled back to its savepoint without affecting the others; a failed commit fails
//! them all. So each job is atomic and isolated (jobs run one after another on one
//! connection), results are only reported once durable, and concurrent writers share one
//! commit (one WAL sync point) instead of paying for one each.
//!
//! Must never: answer a job before its transaction committed, or run SQLite work on an async
//! worker thread.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::DbError;

/// Most jobs committed together.
pub(crate) const MAX_BATCH: usize = 256;

pub(crate) trait WriteJob: Send {
    /// Run inside the batch transaction; `false` when the job failed (roll it back).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Report the outcome: the job's own result if the batch committed, else `err`.
    fn finish(self: Box<Self>, commit: Result<(), String>);
    /// Must run outside any transaction (e.g. a WAL checkpoint).
    fn standalone(&self) -> bool;
}

pub(crate) struct Job<T, F> {
    f: Option<F>,
    result: Option<Result<T, DbError>>,
    reply: oneshot::Sender<Result<T, DbError>>,
    standalone: bool,
}

impl<T, F> Job<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
{
    pub(crate) fn boxed(
        f: F,
        standalone: bool,
    ) -> (Box<dyn WriteJob>, oneshot::Receiver<Result<T, DbError>>) {
        let (reply, rx) = oneshot::channel();
        let job = Job {
            f: Some(f),
            result: None,
            reply,
            standalone,
        };
        (Box::new(job), rx)
    }
}

impl<T, F> WriteJob for Job<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(f) = self.f.take() else { return false };
        let r = catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(DbError::Join("write job panicked".into())));
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let out = match (commit, self.result) {
            // A failed job reports its own error even when the batch committed.
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(v))) => Ok(v),
            (Ok(()), None) => Err(DbError::Join("write job was not run".into())),
            (Err(m), _) => Err(DbError::Join(m)),
        };
        // The caller may have gone away (cancelled future); nothing to do then.
        let _ = self.reply.send(out);
    }

    fn standalone(&self) -> bool {
        self.standalone
    }
}

/// Start the writer thread; it stops when every sender is dropped.
pub(crate) fn spawn(conn: Connection) -> std::io::Result<mpsc::Sender<Box<dyn WriteJob>>> {
    let (tx, rx) = mpsc::channel::<Box<dyn WriteJob>>();
    std::thread::Builder::new()
        .name("dlp-sqlite-writer".into())
        .spawn(move || writer_loop(&conn, &rx))?;
    Ok(tx)
}

fn writer_loop(conn: &Connection, rx: &mpsc::Receiver<Box<dyn WriteJob>>) {
    let mut carry: Option<Box<dyn WriteJob>> = None;
    loop {
        let first = match carry.take() {
            Some(j) => j,
            None => match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            },
        };
        if first.standalone() {
            run_standalone(conn, first);
            continue;
        }
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) if j.standalone() => {
                    carry = Some(j);
                    break;
                }
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        run_batch(conn, batch);
    }
}

fn run_standalone(conn: &Connection, mut job: Box<dyn WriteJob>) {
    job.run(conn);
    job.finish(Ok(()));
}

fn run_batch(conn: &Connection, mut batch: Vec<Box<dyn WriteJob>>) {
    // Cached statements: these run several times per write, parsing them each time shows.
    let exec = |sql: &str| {
        conn.prepare_cached(sql)
            .and_then(|mut st| st.execute([]))
            .map(|_| ())
    };
    let outcome = (|| -> Result<(), rusqlite::Error> {
        exec("BEGIN IMMEDIATE")?;
        for job in batch.iter_mut() {
            exec("SAVEPOINT job")?;
            if !job.run(conn) {
                exec("ROLLBACK TO job")?;
            }
            exec("RELEASE job")?;
        }
        exec("COMMIT")
    })();
    let commit = match outcome {
        Ok(()) => Ok(()),
        Err(e) => {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            Err(format!("sqlite write batch failed: {e}"))
        }
    };
    for job in batch {
        job.finish(commit.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(
        v: i64,
        then_fail: bool,
    ) -> impl FnOnce(&Connection) -> Result<i64, DbError> + Send + 'static {
        move |c: &Connection| {
            c.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
            if then_fail {
                return Err(DbError::Invalid("job gave up after writing".into()));
            }
            Ok(v)
        }
    }

    #[tokio::test]
    async fn a_failed_job_rolls_back_alone_and_results_follow_the_commit() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        let (a, ra) = Job::boxed(insert(1, false), false);
        let (b, rb) = Job::boxed(insert(2, true), false);
        let (c, rc) = Job::boxed(insert(3, false), false);
        let (d, rd) = Job::boxed(insert(1, false), false); // duplicate key: SQLite error
        run_batch(&conn, vec![a, b, c, d]);
        assert_eq!(ra.await.unwrap().unwrap(), 1);
        assert!(matches!(rb.await.unwrap(), Err(DbError::Invalid(_))));
        assert_eq!(rc.await.unwrap().unwrap(), 3);
        assert!(matches!(rd.await.unwrap(), Err(DbError::Sqlite(_))));
        let rows: Vec<i64> = conn
            .prepare("SELECT v FROM t ORDER BY v")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![1, 3],
            "the failed job's insert is rolled back, the others kept"
        );
        assert!(conn.is_autocommit(), "the batch transaction is closed");
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_job() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        // A job that commits behind the writer's back makes the batch's COMMIT fail.
        let (a, ra) = Job::boxed(insert(1, false), false);
        let (b, rb) = Job::boxed(
            |c: &Connection| {
                c.execute_batch("COMMIT")?;
                Ok(0i64)
            },
            false,
        );
        run_batch(&conn, vec![a, b]);
        assert!(
            ra.await.unwrap().is_err(),
            "no success reported without a clean commit"
        );
        assert!(rb.await.unwrap().is_err());
        assert!(conn.is_autocommit());
    }
}
