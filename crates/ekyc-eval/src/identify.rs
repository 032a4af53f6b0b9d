//! `ekyc bench identify`: exact 1:N search latency over galleries of
//! synthetic unit vectors (timing does not depend on what the vectors
//! are), at the sizes an operator plans for.

use std::time::{Duration, Instant};

use clap::Args;
use ekyc_store::UserCode;
use ekyc_vault::Gallery;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::progress;
use crate::report::{print_machine, summarize};

/// The flags of `ekyc bench identify`.
#[derive(Args)]
pub struct IdentifyBench {
    /// Gallery sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<usize>,
    /// Template dimension: 128 for ezway (SFace), 512 for applemango.
    #[arg(long, default_value_t = 128)]
    dim: usize,
    #[arg(long, default_value_t = 50)]
    queries: usize,
}

/// A random direction in `dim` dimensions, of length 1 as a served
/// template is.
fn unit_vector(rng: &mut StdRng, dim: usize) -> Vec<f32> {
    let v: Vec<f32> = (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

/// Builds each gallery size from a fixed seed and times `queries` searches
/// of it.
pub(crate) fn run(bench: &IdentifyBench) {
    let IdentifyBench {
        sizes,
        dim,
        queries,
    } = bench;
    let (dim, queries) = (*dim, *queries);
    print_machine(1);
    println!("gallery search: {dim}-d unit vectors, top 5, {queries} queries per size, one thread");
    let mut rng = StdRng::seed_from_u64(7);
    for &size in sizes {
        let started = Instant::now();
        let bar = progress::steps((size + queries) as u64, &format!("{size} templates"));
        let gallery = Gallery::new(
            (0..size)
                .map(|i| {
                    (
                        UserCode::new(format!("user-{i}")),
                        unit_vector(&mut rng, dim),
                    )
                })
                .inspect(|_| bar.inc(1))
                .collect(),
        );
        let built = started.elapsed();
        let mut latencies: Vec<Duration> = (0..queries)
            .map(|_| {
                let probe = unit_vector(&mut rng, dim);
                let started = Instant::now();
                std::hint::black_box(gallery.search(&probe, 5));
                let elapsed = started.elapsed();
                bar.inc(1);
                elapsed
            })
            .collect();
        bar.finish_and_clear();
        println!(
            "{size:>9} templates ({:.0} MiB): {} (built in {:.1} s)",
            (size * dim * 4) as f64 / (1024.0 * 1024.0),
            summarize(&mut latencies),
            built.as_secs_f64()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_unit_and_seeded() {
        let (mut a, mut b) = (StdRng::seed_from_u64(7), StdRng::seed_from_u64(7));
        let v = unit_vector(&mut a, 128);
        assert_eq!(v.len(), 128);
        assert!((v.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(v, unit_vector(&mut b, 128), "same seed, same gallery");
        assert_ne!(v, unit_vector(&mut a, 128));
    }
}
