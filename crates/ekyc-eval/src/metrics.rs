//! Error rates and thresholds of the benchmarks, in one tested place.
//!
//! Face verification (`bench fr`, `bench id-photo`) picks a threshold at
//! an FMR over sorted impostor cosines; presentation attack detection
//! (`bench liveness`) follows ISO/IEC 30107-3: an attack score at or above
//! the threshold detects the attack, APCER is the share of attacks that
//! stay below it, BPCER the share of bona fide presentations that reach it.

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

/// Equal error rate: the mean of the two error rates at the threshold
/// where they come closest, over every score of either set as a threshold
/// (the first such, lowest score, on a tie).
///
/// `positives` should reach the threshold (genuine pairs; attacks, which
/// a liveness check detects), `negatives` should not (impostor pairs;
/// bona fide presentations): the rates are the share of positives below
/// it (FNMR; APCER) and of negatives at or above it (FMR; BPCER). Both
/// sets are sorted once and every threshold is a binary search, so the
/// millions of impostor pairs of `bench fr` take a second. 0.5 when both
/// sets are empty.
pub fn eer(positives: &[f32], negatives: &[f32]) -> f64 {
    let sorted = |values: &[f32]| {
        let mut values = values.to_vec();
        values.sort_by(f32::total_cmp);
        values
    };
    let (positives, negatives) = (sorted(positives), sorted(negatives));
    let mut thresholds: Vec<f32> = positives.iter().chain(&negatives).copied().collect();
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    thresholds
        .iter()
        .map(|&t| {
            let misses = 1.0 - sorted_share_at_or_above(&positives, t);
            let false_alarms = sorted_share_at_or_above(&negatives, t);
            ((misses - false_alarms).abs(), (misses + false_alarms) / 2.0)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(0.5, |(_, rate)| rate)
}

/// [`share_at_or_above`] of ascending `values`, by binary search.
fn sorted_share_at_or_above(values: &[f32], threshold: f32) -> f64 {
    let below = values.partition_point(|&v| v < threshold);
    (values.len() - below) as f64 / values.len().max(1) as f64
}

/// Area under the ROC curve: the chance that an attack scores above a
/// bona fide presentation, ties counting half (the Mann-Whitney U
/// statistic over every pair); 0 when either set is empty.
pub fn auc(attacks: &[f32], bona_fide: &[f32]) -> f64 {
    let mut sum = 0.0;
    for &a in attacks {
        for &b in bona_fide {
            sum += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    sum / (attacks.len() * bona_fide.len()).max(1) as f64
}

/// The smallest threshold at which at most `rate` of `bona_fide` score
/// at or above it (0.5, the served decision point, when there are none).
pub fn threshold_for_bpcer(bona_fide: &[f32], rate: f64) -> f32 {
    let mut sorted = bona_fide.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let allowed = (sorted.len() as f64 * rate).floor() as usize;
    sorted
        .get(allowed)
        .map_or(0.5, |&v| v + v.abs().max(1e-6) * 1e-6)
}

/// Fraction of `values` at or above `threshold` (0 of none).
pub fn share_at_or_above(values: &[f32], threshold: f32) -> f64 {
    values.iter().filter(|&&v| v >= threshold).count() as f64 / values.len().max(1) as f64
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
        assert_eq!(share_at_or_above(&impostors, threshold), 0.01);
        // Below one allowed impostor, every impostor is rejected.
        let strict = threshold_at_fmr(&impostors, 1e-4).unwrap();
        assert!(strict > 0.999 && share_at_or_above(&impostors, strict) == 0.0);
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
        assert_eq!(share_at_or_above(&[], 0.5), 0.0);
    }

    #[test]
    fn the_sorted_share_is_the_share() {
        let values = [0.9, 0.1, 0.5, 0.5, 0.3];
        let mut sorted = values.to_vec();
        sorted.sort_by(f32::total_cmp);
        for threshold in [0.0, 0.1, 0.3, 0.4, 0.5, 0.9, 1.0] {
            assert_eq!(
                sorted_share_at_or_above(&sorted, threshold),
                share_at_or_above(&values, threshold)
            );
        }
    }

    #[test]
    fn rates_and_thresholds() {
        let bona_fide: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let threshold = threshold_for_bpcer(&bona_fide, 0.01);
        assert!((share_at_or_above(&bona_fide, threshold) - 0.01).abs() < 1e-9);
        assert_eq!(auc(&[2.0, 3.0], &[0.0, 1.0]), 1.0);
        assert_eq!(auc(&[1.0], &[1.0]), 0.5);
        assert_eq!(eer(&[2.0, 3.0], &[0.0, 1.0]), 0.0);
    }

    #[test]
    fn auc_of_hand_computed_sets() {
        // Pairs (attack, bona fide): 0.9 beats 0.5 and 0.1, 0.4 beats 0.1
        // only: 3 of 4.
        assert_eq!(auc(&[0.9, 0.4], &[0.5, 0.1]), 0.75);
        // A tie counts half: (0.5 = 0.5) + (0.7 > 0.5) = 1.5 of 2.
        assert_eq!(auc(&[0.5, 0.7], &[0.5]), 0.75);
        // Every attack below every bona fide score.
        assert_eq!(auc(&[0.1, 0.2], &[0.3, 0.4, 0.5]), 0.0);
        // Swapping the sets gives the complement.
        assert_eq!(auc(&[0.5, 0.1], &[0.9, 0.4]), 0.25);
        assert_eq!(auc(&[], &[0.5]), 0.0);
        assert_eq!(auc(&[0.5], &[]), 0.0);
    }

    #[test]
    fn bpcer_threshold_of_hand_computed_sets() {
        // Five bona fide scores, 20 % allowed: the highest (0.9) may pass,
        // so the threshold sits just above the next (0.7).
        let bona_fide = [0.1, 0.9, 0.3, 0.7, 0.5];
        let threshold = threshold_for_bpcer(&bona_fide, 0.2);
        assert!(threshold > 0.7 && threshold < 0.7 + 1e-5, "{threshold}");
        assert_eq!(share_at_or_above(&bona_fide, threshold), 0.2);
        // Everyone allowed: no threshold to set, the served one is used.
        assert_eq!(threshold_for_bpcer(&bona_fide, 1.0), 0.5);
        assert_eq!(threshold_for_bpcer(&[], 0.01), 0.5);
        assert_eq!(share_at_or_above(&[], 0.5), 0.0);
    }

    #[test]
    fn equal_error_rate_of_hand_computed_sets() {
        // Attacks 0.2, 0.6, 0.8 against bona fide 0.4, 0.5: at 0.5 one
        // attack of three is missed (0.2) and one bona fide of two refused
        // (0.5), the closest the two rates come, so their mean.
        let value = eer(&[0.2, 0.6, 0.8], &[0.4, 0.5]);
        assert!((value - (1.0 / 3.0 + 0.5) / 2.0).abs() < 1e-9, "{value}");
        assert_eq!(eer(&[], &[]), 0.5);
    }
}
