//! The bounded fuzz run CI does on stable: every target gets its seeds,
//! every saved regression input, then random mutations of them for
//! `EKYC_FUZZ_SECONDS` (default 5) seconds. Coverage-guided runs are
//! `scripts/fuzz.sh` (nightly); crashes they find are saved in
//! `fuzz/regressions/<target>/` and replayed here forever.
//!
//! A failing input is written to `target/fuzz-failures/` and the seed of
//! the random run is printed, so the failure can be replayed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const INTERESTING_BYTES: [u8; 8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, b'"', b'[', b'{'];

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn regressions(target: &str) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(repo_path("fuzz/regressions").join(target)) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "README.md")
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}

fn mutate(rng: &mut StdRng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let len = out.len();
        match rng.gen_range(0..7) {
            0 if len > 0 => {
                let i = rng.gen_range(0..len);
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.gen_range(0..len);
                out[i] = INTERESTING_BYTES[rng.gen_range(0..INTERESTING_BYTES.len())];
            }
            2 => {
                let i = rng.gen_range(0..=len);
                let extra: Vec<u8> = (0..rng.gen_range(1..16)).map(|_| rng.gen()).collect();
                out.splice(i..i, extra);
            }
            3 if len > 1 => {
                let start = rng.gen_range(0..len);
                let end = rng.gen_range(start..=len.min(start + 64));
                out.drain(start..end);
            }
            4 if len > 1 => {
                let start = rng.gen_range(0..len);
                let end = rng.gen_range(start..=len.min(start + 64));
                let copy = out[start..end].to_vec();
                let at = rng.gen_range(0..=len);
                out.splice(at..at, copy);
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.gen_range(0..corpus.len())];
                let cut = rng.gen_range(0..=out.len());
                let from = rng.gen_range(0..=other.len());
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => out.truncate(rng.gen_range(0..=len)),
        }
    }
    out
}

fn run_one(target: &str, body: fn(&[u8]), input: &[u8], seed: u64) {
    if catch_unwind(AssertUnwindSafe(|| body(input))).is_err() {
        let dir = repo_path("target/fuzz-failures").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("crash-{seed}-{}", input.len()));
        std::fs::write(&path, input).unwrap();
        panic!("{target} failed on {} (random seed {seed})", path.display());
    }
}

#[test]
fn every_target_survives_its_corpus_and_random_mutations() {
    let seconds: u64 = std::env::var("EKYC_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("EKYC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    let mut rng = StdRng::seed_from_u64(seed);
    for (target, body) in ekyc_fuzz::TARGETS {
        let mut corpus = ekyc_fuzz::seeds(target);
        corpus.extend(regressions(target));
        assert!(!corpus.is_empty(), "{target} has no seeds");
        for input in &corpus {
            run_one(target, body, input, seed);
        }
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut executions = 0u64;
        while Instant::now() < deadline {
            let parent = &corpus[rng.gen_range(0..corpus.len())];
            let input = mutate(&mut rng, parent, &corpus);
            run_one(target, body, &input, seed);
            executions += 1;
        }
        println!("{target}: {executions} mutated inputs in {seconds} s (seed {seed})");
    }
}
