//! Tesseract 5 through its C API, for reading single text lines.
//!
//! The library is opened at run time (like ONNX Runtime) rather than linked:
//! the server builds on machines without Tesseract's development files, and
//! a missing library is a clear start-up error instead of a link failure.
//! Only the handful of calls that line reading needs are bound here; every
//! `unsafe` block of the project's OCR lives in this file.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;
use std::sync::Arc;

use libloading::Library;

/// Debian 12's soname for Tesseract 5.
pub const DEFAULT_LIBRARY: &str = "libtesseract.so.5";
/// Where Debian's `tesseract-ocr-*` packages put their traineddata files.
pub const DEBIAN_TESSDATA: &str = "/usr/share/tesseract-ocr/5/tessdata";

/// `PSM_SINGLE_LINE`: the image is one line of text.
const PAGE_SEG_SINGLE_LINE: c_int = 7;
/// `OEM_LSTM_ONLY`: the neural line recogniser, the only one the Debian
/// `tessdata_fast`-derived models carry.
const ENGINE_LSTM_ONLY: c_int = 1;

/// Why Tesseract could not be used or called.
#[derive(Debug, thiserror::Error)]
pub enum TesseractError {
    /// The shared library is missing or lacks the C API's symbols.
    #[error("the Tesseract library {library} could not be opened")]
    Library {
        /// The soname or path tried.
        library: String,
        /// What the loader said.
        #[source]
        source: libloading::Error,
    },
    /// A language's trained data is missing or unreadable.
    #[error("Tesseract could not load language {language} from {datapath}")]
    Language {
        /// The language (`kor`, `eng`, `ocrb`).
        language: String,
        /// The tessdata folder searched.
        datapath: String,
    },
    /// A string for the C API contained a NUL byte.
    #[error("a Tesseract argument contained a NUL byte")]
    Argument(#[source] std::ffi::NulError),
    /// The pixel buffer does not match the image's size.
    #[error("Tesseract was given an image of {width}x{height} with {len} bytes")]
    Image {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Bytes given.
        len: usize,
    },
}

type Handle = *mut c_void;

/// The C functions used, resolved once when the library is opened.
struct Api {
    create: unsafe extern "C" fn() -> Handle,
    delete: unsafe extern "C" fn(Handle),
    init2: unsafe extern "C" fn(Handle, *const c_char, *const c_char, c_int) -> c_int,
    set_page_seg_mode: unsafe extern "C" fn(Handle, c_int),
    set_variable: unsafe extern "C" fn(Handle, *const c_char, *const c_char) -> c_int,
    set_image: unsafe extern "C" fn(Handle, *const u8, c_int, c_int, c_int, c_int),
    set_source_resolution: unsafe extern "C" fn(Handle, c_int),
    get_utf8_text: unsafe extern "C" fn(Handle) -> *mut c_char,
    mean_text_conf: unsafe extern "C" fn(Handle) -> c_int,
    delete_text: unsafe extern "C" fn(*const c_char),
    clear: unsafe extern "C" fn(Handle),
    /// Keeps the function pointers above valid.
    _library: Library,
}

/// An opened Tesseract library, shared by all engines.
#[derive(Clone)]
pub struct Tesseract {
    api: Arc<Api>,
}

impl Tesseract {
    /// Opens the shared library by path or soname.
    pub fn open(library: &str) -> Result<Self, TesseractError> {
        let error = |source: libloading::Error| TesseractError::Library {
            library: library.to_owned(),
            source,
        };
        // SAFETY: loading Tesseract runs its static initialisers, which have
        // no preconditions; each symbol is then given the signature that
        // Tesseract 5's capi.h declares for it.
        unsafe {
            let lib = Library::new(library).map_err(error)?;
            let api = Api {
                create: *lib.get(b"TessBaseAPICreate\0").map_err(error)?,
                delete: *lib.get(b"TessBaseAPIDelete\0").map_err(error)?,
                init2: *lib.get(b"TessBaseAPIInit2\0").map_err(error)?,
                set_page_seg_mode: *lib.get(b"TessBaseAPISetPageSegMode\0").map_err(error)?,
                set_variable: *lib.get(b"TessBaseAPISetVariable\0").map_err(error)?,
                set_image: *lib.get(b"TessBaseAPISetImage\0").map_err(error)?,
                set_source_resolution: *lib
                    .get(b"TessBaseAPISetSourceResolution\0")
                    .map_err(error)?,
                get_utf8_text: *lib.get(b"TessBaseAPIGetUTF8Text\0").map_err(error)?,
                mean_text_conf: *lib.get(b"TessBaseAPIMeanTextConf\0").map_err(error)?,
                delete_text: *lib.get(b"TessDeleteText\0").map_err(error)?,
                clear: *lib.get(b"TessBaseAPIClear\0").map_err(error)?,
                _library: lib,
            };
            Ok(Self { api: Arc::new(api) })
        }
    }

