//! Verification metrics shared by the face benchmarks, so that `bench fr`
//! and `bench id-photo` pick a threshold at an FMR the same way.

/// The lowest score at which at most `fmr` of the (ascending) `impostors`
/// pass: just above the impostor that must be rejected. `None` when the
/// target allows every impostor through.
pub fn threshold_at_fmr(impostors: &[f32], fmr: f64) -> Option<f32> {
    let allowed = (impostors.len() as f64 * fmr).floor() as usize;
    impostors
        .len()
        .checked_sub(1 + allowed)
        .and_then(|index| impostors.get(index))
        .map(|above| above + 1e-6)
}

/// The fraction of `values` at or above `threshold`, and how many there
/// were (0 of 0 is a rate of 0).
pub fn rate(values: impl Iterator<Item = f32>, threshold: f32) -> (f64, usize) {
    let (mut hits, mut total) = (0usize, 0usize);
    for value in values {
        total += 1;
        hits += usize::from(value >= threshold);
    }
    let fraction = if total == 0 {
        0.0
    } else {
        hits as f64 / total as f64
    };
    (fraction, total)
}

/// Equal error rate of cosine similarities: thresholds from −0.2 to 1.0 in
/// steps of 0.0012, and at the one where false rejections and false
/// acceptances are closest, their mean.
pub fn eer(genuine: &[f32], impostors: &[f32]) -> f64 {
    let mut best = (f64::MAX, 0.0);
    for step in 0..=1000 {
        let threshold = -0.2 + 1.2 * step as f32 / 1000.0;
        let false_rejections = 1.0 - rate(genuine.iter().copied(), threshold).0;
        let false_acceptances = rate(impostors.iter().copied(), threshold).0;
        let gap = (false_rejections - false_acceptances).abs();
        if gap < best.0 {
            best = (gap, (false_rejections + false_acceptances) / 2.0);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_rejects_all_but_the_allowed_impostors() {
        let impostors: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
        // FMR 1e-2 of 1,000 lets the 10 highest through: the 11th from the top
        // (0.989) must be rejected.
        let threshold = threshold_at_fmr(&impostors, 1e-2).unwrap();
        assert!((threshold - 0.989).abs() < 1e-5, "{threshold}");
        assert_eq!(rate(impostors.iter().copied(), threshold), (0.01, 1000));
        // Below one allowed impostor, every impostor is rejected.
        let strict = threshold_at_fmr(&impostors, 1e-4).unwrap();
        assert!(strict > 0.999 && rate(impostors.iter().copied(), strict).0 == 0.0);
        assert_eq!(threshold_at_fmr(&impostors, 1.0), None);
        assert_eq!(threshold_at_fmr(&[], 1e-3), None);
    }

    #[test]
    fn eer_of_hand_computed_sets() {
        // Disjoint sets: no threshold errs.
        assert_eq!(eer(&[0.8, 0.9], &[0.1, 0.2]), 0.0);
        // Genuine 0.3, 0.6, 0.9 against impostors 0.2, 0.5, 0.8: above 0.5 and
        // up to 0.6, one genuine of three (0.3) is rejected and one impostor
        // of three (0.8) accepted, so the EER is 1/3.
        let value = eer(&[0.3, 0.6, 0.9], &[0.2, 0.5, 0.8]);
        assert!((value - 1.0 / 3.0).abs() < 1e-9, "{value}");
    }

    #[test]
    fn rate_of_nothing_is_zero() {
        assert_eq!(rate(std::iter::empty(), 0.5), (0.0, 0));
    }
}
