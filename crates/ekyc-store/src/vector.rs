//! The byte form of a template's vector, the one that is sealed and
//! stored: its `f32`s in little-endian order, one after the other, so the
//! same bytes read back on any platform.
//!
//! It is written and read in two crates (the face service enrols and
//! verifies with it, the vault builds 1:N galleries from it), so it is
//! defined once, here, below both: two definitions could drift apart and
//! leave enrolled users unmatchable.

/// A vector as it is stored.
pub fn vector_to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Reads a stored vector; `None` for bytes that are not one: empty, or
/// not a whole number of `f32`s (a partial float is never dropped).
pub fn vector_from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    if bytes.is_empty() || bytes.len() % 4 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_bytes_round_trip() {
        let vector = vec![0.5, -1.25, 3.0];
        assert_eq!(
            vector_from_bytes(&vector_to_bytes(&vector)),
            Some(vector.clone())
        );
        assert_eq!(vector_from_bytes(&[1, 2, 3]), None);
    }

    #[test]
    fn the_stored_form_is_little_endian() {
        assert_eq!(vector_to_bytes(&[1.0]), [0x00, 0x00, 0x80, 0x3f]);
        assert_eq!(vector_from_bytes(&[]), None);
        assert_eq!(vector_from_bytes(&[0, 0, 0x80, 0x3f, 0]), None);
    }
}
