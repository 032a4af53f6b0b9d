//! The 1:N gallery: a tenant's decrypted templates of one engine and
//! model as one contiguous row-major matrix, searched exhaustively.
//!
//! Exact search keeps recall at 100 %; the dot products are written so
//! that the compiler vectorises them (eight independent accumulators).

use ekyc_store::UserCode;

/// One row of the gallery and its cosine with the probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The enrolled user.
    pub user_code: UserCode,
    /// Cosine similarity of the user's vector with the probe.
    pub cosine: f32,
}

/// One tenant's templates of one engine and model, as a contiguous
/// matrix for brute-force 1:N search.
pub struct Gallery {
    dim: usize,
    user_codes: Vec<UserCode>,
    vectors: Vec<f32>,
}

impl Gallery {
    /// Builds a gallery from users' codes and L2-normalised vectors; rows
    /// of another dimension than the first are skipped (they cannot be
    /// compared).
    pub fn new(rows: Vec<(UserCode, Vec<f32>)>) -> Self {
        let dim = rows.first().map_or(0, |(_, v)| v.len());
        let mut user_codes = Vec::with_capacity(rows.len());
        let mut vectors = Vec::with_capacity(rows.len() * dim);
        for (code, vector) in rows {
            if vector.len() == dim {
                user_codes.push(code);
                vectors.extend_from_slice(&vector);
            }
        }
        Self {
            dim,
            user_codes,
            vectors,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.user_codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.user_codes.is_empty()
    }

    /// The `k` rows most similar to `probe`, best first. A probe of
    /// another dimension finds nothing.
    pub fn search(&self, probe: &[f32], k: usize) -> Vec<Hit> {
        if probe.len() != self.dim || self.dim == 0 || k == 0 {
            return Vec::new();
        }
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
        for (row, vector) in self.vectors.chunks_exact(self.dim).enumerate() {
            let cosine = dot(probe, vector);
            if best.len() < k || cosine > best[best.len() - 1].0 {
                let at = best.partition_point(|(c, _)| *c >= cosine);
                best.insert(at, (cosine, row));
                best.truncate(k);
            }
        }
        best.into_iter()
            .map(|(cosine, row)| Hit {
                user_code: self.user_codes[row].clone(),
                cosine,
            })
            .collect()
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a_blocks, b_blocks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_blocks
        .remainder()
        .iter()
        .zip(b_blocks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_blocks.zip(b_blocks) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(values: &[f32]) -> Vec<f32> {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        values.iter().map(|v| v / norm).collect()
    }

    #[test]
    fn finds_the_nearest_rows_best_first() {
        let rows: Vec<(UserCode, Vec<f32>)> = (0..20)
            .map(|i| {
                let angle = i as f32 * 0.1;
                (
                    UserCode::new(format!("u{i}")),
                    unit(&[angle.cos(), angle.sin(), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
                )
            })
            .collect();
        let gallery = Gallery::new(rows);
        assert_eq!(gallery.len(), 20);
        let probe = unit(&[
            (0.52f32).cos(),
            (0.52f32).sin(),
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ]);
        let hits = gallery.search(&probe, 3);
        let codes: Vec<&str> = hits.iter().map(|h| h.user_code.as_str()).collect();
        assert_eq!(codes, ["u5", "u6", "u4"]);
        assert!(hits[0].cosine > 0.99);
        assert!(gallery.search(&probe[..4], 3).is_empty());
    }

    #[test]
    fn dot_matches_the_plain_sum() {
        let a: Vec<f32> = (0..131).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..131).map(|i| (i as f32 * 0.11).cos()).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
    }

    #[test]
    fn rows_of_another_dimension_are_left_out() {
        let gallery = Gallery::new(vec![
            ("a".into(), vec![1.0, 0.0]),
            ("b".into(), vec![1.0, 0.0, 0.0]),
        ]);
        assert_eq!(gallery.len(), 1);
    }
}