    /// A line reader for `language` (e.g. `kor`, `eng+kor`, `mrz`) whose
    /// `.traineddata` files are in `datapath`.
    pub fn engine(&self, datapath: &Path, language: &str) -> Result<LineEngine, TesseractError> {
        let datapath_c = CString::new(datapath.to_string_lossy().as_bytes())
            .map_err(TesseractError::Argument)?;
        let language_c = CString::new(language).map_err(TesseractError::Argument)?;
        // SAFETY: the handle comes from TessBaseAPICreate and is deleted
        // exactly once, by LineEngine's Drop or right here on failure.
        unsafe {
            let handle = (self.api.create)();
            let failed = (self.api.init2)(
                handle,
                datapath_c.as_ptr(),
                language_c.as_ptr(),
                ENGINE_LSTM_ONLY,
            ) != 0;
            if failed {
                (self.api.delete)(handle);
                return Err(TesseractError::Language {
                    language: language.to_owned(),
                    datapath: datapath.display().to_string(),
                });
            }
            (self.api.set_page_seg_mode)(handle, PAGE_SEG_SINGLE_LINE);
            let mut engine = LineEngine {
                api: self.api.clone(),
                handle,
            };
            // Lines are dark on light after cropping; Tesseract's retry of a
            // poorly read line as inverted text doubles its time for nothing.
            engine.set_variable("tessedit_do_invert", "0")?;
            // Tesseract prints its diagnostics ("Image too small to
            // scale!!" on tiny boxes) to the server's stderr; the caller
            // judges a reading by its text and confidence instead.
            engine.set_variable("debug_file", "/dev/null")?;
            Ok(engine)
        }
    }
}

/// What Tesseract read on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineText {
    /// The line, as read.
    pub text: String,
    /// Tesseract's mean word confidence, mapped to [0, 1].
    pub confidence: f32,
}

/// One initialised Tesseract instance. Not thread-safe: each inference
/// thread owns its own.
pub struct LineEngine {
    api: Arc<Api>,
    handle: Handle,
}

// SAFETY: a TessBaseAPI instance may move between threads; it is only
// never used from two at once, which `&mut self` on every call ensures.
unsafe impl Send for LineEngine {}

impl LineEngine {
    /// Restricts recognition to these characters (empty: no restriction).
    pub fn set_whitelist(&mut self, characters: &str) -> Result<(), TesseractError> {
        self.set_variable("tessedit_char_whitelist", characters)
    }

    /// Sets any Tesseract parameter that may change after initialisation.
    pub fn set_variable(&mut self, name: &str, value: &str) -> Result<(), TesseractError> {
        let name = CString::new(name).map_err(TesseractError::Argument)?;
        let value = CString::new(value).map_err(TesseractError::Argument)?;
        // SAFETY: both strings are NUL-terminated and outlive the call.
        unsafe { (self.api.set_variable)(self.handle, name.as_ptr(), value.as_ptr()) };
        Ok(())
    }

    /// Reads one line from an 8-bit grey image stored row by row.
    pub fn read_line(
        &mut self,
        pixels: &[u8],
        width: u32,
        height: u32,
    ) -> Result<LineText, TesseractError> {
        let expected = width as usize * height as usize;
        if width == 0 || height == 0 || pixels.len() != expected || width > i32::MAX as u32 {
            return Err(TesseractError::Image {
                width,
                height,
                len: pixels.len(),
            });
        }
        // SAFETY: `pixels` holds exactly width*height bytes and stays
        // borrowed until Clear; the returned text is copied and then freed
        // with TessDeleteText, as capi.h requires.
        unsafe {
            (self.api.set_image)(
                self.handle,
                pixels.as_ptr(),
                width as c_int,
                height as c_int,
                1,
                width as c_int,
            );
            // Line crops carry no resolution; 300 dpi stops Tesseract
            // warning and guessing one from the image size.
            (self.api.set_source_resolution)(self.handle, 300);
            let raw = (self.api.get_utf8_text)(self.handle);
            let text = if raw.is_null() {
                String::new()
            } else {
                let text = CStr::from_ptr(raw).to_string_lossy().trim().to_owned();
                (self.api.delete_text)(raw);
                text
            };
            let confidence = (self.api.mean_text_conf)(self.handle).clamp(0, 100) as f32 / 100.0;
            (self.api.clear)(self.handle);
            Ok(LineText { text, confidence })
        }
    }
}

impl Drop for LineEngine {
    fn drop(&mut self) {
        // SAFETY: the handle is valid and no longer used after this.
        unsafe { (self.api.delete)(self.handle) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_a_clear_error() {
        let error = Tesseract::open("libtesseract-not-here.so").err();
        assert!(matches!(error, Some(TesseractError::Library { .. })));
    }

    #[test]
    fn images_that_do_not_match_their_size_are_refused() {
        let tesseract =
            Tesseract::open(DEFAULT_LIBRARY).expect("scripts/setup.sh installs Tesseract");
        let mut engine = tesseract
            .engine(Path::new(DEBIAN_TESSDATA), "eng")
            .expect("scripts/setup.sh installs the English model");
        let error = engine.read_line(&[0; 10], 4, 4).err();
        assert!(matches!(error, Some(TesseractError::Image { .. })));
    }
}
