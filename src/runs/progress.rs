//! Progress on a terminal: a bar per provider while extracting (answers so far against
//! what the lake held last time, rate, time left) and one over the models while
//! transforming. Off a terminal nothing is drawn: the logs and the stage summaries
//! stay plain lines.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use liner_extract::{Answer, OnAnswer, Provider};

fn on_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// The bars of this process, drawn together.
fn bars() -> &'static MultiProgress {
    static MULTI: OnceLock<MultiProgress> = OnceLock::new();
    MULTI.get_or_init(MultiProgress::new)
}

/// Where log lines go: stderr, with the bars lifted while a line is written, so a
/// warning mid-extraction is a clean line above them.
pub struct LogWriter;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogLine;
    fn make_writer(&'a self) -> LogLine {
        LogLine(Vec::new())
    }
}

/// One log line, written out whole when dropped.
pub struct LogLine(Vec<u8>);

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.0);
        bars().suspend(|| {
            let _ = std::io::stderr().write_all(&line);
        });
    }
}

/// A bar per provider, sized by what each held in the lake (a rerun asks about as much
/// again); a first run, with nothing to go by, counts without a bar.
pub fn extraction(providers: &[(Provider, u64)]) -> Option<OnAnswer> {
    if !on_terminal() {
        return None;
    }
    let multi = bars();
    let sized = ProgressStyle::with_template("{prefix:12} {bar:30} {pos:>6}/{len:6} {msg:>9} left {eta}")
        .expect("progress template");
    let open =
        ProgressStyle::with_template("{prefix:12} {spinner} {pos:>6} answers {msg:>9}").expect("progress template");
    let started = Instant::now();
    let bars: HashMap<&'static str, ProgressBar> = providers
        .iter()
        .map(|(p, expected)| {
            let bar = if *expected > 0 {
                multi.add(ProgressBar::new(*expected).with_style(sized.clone()))
            } else {
                multi.add(ProgressBar::no_length().with_style(open.clone()))
            };
            bar.set_prefix(p.name());
            (p.name(), bar)
        })
        .collect();
    Some(Arc::new(move |provider: &'static str, _how: Answer| {
        if let Some(bar) = bars.get(provider) {
            if bar.length().is_some_and(|len| bar.position() >= len) {
                bar.inc_length(1);
            }
            bar.inc(1);
            let rate = bar.position() as f64 / started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{rate:.1}/s"));
        }
    }))
}

/// One bar over the models of a transform.
pub fn transform() -> Option<liner_transform::OnModel> {
    if !on_terminal() {
        return None;
    }
    let bar = bars()
        .add(ProgressBar::new(0))
        .with_style(ProgressStyle::with_template("models {bar:30} {pos}/{len} {wide_msg}").expect("progress template"));
    Some(Arc::new(move |name: &str, done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(name.to_string());
        if done == total {
            bar.finish_and_clear();
        }
    }))
}
