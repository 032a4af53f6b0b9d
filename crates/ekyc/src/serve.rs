//! `ekyc serve`: check models, open the store, start the inference pool,
//! serve HTTP until SIGINT/SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use ekyc_auth::{Limits, Lockout, LockoutPolicy};
use ekyc_core::Settings;
use ekyc_doc::recognise::RecogniserKind;
use ekyc_doc::registration::Masking;
use ekyc_doc::DocumentModels;
use ekyc_face::{model_version, Calibration, EngineId, FaceModels, FaceOptions, Matcher};
use ekyc_face_service::{FaceService, ServiceSettings};
use ekyc_http::{admin_token_digest, AppState, ConnectionLimits};
use ekyc_runtime::{check_models, init_onnx_runtime, InferencePool, Manifest};
use ekyc_store::{AuditTrail, Store};
use ekyc_vault::Vault;
use tokio::net::TcpListener;

use crate::admin::{open_auth, open_vault};

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let pool = Arc::new(start_face_pool(&settings)?);
    let documents = Arc::new(start_document_pool(&settings)?);
    let id_masking = id_masking(settings.documents.ocr_id_masking);
    let (store, auth) = open_auth(&settings).await?;
    let vault = Arc::new(open_vault(&settings, store.clone())?);
    vault.seal_legacy_templates(unix_now()).await?;
    vault.seal_legacy_user_codes(unix_now()).await?;
    let faces = face_service(&settings, pool, store.clone(), vault.clone())?;
    let limits = Arc::new(Limits::new(settings.auth.limits()));
    let audit = Arc::new(AuditTrail::new(store.clone()));
    let state = AppState {
        auth: Arc::new(auth),
        store,
        vault,
        limits,
        trust_forwarded_for: settings.auth.trust_forwarded_for,
        audit: audit.clone(),
        admin_token_digest: admin_token(&settings)?,
        audit_retention: Duration::from_secs(
            u64::from(settings.store.audit_retention_days) * 86_400,
        ),
        faces: Arc::new(faces),
        documents,
        id_masking,
        intake: settings.server.intake(),
        request_timeout: Duration::from_secs(settings.server.request_timeout_secs),
        metrics: Default::default(),
    };
    let listener = TcpListener::bind(&settings.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, data_dir = %settings.store.data_dir.display(), "eKYC server ready");
    // One machine-readable line on stdout, for scripts and tests.
    println!("listening on {address}");
    tokio::spawn(maintenance(state.clone()));
    tokio::spawn(flush_audit_spool(audit.clone()));
    ekyc_http::serve(
        listener,
        state,
        connection_limits(&settings),
        shutdown_signal(),
    )
    .await?;
    if let Err(e) = audit.flush().await {
        let error: &(dyn std::error::Error + 'static) = &e;
        tracing::error!(
            error,
            lost = audit.pending(),
            "audit records lost at shutdown: the database refused them"
        );
    }
    tracing::info!("server stopped");
    Ok(())
}

/// Writes spooled audit records out every second, once the database
/// takes them again.
async fn flush_audit_spool(audit: Arc<AuditTrail>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        every.tick().await;
        match audit.flush().await {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, "spooled audit records written"),
            Err(e) => {
                let error: &(dyn std::error::Error + 'static) = &e;
                tracing::debug!(
                    error,
                    pending = audit.pending(),
                    "audit spool still waiting"
                )
            }
        }
    }
}

/// Purges expired audit records and forgets idle rate-limit state, at
/// start and then every ten minutes.
async fn maintenance(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        state.limits.forget_idle();
        let cutoff_ms =
            (unix_now() * 1000).saturating_sub(state.audit_retention.as_millis() as i64);
        match state.store.purge_audit(cutoff_ms).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "purged expired audit records"),
            Err(e) => {
                let error: &(dyn std::error::Error + 'static) = &e;
                tracing::error!(error, "audit purge failed")
            }
        }
    }
}

/// The face use cases over the started pool, the store and the vault:
/// what the server serves and the benchmarks measure.
pub fn face_service(
    settings: &Settings,
    pool: Arc<InferencePool<FaceModels>>,
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
) -> anyhow::Result<FaceService> {
    let lockout = Arc::new(Lockout::new(store, lockout_policy(settings)));
    Ok(FaceService::new(
        pool,
        vault,
        lockout,
        Arc::new(matcher(settings)?),
        ServiceSettings {
            default_engine: settings.face.default_engine,
            fpir: settings.face.fpir_identify,
            intake: settings.server.intake(),
        },
    ))
}

fn connection_limits(settings: &Settings) -> ConnectionLimits {
    let server = &settings.server;
    ConnectionLimits {
        header_timeout: Duration::from_secs(server.http_header_timeout_secs),
        idle_timeout: Duration::from_secs(server.http_idle_timeout_secs),
        max_connections: server.http_max_connections,
        max_per_address: server.http_max_connections_per_address,
    }
}

