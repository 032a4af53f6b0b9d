//! ICAO 9303 machine-readable zones: passports (TD3: two lines of 44), ID
//! cards (TD1: three of 30; TD2: two of 36) and visas (MRV-A: two of 44;
//! MRV-B: two of 36).
//!
//! [`parse`] reads one set of lines as a format and says which of its
//! check digits hold; the reader's recognisers give more than one reading
//! of each line, and the voting (crate-private) picks or mixes the lines
//! whose check digits say they were read right.

mod check;
mod format;
mod parse;
mod states;
mod vote;

pub use check::check_digit;
pub use format::MrzFormat;
pub use parse::{
    korean_passport_number, mask_optional_data, parse, parse_any, parse_td3, Mrz, MrzError,
    TD3_LINE,
};
pub use states::known_state;
pub(crate) use vote::best_mrz;
