//! The HTTP server, its connections, the inference threads and the
//! models they load.

use std::path::PathBuf;

use ekyc_image::IntakeLimits;
use serde::Deserialize;

use super::Secret;

/// How the server listens, admits and runs work.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Address the HTTP server binds to.
    pub listen: String,
    /// Bearer token of the operator's admin API (`/admin/v1/...`), at
    /// least 32 characters. Unset: the admin API does not exist.
    pub admin_token: Option<Secret>,
    /// A request that takes longer is answered with 50300.
    pub request_timeout_secs: u64,
    /// Slow clients. Seconds a client has to send a request's headers,
    /// counted from when the server starts waiting for them (a new
    /// connection, or the end of the previous answer); then it is closed...
    pub http_header_timeout_secs: u64,
    /// ...seconds a keep-alive connection may sit idle between requests
    /// (no request in progress, no byte either way)...
    pub http_idle_timeout_secs: u64,
    /// ...connections open at once; more are closed as they arrive...
    pub http_max_connections: usize,
    /// ...and from one client address (the peer's: behind a proxy, the
    /// proxy's, so raise it to the proxy's connection pool).
    pub http_max_connections_per_address: usize,
    /// Threads doing CPU inference; 0 means one per core.
    pub inference_workers: usize,
    /// Inference jobs allowed to wait for a worker; beyond that, 50300.
    pub inference_queue: usize,
    /// Largest decoded image accepted, in bytes.
    pub max_image_bytes: usize,
    /// Largest image accepted, in pixels (checked from the header).
    pub max_image_pixels: u64,
    /// Largest image side accepted, in pixels.
    pub max_image_side: u32,
    /// Where verified model files are kept; `<data_dir>/models` when unset.
    pub model_dir: Option<PathBuf>,
    /// Folder holding the model files that no package registry ships.
    pub model_mirror: PathBuf,
}

impl Default for ServerSettings {
    fn default() -> Self {
        let intake = IntakeLimits::default();
        Self {
            listen: "0.0.0.0:8080".to_owned(),
            admin_token: None,
            request_timeout_secs: 30,
            http_header_timeout_secs: 10,
            http_idle_timeout_secs: 5,
            http_max_connections: 1024,
            http_max_connections_per_address: 128,
            inference_workers: 0,
            inference_queue: 64,
            max_image_bytes: intake.max_bytes,
            max_image_pixels: intake.max_pixels,
            max_image_side: intake.max_side,
            model_dir: None,
            model_mirror: PathBuf::from("../shared/models"),
        }
    }
}

impl ServerSettings {
    /// The limits applied to an image before any pixel is decoded.
    pub fn intake(&self) -> IntakeLimits {
        IntakeLimits {
            max_bytes: self.max_image_bytes,
            max_pixels: self.max_image_pixels,
            max_side: self.max_image_side,
        }
    }

    /// Number of inference threads, resolving 0 to the number of cores.
    pub fn inference_threads(&self) -> usize {
        match self.inference_workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}