/// Margin of a verification reservation over the request timeout, for
/// the clocks of several nodes, which need not agree to the second.
const RESERVATION_CLOCK_MARGIN: Duration = Duration::from_secs(30);

fn lockout_policy(settings: &Settings) -> LockoutPolicy {
    // A request is cut off at its timeout: a reservation older than
    // that (and the margin) belongs to one that died.
    settings.auth.lockout(
        Duration::from_secs(settings.server.request_timeout_secs) + RESERVATION_CLOCK_MARGIN,
    )
}

/// The admin API's token digest; a short token is refused rather than
/// exposing tenant management behind a guessable secret.
fn admin_token(settings: &Settings) -> anyhow::Result<Option<[u8; 32]>> {
    match settings
        .server
        .admin_token
        .as_ref()
        .map(|token| token.expose().trim())
    {
        None => Ok(None),
        Some(token) if token.len() < 32 => bail!("admin_token must be at least 32 characters"),
        Some(token) => {
            tracing::info!("admin API enabled");
            Ok(Some(admin_token_digest(token)))
        }
    }
}

pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Verifies every model, loads ONNX Runtime and one set of face models per
/// inference thread. A missing or altered file stops here, naming it.
pub fn start_face_pool(settings: &Settings) -> anyhow::Result<InferencePool<FaceModels>> {
    let (manifest, model_dir) = loaded_models(settings)?;
    let threads = settings.server.inference_threads();
    let options = face_options(settings);
    let workers = (0..threads)
        .map(|_| FaceModels::load(&manifest, &model_dir, options.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    tracing::info!(
        threads,
        queue = settings.server.inference_queue,
        "inference pool started"
    );
    Ok(InferencePool::start(
        workers,
        settings.server.inference_queue,
    )?)
}

/// The document reader's threads, as many as the face pool's.
/// Runs after [`start_face_pool`], which loaded ONNX Runtime.
pub fn start_document_pool(settings: &Settings) -> anyhow::Result<InferencePool<DocumentModels>> {
    let manifest = Manifest::builtin()?;
    let model_dir = settings.model_dir();
    let recogniser = settings.documents.ocr_recogniser;
    let workers = (0..settings.server.inference_threads())
        .map(|_| load_document_models(settings, &manifest, &model_dir, recogniser))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InferencePool::start(
        workers,
        settings.server.inference_queue,
    )?)
}

/// One reader's models, with `recogniser` reading the lines.
pub fn load_document_models(
    settings: &Settings,
    manifest: &Manifest,
    model_dir: &std::path::Path,
    recogniser: RecogniserKind,
) -> anyhow::Result<DocumentModels> {
    Ok(DocumentModels::load(
        manifest,
        model_dir,
        &settings.documents.tesseract_library,
        recogniser,
    )?)
}

/// `ocr_id_masking`, with a warning at start when it is off.
fn id_masking(masking: Masking) -> Masking {
    if masking == Masking::None {
        tracing::warn!("OCR answers carry unmasked ID numbers (ocr_id_masking = none)");
    }
    masking
}

/// Checks every model file and loads ONNX Runtime: the manifest and the
/// folder of verified models.
pub fn loaded_models(settings: &Settings) -> anyhow::Result<(Manifest, std::path::PathBuf)> {
    let manifest = Manifest::builtin()?;
    let model_dir = settings.model_dir();
    let problems = check_models(&manifest, &model_dir);
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        bail!(
            "{} model file(s) missing or wrong in {}",
            problems.len(),
            model_dir.display()
        );
    }
    init_onnx_runtime(&manifest.path(&model_dir, "onnxruntime")?)?;
    Ok((manifest, model_dir))
}

/// The face pipeline's run-time choices, from the settings, with a
/// warning when fault injection is on.
pub fn face_options(settings: &Settings) -> FaceOptions {
    let options = settings.face.options(&settings.liveness);
    if !options.failing_engines.is_empty() {
        tracing::warn!(engines = ?options.failing_engines, "fault injection is on: these engines fail on purpose");
    }
    options
}

/// Scores and policy thresholds: the built-in calibration or the
/// operator's own file, checked against the loaded models' versions.
pub fn matcher(settings: &Settings) -> anyhow::Result<Matcher> {
    let calibrations = match &settings.face.calibration_file {
        Some(path) => Calibration::parse(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )?,
        None => Calibration::builtin()?,
    };
    let manifest = Manifest::builtin()?;
    let versions = EngineId::ALL
        .into_iter()
        .map(|engine| Ok((engine, model_version(&manifest, engine)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Matcher::new(
        calibrations,
        settings.face.policy_targets(),
        &versions,
        settings.face.fused_policies(),
    )?)
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
