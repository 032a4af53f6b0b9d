//! The connection side of the server: its own accept loop over hyper, so
//! that slow clients cannot hold connections. A client has
//! `header_timeout` to send each request's headers (hyper's timer, which
//! starts when the server begins waiting for them), a keep-alive
//! connection with no request in progress and no byte moving for
//! `idle_timeout` is closed, and connections beyond `max_connections`, or
//! beyond `max_per_address` from one client address, are closed as they
//! arrive. Requests in flight finish on shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt as _;

use crate::Metrics;

/// The limits on connections, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Time a keep-alive connection may sit idle.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Connections open at once from one client address.
    pub max_per_address: usize,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops
/// accepting, lets requests in flight finish and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let gate = Arc::new(Gate::new(limits));
    let (stop, stopping) = watch::channel(false);
    // Every connection task holds a sender; when all are gone, so are they.
    let (alive, mut all_closed) = mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Some(admitted) = gate.admit(peer.ip()) else {
            metrics.count_refused_connection();
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            router: router.clone(),
            limits,
            stopping: stopping.clone(),
            _admitted: admitted,
            _alive: alive.clone(),
        };
        tokio::spawn(connection.serve(stream, peer));
    }
    drop(listener);
    let _ = stop.send(true);
    drop(alive);
    all_closed.recv().await;
    Ok(())
}

/// Admits connections within the limits, in total and per address.
struct Gate {
    total: Arc<Semaphore>,
    per_address: Mutex<HashMap<IpAddr, usize>>,
    max_per_address: usize,
}

/// A connection's place in the limits, given back when it closes.
struct Admitted {
    gate: Arc<Gate>,
    address: IpAddr,
    _total: OwnedSemaphorePermit,
}

impl Gate {
    fn new(limits: ConnectionLimits) -> Self {
        Self {
            total: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            per_address: Mutex::default(),
            max_per_address: limits.max_per_address.max(1),
        }
    }

    fn admit(self: &Arc<Self>, address: IpAddr) -> Option<Admitted> {
        let total = self.total.clone().try_acquire_owned().ok()?;
        let mut per_address = self.lock();
        let open = per_address.entry(address).or_insert(0);
        if *open >= self.max_per_address {
            return None;
        }
        *open += 1;
        Some(Admitted {
            gate: self.clone(),
            address,
            _total: total,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.per_address
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut per_address = self.gate.lock();
        if let Some(open) = per_address.get_mut(&self.address) {
            *open -= 1;
            if *open == 0 {
                per_address.remove(&self.address);
            }
        }
    }
}

struct Connection {
    router: Router,
    limits: ConnectionLimits,
    stopping: watch::Receiver<bool>,
    _admitted: Admitted,
    _alive: mpsc::Sender<()>,
}

impl Connection {
    async fn serve(mut self, stream: TcpStream, peer: SocketAddr) {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Tracked {
            inner: stream,
            activity: activity.clone(),
        });
        let router = self.router.clone();
        let requests = activity.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let busy = requests.begin();
            let answer = router.clone().oneshot(request);
            async move {
                let answer = answer.await;
                drop(busy);
                answer
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout);
        let connection = builder.serve_connection(io, service);
        tokio::pin!(connection);
        let idle = activity.idle_for(self.limits.idle_timeout);
        tokio::pin!(idle);
        let mut closing = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(e) = served {
                        tracing::debug!(error = %e, "connection ended");
                    }
                    return;
                }
                () = &mut idle, if !closing => {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
                _ = self.stopping.changed(), if !closing => {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are
/// being answered.
struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

/// One request being answered; the connection is idle again when dropped.
struct Busy(Arc<Activity>);

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    /// How long nothing has happened; `None` while a request is answered.
    fn quiet(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        Some(self.started.elapsed().saturating_sub(last))
    }

    /// Resolves once the connection has been quiet for `limit`.
    async fn idle_for(&self, limit: Duration) {
        loop {
            match self.quiet() {
                Some(quiet) if quiet >= limit => return,
                Some(quiet) => tokio::time::sleep(limit - quiet).await,
                None => tokio::time::sleep(limit).await,
            }
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The TCP stream, noting each byte that moves.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_connections: usize, max_per_address: usize) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max_connections,
            max_per_address,
        }
    }

    #[test]
    fn connections_are_admitted_within_both_limits_and_given_back() {
        let gate = Arc::new(Gate::new(limits(3, 2)));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "per address");
        let _third = gate.admit(b).unwrap();
        assert!(gate.admit(b).is_none(), "in total");
        drop(first);
        assert!(gate.admit(a).is_some());
        assert!(gate.lock().len() <= 2);
    }

    #[tokio::test]
    async fn a_connection_is_idle_only_without_requests_or_bytes() {
        let activity = Arc::new(Activity::new());
        let busy = activity.begin();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(activity.quiet(), None, "a request in progress");
        drop(busy);
        assert!(activity.quiet().unwrap() < Duration::from_millis(100));
        tokio::time::sleep(Duration::from_millis(100)).await;
        activity.touch();
        let waited = Instant::now();
        activity.idle_for(Duration::from_millis(200)).await;
        let elapsed = waited.elapsed();
        assert!(
            elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(2),
            "counted from the last byte: {elapsed:?}"
        );
    }
}
