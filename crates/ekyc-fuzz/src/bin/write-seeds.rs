//! Writes every target's seeds into `DIR/<target>/`, the corpus layout
//! `cargo fuzz run <target> DIR/<target>` starts from.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    for (target, _) in ekyc_fuzz::TARGETS {
        let target_dir = dir.join(target);
        std::fs::create_dir_all(&target_dir)?;
        for (i, seed) in ekyc_fuzz::seeds(target).iter().enumerate() {
            std::fs::write(target_dir.join(format!("seed-{i:02}")), seed)?;
        }
    }
    Ok(())
}
