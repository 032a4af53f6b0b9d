//! Templates between the matcher's form (an engine, a model version and
//! a vector) and the stored form (names and the vector's bytes, see
//! [`ekyc_store::vector_to_bytes`]).

use ekyc_face::Template;
use ekyc_store::{vector_from_bytes, vector_to_bytes, FaceTemplate};

/// A template as it is enrolled (the vault seals it on the way).
pub(crate) fn stored_form(template: &Template) -> FaceTemplate {
    FaceTemplate {
        engine: template.engine.name().to_owned(),
        model_version: template.model_version.clone(),
        template: vector_to_bytes(&template.vector),
    }
}

/// A stored template as the matcher takes it; `None` for an engine this
/// server does not know or bytes that are not a vector.
pub(crate) fn opened(stored: &FaceTemplate) -> Option<Template> {
    Some(Template {
        engine: stored.engine.parse().ok()?,
        model_version: stored.model_version.clone(),
        vector: vector_from_bytes(&stored.template)?,
    })
}

#[cfg(test)]
mod tests {
    use ekyc_face::EngineId;

    use super::*;

    #[test]
    fn stored_templates_open_again() {
        let template = Template {
            engine: EngineId::Ezway,
            model_version: "sface-1".into(),
            vector: vec![0.25, -0.5],
        };
        assert_eq!(opened(&stored_form(&template)), Some(template));
        let unknown = FaceTemplate {
            engine: "dlib".into(),
            model_version: "x".into(),
            template: vec![0; 8],
        };
        assert_eq!(opened(&unknown), None);
    }
}
