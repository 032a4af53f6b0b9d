//! ICAO 9303 machine-readable zones of passports (TD3: two lines of 44).
//!
//! [`parse_td3`] reads one pair of lines and says which of its check digits
//! hold; the reader's recognisers give more than one reading of each line,
//! and the voting (crate-private) picks or mixes the pair whose check digits
//! say it was read right.

mod parse;
mod vote;

pub use parse::{
    check_digit, known_state, korean_passport_number, mask_optional_data, parse_td3,
    td3_line1_faults, MrzError, PassportMrz, TD3_LINE,
};
pub(crate) use vote::best_td3;
