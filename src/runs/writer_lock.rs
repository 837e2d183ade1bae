//! One writer at a time. A liner process that writes the state, the lake, the
//! warehouse or the app database first takes an exclusive lock on
//! `<data_dir>/liner.lock`; the operating system lets it go when the process ends,
//! however it ends. The file says who holds it (process, command, run, since when), so
//! a second writer can name what it waits for. Readers take no lock: the warehouse is
//! swapped in whole, so they are never blocked.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Seek, Write};
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;

/// The lock this process holds, if any: `describe_run` writes the run id into it.
static HELD: Mutex<Option<File>> = Mutex::new(None);

/// Held until dropped (or the process ends).
pub struct WriterLock(());

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Closing the file releases the lock.
        HELD.lock().expect("writer lock").take();
    }
}

/// Takes the data folder's writer lock for `command`. Another process holding it:
/// with `wait`, says who and waits for it; without, refuses, naming the holder.
pub fn acquire(data_dir: &Path, command: &str, wait: bool) -> anyhow::Result<WriterLock> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let path = data_dir.join("liner.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = holder(&path);
            if !wait {
                anyhow::bail!(
                    "another liner is writing to {}: {holder}. Run again once it is done, or without --no-wait to wait for it",
                    data_dir.display()
                );
            }
            eprintln!("waiting for another liner to finish writing to {}: {holder}", data_dir.display());
            file.lock().with_context(|| format!("waiting for the lock on {}", path.display()))?;
        }
        Err(TryLockError::Error(e)) => return Err(e).with_context(|| format!("locking {}", path.display())),
    }
    let since = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
    write_holder(&mut file, &format!("pid {}, `{command}`, since {since}", std::process::id()))?;
    *HELD.lock().expect("writer lock") = Some(file);
    Ok(WriterLock(()))
}

/// Adds the run id to what the lock file says of this process, if it holds the lock.
pub fn describe_run(run_id: &str) {
    if let Some(file) = HELD.lock().expect("writer lock").as_mut() {
        let mut text = String::new();
        let _ = file.rewind();
        let _ = std::io::Read::read_to_string(file, &mut text);
        let line = text.lines().next().unwrap_or_default().split(", run ").next().unwrap_or_default().to_string();
        let _ = write_holder(file, &format!("{line}, run {run_id}"));
    }
}

fn write_holder(file: &mut File, text: &str) -> anyhow::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "{text}")?;
    file.flush()?;
    Ok(())
}

fn holder(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(s) if !s.trim().is_empty() => s.trim().to_string(),
        _ => "a process that has not said who it is yet".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holders_name_and_gets_in_once_it_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        // The lock is per open file description: a second open in this process
        // contends like another process would.
        let first = acquire(dir.path(), "liner extract", true).unwrap();
        describe_run("20261122T000000Z-abcd");
        let second = OpenOptions::new().read(true).write(true).open(dir.path().join("liner.lock")).unwrap();
        assert!(matches!(second.try_lock(), Err(TryLockError::WouldBlock)));
        let said = holder(&dir.path().join("liner.lock"));
        assert!(said.contains("`liner extract`") && said.contains("run 20261122T000000Z-abcd"), "{said}");
        drop(first);
        assert!(second.try_lock().is_ok(), "released on drop");
    }
}
