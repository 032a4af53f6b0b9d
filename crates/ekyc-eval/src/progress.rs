//! Progress bars for the long commands (every `bench`, and `models fetch`,
//! which the binary draws with these too): drawn on stderr, and only when
//! stderr is a terminal, so that logs, pipes and CI output keep their plain
//! lines and figures.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps labelled `what`; hidden unless stderr is a terminal.
pub fn steps(len: u64, what: &str) -> ProgressBar {
    styled(
        len,
        what,
        "{prefix:>14} [{bar:36}] {pos}/{len} {msg} ({elapsed}, about {eta} left)",
    )
}

/// A bar of `len` bytes labelled `what`, ticking by itself while a step
/// of unknown length (a download) runs.
pub fn bytes(len: u64, what: &str) -> ProgressBar {
    let bar = styled(
        len,
        what,
        "{spinner} {prefix:>8} [{bar:36}] {bytes}/{total_bytes} {msg} ({elapsed})",
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn styled(len: u64, what: &str, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::new(len).with_style(style);
    bar.set_prefix(what.to_owned());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under `cargo test` stderr is captured, not a terminal: no bar is
    /// drawn, and counting on a hidden one is harmless.
    #[test]
    fn bars_are_hidden_off_a_terminal() {
        if std::io::stderr().is_terminal() {
            return;
        }
        let bar = steps(10, "cards");
        assert!(bar.is_hidden());
        bar.inc(3);
        assert!(bytes(1 << 20, "models").is_hidden());
    }
}
