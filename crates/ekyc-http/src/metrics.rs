//! Request counters and latency totals in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
struct Series {
    count: u64,
    seconds: f64,
}

/// Counts of requests by method, route template and status.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
    audit_failures: AtomicU64,
    refused_connections: AtomicU64,
}

impl Metrics {
    pub(crate) fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut series) = self.series.lock() else {
            return;
        };
        let entry = series
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        entry.count += 1;
        entry.seconds += elapsed.as_secs_f64();
    }

    pub(crate) fn count_audit_failure(&self) {
        self.audit_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_refused_connection(&self) {
        self.refused_connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn render(&self, audit_spooled: usize) -> String {
        let mut out = String::from(
            "# HELP ekyc_requests_total Requests served.\n# TYPE ekyc_requests_total counter\n",
        );
        let Ok(series) = self.series.lock() else {
            return out;
        };
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(out, "ekyc_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}", s.count);
        }
        out.push_str("# HELP ekyc_request_seconds_total Time spent serving requests.\n# TYPE ekyc_request_seconds_total counter\n");
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(out, "ekyc_request_seconds_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {:.6}", s.seconds);
        }
        let _ = writeln!(
            out,
            "# HELP ekyc_audit_failures_total Audit records neither written nor spooled.\n# TYPE ekyc_audit_failures_total counter\nekyc_audit_failures_total {}",
            self.audit_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP ekyc_audit_spooled Audit records waiting for the database.\n# TYPE ekyc_audit_spooled gauge\nekyc_audit_spooled {audit_spooled}"
        );
        let _ = writeln!(
            out,
            "# HELP ekyc_connections_refused_total Connections closed on arrival: over the total or per-address limit.\n# TYPE ekyc_connections_refused_total counter\nekyc_connections_refused_total {}",
            self.refused_connections.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_per_series() {
        let metrics = Metrics::default();
        metrics.record("POST", "/v1/fr/count", 200, Duration::from_millis(10));
        metrics.record("POST", "/v1/fr/count", 200, Duration::from_millis(30));
        let text = metrics.render(3);
        assert!(text.contains(
            "ekyc_requests_total{method=\"POST\",route=\"/v1/fr/count\",status=\"200\"} 2"
        ));
        assert!(text.contains("0.040000"));
        assert!(text.contains("ekyc_audit_spooled 3"));
    }
}
