//! The deployment files, checked by `deploy/check.py` since no container
//! engine runs here: statically, and (as root) by starting the server in
//! a root filesystem built from only the packages the image's runtime
//! stage holds, so an image that lacks what the server loads at start
//! (Tesseract, ONNX Runtime) fails here rather than in production.

use std::path::Path;
use std::process::Command;

#[test]
fn the_image_runtime_stage_starts_the_server() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new("python3")
        .arg(repo.join("deploy/check.py"))
        .arg("--start-server")
        .arg(env!("CARGO_BIN_EXE_ekyc"))
        .arg(ekyc_test_support::model_dir())
        .output()
        .expect("python3 runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{report}");
    assert!(output.status.success(), "{report}");
}
