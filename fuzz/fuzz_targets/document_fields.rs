#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ekyc_fuzz::document_fields(data));
