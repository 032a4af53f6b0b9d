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

/// The error rate where APCER and BPCER meet: their mean at the score
/// (of either set) where they are closest. Unlike [`eer`], the candidate
/// thresholds are the scores themselves, which need not be cosines.
pub fn equal_error_rate(attacks: &[f32], bona_fide: &[f32]) -> f64 {
    let mut candidates: Vec<f32> = attacks.iter().chain(bona_fide).copied().collect();
    candidates.sort_by(f32::total_cmp);
    candidates
        .iter()
        .map(|&t| {
            let apcer = 1.0 - share_at_or_above(attacks, t);
            let bpcer = share_at_or_above(bona_fide, t);
            ((apcer - bpcer).abs(), (apcer + bpcer) / 2.0)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(0.5, |(_, rate)| rate)
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

    #[test]
    fn rates_and_thresholds() {
        let bona_fide: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let threshold = threshold_for_bpcer(&bona_fide, 0.01);
        assert!((share_at_or_above(&bona_fide, threshold) - 0.01).abs() < 1e-9);
        assert_eq!(auc(&[2.0, 3.0], &[0.0, 1.0]), 1.0);
        assert_eq!(auc(&[1.0], &[1.0]), 0.5);
        assert_eq!(equal_error_rate(&[2.0, 3.0], &[0.0, 1.0]), 0.0);
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
        let value = equal_error_rate(&[0.2, 0.6, 0.8], &[0.4, 0.5]);
        assert!((value - (1.0 / 3.0 + 0.5) / 2.0).abs() < 1e-9, "{value}");
        assert_eq!(equal_error_rate(&[], &[]), 0.5);
    }
}
