//! Writes training lines for the recogniser (`tools/recogniser`) as
//! shards: each record is the line's width (u16 LE), its label's length in
//! bytes (u16 LE), the UTF-8 label, then `width × 32` grey pixels, row by
//! row. A shard is written under a temporary name and renamed when
//! complete, so a trainer reading the folder never sees half a shard.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use ekyc_docgen::lines::{
    cut_lines, number_line, random_line, TrainingLine, HELD_OUT_FONTS, TRAINING_FONTS,
};
use ekyc_docgen::{Capture, Fonts, Generator, Style, CARD_FONTS, KINDS};
use rand::rngs::StdRng;
use rand::SeedableRng;

#[derive(Clone, Copy, ValueEnum)]
enum FontChoice {
    /// The cards' fonts and more (see `lines::TRAINING_FONTS`).
    Training,
    /// Fonts never trained on.
    HeldOut,
    /// The cards' fonts alone, as the benchmark prints them.
    Cards,
}

/// Which card styles the lines are cut from.
#[derive(Clone, Copy, ValueEnum)]
enum StyleChoice {
    /// The project's own layouts.
    Own,
    /// The second, independently written layouts.
    Second,
    /// Both, card by card in turn.
    Both,
}

impl StyleChoice {
    fn of_card(self, seed: u64) -> Style {
        match self {
            Self::Own => Style::Own,
            Self::Second => Style::Second,
            Self::Both if (seed / KINDS.len() as u64) % 2 == 0 => Style::Own,
            Self::Both => Style::Second,
        }
    }
}

/// How the cards are photographed.
#[derive(Clone, Copy, ValueEnum)]
enum CaptureChoice {
    /// Phone photos, as the recogniser was first trained on.
    Phone,
    /// Half phone photos, half the benchmark's harder conditions (scans,
    /// pale desks, small cards, glare, blur, thumbs), so that the lines
    /// the reader cuts from such photos are seen in training.
    Mixed,
}

/// The conditions a mixed capture draws from besides phone photos. Cut
/// crops are left out: their lines run off the image.
const HARDER: [Capture; 8] = [
    Capture::FrameFilling,
    Capture::FlatScan,
    Capture::PaleBackground,
    Capture::SmallCard,
    Capture::Glare,
    Capture::Defocus,
    Capture::MotionBlur,
    Capture::Thumb,
];

impl CaptureChoice {
    fn of_card(self, seed: u64) -> Capture {
        let turn = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
        match self {
            Self::Phone => Capture::Phone,
            Self::Mixed if turn % 2 == 0 => Capture::Phone,
            Self::Mixed => HARDER[(turn / 2) as usize % HARDER.len()],
        }
    }
}

#[derive(Parser)]
#[command(about = "Cut recogniser training lines from generated card photos")]
struct Args {
    /// Cards to photograph (the four kinds in turn).
    #[arg(long, default_value_t = 1000)]
    cards: u64,
    /// First card's seed; card `i` uses `seed + i`.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, value_enum, default_value = "training")]
    fonts: FontChoice,
    /// The folder the font paths are relative to.
    #[arg(long, default_value = "/usr/share/fonts")]
    font_root: PathBuf,
    /// Folder the shards are written to.
    #[arg(long)]
    out: PathBuf,
    /// Times each photo is rectified and cut, with other corner and
    /// margin errors: a photo costs far more than a cut.
    #[arg(long, default_value_t = 2)]
    cuts: u32,
    /// Lines of random characters added per card.
    #[arg(long, default_value_t = 8)]
    random: u64,
    /// Lines of document-shaped numbers (dates, registration, licence and
    /// serial numbers) added per card.
    #[arg(long, default_value_t = 0)]
    numbers: u64,
    /// Card styles to cut lines from.
    #[arg(long, value_enum, default_value = "own")]
    style: StyleChoice,
    /// How the cards are photographed.
    #[arg(long, value_enum, default_value = "phone")]
    capture: CaptureChoice,
    /// Lines per shard.
    #[arg(long, default_value_t = 4096)]
    shard_lines: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let set = match args.fonts {
        FontChoice::Training => &TRAINING_FONTS,
        FontChoice::HeldOut => &HELD_OUT_FONTS,
        FontChoice::Cards => &CARD_FONTS,
    };
    let generator = Generator::with_fonts(Fonts::load_set(&args.font_root, set)?);
    fs::create_dir_all(&args.out)?;
    let mut pending = Vec::new();
    let mut shard = 0;
    for seed in args.seed..args.seed + args.cards {
        let kind = KINDS[(seed % KINDS.len() as u64) as usize];
        let style = args.style.of_card(seed);
        let sample = generator.photo_in(style, kind, seed, args.capture.of_card(seed))?;
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_11e5);
        for _ in 0..args.cuts {
            pending.extend(cut_lines(&sample, kind, &mut rng));
        }
        for line in 0..args.random {
            pending.extend(random_line(&generator, seed * args.random + line)?);
        }
        for line in 0..args.numbers {
            pending.extend(number_line(&generator, seed * args.numbers + line)?);
        }
        if pending.len() >= args.shard_lines {
            write_shard(&args, shard, &pending)?;
            pending.clear();
            shard += 1;
        }
    }
    if !pending.is_empty() {
        write_shard(&args, shard, &pending)?;
    }
    Ok(())
}

fn write_shard(args: &Args, index: usize, lines: &[TrainingLine]) -> std::io::Result<()> {
    let name = format!("lines-{}-{index:05}.bin", args.seed);
    let partial = args.out.join(format!(".{name}.partial"));
    let mut bytes = Vec::new();
    for line in lines {
        let label = line.text.as_bytes();
        bytes.extend_from_slice(&(line.image.width() as u16).to_le_bytes());
        bytes.extend_from_slice(&(label.len() as u16).to_le_bytes());
        bytes.extend_from_slice(label);
        bytes.extend_from_slice(line.image.as_raw());
    }
    fs::File::create(&partial)?.write_all(&bytes)?;
    fs::rename(&partial, args.out.join(name))
}
