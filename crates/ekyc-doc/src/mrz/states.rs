//! The issuing states and nationalities an MRZ may name.

/// Every issuing state and nationality an MRZ may carry, sorted (so that
/// [`known_state`] can search it, and a test checks it stays so): the ISO
/// 3166-1 alpha-3 codes (from Debian's iso-codes) with the codes ICAO 9303
/// part 3 adds: Germany's `D`, the British nationality classes (`GBD`,
/// `GBN`, `GBO`, `GBP`, `GBS`), the EU (`EUE`), the United Nations and its
/// agencies (`UNA`, `UNK`, `UNO`), the other international organisations
/// (`XBA`, `XCC`, `XCE`, `XCO`, `XDC`, `XEC`, `XES`, `XIM`, `XMP`, `XOM`,
/// `XPO`), refugees and stateless persons (`XXA`–`XXC`, `XXX`), Kosovo
/// (`RKS`), and `UTO`, the state of the ICAO specimens. A valid MRZ is one
/// well-formed and read right, not a genuine document, so the specimens'
/// state is accepted: they are how a reader is tested against ICAO 9303.
static STATES: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "D", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "EUE", "FIN", "FJI", "FLK", "FRA", "FRO",
    "FSM", "GAB", "GBD", "GBN", "GBO", "GBP", "GBR", "GBS", "GEO", "GGY", "GHA", "GIB", "GIN",
    "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD",
    "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR",
    "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT",
    "LAO", "LBN", "LBR", "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF",
    "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG",
    "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK",
    "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER",
    "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "RKS",
    "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV",
    "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR", "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC",
    "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON", "TTO", "TUN", "TUR",
    "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "UNA", "UNK", "UNO", "URY", "USA", "UTO", "UZB",
    "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "XBA", "XCC", "XCE", "XCO",
    "XDC", "XEC", "XES", "XIM", "XMP", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// Whether `code` (its filler `<` trimmed) is an issuing state or
/// nationality ICAO knows.
pub fn known_state(code: &str) -> bool {
    STATES.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_states_are_sorted_once_each_icaos_own_included() {
        assert!(STATES.windows(2).all(|pair| pair[0] < pair[1]));
        for code in [
            "D", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "UNA", "UNK", "UNO", "XBA", "XIM",
            "XCC", "XCO", "XEC", "XPO", "XES", "XMP", "XOM", "XDC", "XXA", "XXB", "XXC", "XXX",
            "UTO",
        ] {
            assert!(known_state(code), "{code}");
        }
    }

    #[test]
    fn icao_codes_beside_iso_ones() {
        for code in ["KOR", "GBR", "D", "UTO", "XXX", "UNO"] {
            assert!(known_state(code), "{code}");
        }
        for code in ["ICO", "K0R", "", "KORE"] {
            assert!(!known_state(code), "{code}");
        }
    }
}
