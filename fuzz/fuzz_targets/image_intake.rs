#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ekyc_fuzz::image_intake(data));
