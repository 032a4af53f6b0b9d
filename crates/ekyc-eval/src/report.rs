//! Lines every benchmark prints the same way: the machine it ran on and
//! latency summaries.

use std::time::Duration;

/// "median, p95, p99, max" of a set of durations, in milliseconds (the
/// nearest-rank sample at each quantile; sorts `latencies`).
pub(crate) fn summarize(latencies: &mut [Duration]) -> String {
    if latencies.is_empty() {
        return "no samples".to_owned();
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(latencies[((latencies.len() - 1) as f64 * q).round() as usize]);
    format!(
        "median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.95),
        at(0.99),
        ms(latencies[latencies.len() - 1])
    )
}

/// One measurement's line: `requests` served in `wall` (by default the
/// sum of the latencies, as for one client), with their summary.
pub(crate) fn report(
    label: &str,
    latencies: &mut [Duration],
    requests: usize,
    wall: Option<Duration>,
) {
    println!("{}", report_line(label, latencies, requests, wall));
}

fn report_line(
    label: &str,
    latencies: &mut [Duration],
    requests: usize,
    wall: Option<Duration>,
) -> String {
    let wall = wall.unwrap_or_else(|| latencies.iter().sum());
    format!(
        "{label}: {requests} requests, {}, throughput {:.1} req/s",
        summarize(latencies),
        requests as f64 / wall.as_secs_f64()
    )
}

/// The processor, its cores and the inference threads: figures are only
/// comparable on the same machine.
pub(crate) fn print_machine(threads: usize) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "machine: {cpu}, {cores} cores; inference threads: {threads} (one intra-op thread each)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn summary_picks_the_nearest_rank() {
        // 1..=101 ms in reverse: the median is the 51st, p95 the 96th and
        // p99 the 100th value once sorted.
        let mut latencies = millis(&(1..=101).rev().collect::<Vec<_>>());
        assert_eq!(
            summarize(&mut latencies),
            "median 51.00 ms, p95 96.00 ms, p99 100.00 ms, max 101.00 ms"
        );
        assert_eq!(latencies[0], Duration::from_millis(1), "sorted in place");
        assert_eq!(
            summarize(&mut millis(&[4, 2])),
            "median 4.00 ms, p95 4.00 ms, p99 4.00 ms, max 4.00 ms"
        );
        assert_eq!(summarize(&mut []), "no samples");
    }

    #[test]
    fn throughput_is_over_the_wall_time() {
        // One client: four 250 ms requests take a second.
        let mut one = millis(&[250, 250, 250, 250]);
        assert_eq!(
            report_line("single client", &mut one, 4, None),
            "single client: 4 requests, median 250.00 ms, p95 250.00 ms, p99 250.00 ms, \
             max 250.00 ms, throughput 4.0 req/s"
        );
        // Two clients overlapping: the same four in half a second.
        let line = report_line("2 clients", &mut one, 4, Some(Duration::from_millis(500)));
        assert!(line.ends_with("throughput 8.0 req/s"), "{line}");
    }
}
