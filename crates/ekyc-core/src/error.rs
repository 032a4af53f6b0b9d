//! The error codes of the API contract (section 7), with their HTTP status
//! and the user-facing message in Korean (the source's wording) and English.

/// Language of user-facing messages, chosen from `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Korean, the contract's default.
    #[default]
    Ko,
    /// English, when the client prefers it.
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header value: English
    /// when the first listed language with a non-zero weight is English.
    pub fn from_accept_language(header: &str) -> Self {
        let preferred = header
            .split(',')
            .map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
                let weight = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                (tag, weight)
            })
            .filter(|(tag, weight)| !tag.is_empty() && *weight > 0.0)
            .fold(None::<(String, f32)>, |best, (tag, weight)| match best {
                Some((_, best_weight)) if best_weight >= weight => best,
                _ => Some((tag, weight)),
            });
        match preferred {
            Some((tag, _)) if tag == "en" || tag.starts_with("en-") => Lang::En,
            _ => Lang::Ko,
        }
    }
}

/// One code of the contract's error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 40000: malformed JSON, missing or invalid field.
    BadRequest,
    /// 40001: image not decodable, unsupported format, too many pixels.
    BadImage,
    /// 40100: missing, malformed or wrongly signed token.
    Unauthorized,
    /// 40102: unknown or revoked access key.
    InvalidAccessKey,
    /// 40104: wrong secret for a known access key.
    InvalidSecretKey,
    /// 40105: access token expired.
    AccessTokenExpired,
    /// 40107: tenant token expired or revoked.
    TenantTokenExpired,
    /// 40400: no such route.
    RouteNotFound,
    /// 40402: user not found.
    UserNotFound,
    /// 40404: no audit record with this transaction id in the tenant.
    AuditRecordNotFound,
    /// 40406: no such tenant or access key (admin API).
    AdminTargetNotFound,
    /// 4040A: no face in the image.
    NoFace,
    /// 4040B: no ID document in the image.
    NoDocument,
    /// 40500: the route exists but not with this method.
    MethodNotAllowed,
    /// 40901: no recognition engine could serve the request.
    EngineUnavailable,
    /// 40904: OCR processing error.
    OcrFailed,
    /// 40910: the face is not usable for recognition.
    FaceUnusable,
    /// 40915: the user has no template in this tenant.
    UserNotRegistered,
    /// 40923: more than one face in the image.
    MultipleFaces,
    /// 40924: face mismatch in the `login` context.
    FaceMismatch,
    /// 40925: registration with `dedupe` found the face under another userCode.
    DuplicateFace,
    /// 41300: image or body too large.
    TooLarge,
    /// 42900: rate limit or lockout.
    RateLimited,
    /// 50000: internal error.
    Internal,
    /// 50300: overloaded, shutting down, or capability not available.
    Unavailable,
}

