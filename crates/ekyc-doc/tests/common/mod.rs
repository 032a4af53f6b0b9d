//! What the document pipeline's integration tests share.

use ekyc_doc::recognise::RecogniserKind;
use ekyc_doc::DocumentModels;
use ekyc_runtime::Manifest;

/// The document models as the server loads them, with the CRNN recogniser.
pub fn models() -> DocumentModels {
    let model_dir = ekyc_test_support::init_runtime();
    let manifest = Manifest::builtin().expect("manifest");
    DocumentModels::load(
        &manifest,
        &model_dir,
        "libtesseract.so.5",
        RecogniserKind::Crnn,
    )
    .expect("scripts/setup.sh fetches the document models and Tesseract")
}