impl ErrorCode {
    /// The code as the contract writes it: always a string.
    pub fn code(self) -> &'static str {
        self.row().0
    }

    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        self.row().1
    }

    /// The user-facing message in the requested language.
    pub fn message(self, lang: Lang) -> &'static str {
        let (_, _, ko, en) = self.row();
        match lang {
            Lang::Ko => ko,
            Lang::En => en,
        }
    }

    fn row(self) -> (&'static str, u16, &'static str, &'static str) {
        use ErrorCode::*;
        match self {
            BadRequest => (
                "40000",
                400,
                "요청 형식이 올바르지 않습니다",
                "Malformed request or invalid field",
            ),
            BadImage => (
                "40001",
                400,
                "이미지를 처리할 수 없습니다",
                "Image cannot be decoded or is not supported",
            ),
            Unauthorized => (
                "40100",
                401,
                "인증 정보가 올바르지 않습니다",
                "Missing, malformed or invalid token",
            ),
            InvalidAccessKey => (
                "40102",
                401,
                "유효하지 않은 Access Key입니다",
                "Invalid access key",
            ),
            InvalidSecretKey => (
                "40104",
                401,
                "유효하지 않은 Secret Key입니다",
                "Invalid secret key",
            ),
            AccessTokenExpired => (
                "40105",
                401,
                "Access Token이 만료되었습니다",
                "Access token expired",
            ),
            TenantTokenExpired => (
                "40107",
                401,
                "Tenant Token이 만료되었습니다",
                "Tenant token expired or revoked",
            ),
            RouteNotFound => ("40400", 404, "요청한 경로가 없습니다", "No such route"),
            UserNotFound => ("40402", 404, "사용자를 찾을 수 없습니다", "User not found"),
            AuditRecordNotFound => (
                "40404",
                404,
                "감사 기록을 찾을 수 없습니다",
                "Audit record not found",
            ),
            AdminTargetNotFound => (
                "40406",
                404,
                "테넌트 또는 키를 찾을 수 없습니다",
                "Tenant or access key not found",
            ),
            NoFace => (
                "4040A",
                404,
                "이미지에서 얼굴을 찾을 수 없습니다",
                "No face found in the image",
            ),
            NoDocument => (
                "4040B",
                404,
                "이미지에서 신분증을 찾을 수 없습니다",
                "No ID document found in the image",
            ),
            MethodNotAllowed => (
                "40500",
                405,
                "허용되지 않는 메서드입니다",
                "Method not allowed",
            ),
            EngineUnavailable => (
                "40901",
                409,
                "얼굴인식 엔진에 연결할 수 없습니다",
                "Face recognition engine unavailable",
            ),
            OcrFailed => (
                "40904",
                409,
                "신분증 인식에 실패했습니다",
                "ID document recognition failed",
            ),
            FaceUnusable => (
                "40910",
                409,
                "얼굴 인식에 적합하지 않은 이미지입니다",
                "Face not usable for recognition",
            ),
            UserNotRegistered => (
                "40915",
                409,
                "등록되지 않은 사용자입니다",
                "User not registered",
            ),
            MultipleFaces => (
                "40923",
                409,
                "여러 개의 얼굴이 감지되었습니다",
                "Multiple faces detected",
            ),
            FaceMismatch => ("40924", 409, "얼굴이 일치하지 않습니다", "Face mismatch"),
            DuplicateFace => (
                "40925",
                409,
                "이미 다른 사용자로 등록된 얼굴입니다",
                "Face already enrolled under another userCode",
            ),
            TooLarge => (
                "41300",
                413,
                "이미지 또는 요청이 너무 큽니다",
                "Image or request body too large",
            ),
            RateLimited => (
                "42900",
                429,
                "요청이 너무 많습니다. 잠시 후 다시 시도하세요",
                "Too many requests; retry later",
            ),
            Internal => ("50000", 500, "내부 오류가 발생했습니다", "Internal error"),
            Unavailable => (
                "50300",
                503,
                "서비스를 일시적으로 사용할 수 없습니다",
                "Service temporarily unavailable",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_letters_stay_strings() {
        assert_eq!(ErrorCode::NoFace.code(), "4040A");
        assert_eq!(ErrorCode::NoDocument.code(), "4040B");
        assert_eq!(ErrorCode::NoFace.http_status(), 404);
    }

    #[test]
    fn contract_statuses() {
        for (code, status) in [
            (ErrorCode::InvalidAccessKey, 401),
            (ErrorCode::FaceMismatch, 409),
            (ErrorCode::TooLarge, 413),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::Unavailable, 503),
        ] {
            assert_eq!(code.http_status(), status, "{}", code.code());
        }
    }

    #[test]
    fn accept_language_prefers_weighted_english() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("ko-KR,en;q=0.5"), Lang::Ko);
        assert_eq!(Lang::from_accept_language("ko;q=0.2, en;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Ko);
        assert_eq!(Lang::from_accept_language(""), Lang::Ko);
    }
}
