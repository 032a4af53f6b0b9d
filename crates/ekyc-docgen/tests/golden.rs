//! The generator's output, pinned: tests and benchmarks name their cards by
//! seed, so a refactor that changed one pixel of a card would silently
//! change what every OCR figure in the README was measured on.
//!
//! Each case hashes everything a seed produces (pixels, ground truth,
//! printed boxes) with FNV-1a, which unlike `DefaultHasher` is stable
//! across Rust releases. The cards are drawn with `sin`, `exp` and friends
//! from the platform's libm, whose last bits differ between C libraries, so
//! the pinned values are those of x86-64 Linux (glibc), where the project
//! builds and measures; after a deliberate change to the generator, paste
//! the hashes the failure prints.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use ekyc_doc::kind::DocumentKind;
use ekyc_docgen::{Generator, LineShape, PrintedText, Truth, KINDS};
use image::RgbImage;

/// FNV-1a, 64-bit.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    fn image(&mut self, image: &RgbImage) -> &mut Self {
        self.bytes(&image.width().to_le_bytes())
            .bytes(&image.height().to_le_bytes())
            .bytes(image.as_raw())
    }

    fn truth(&mut self, truth: &Truth) -> &mut Self {
        for (key, value) in truth {
            self.bytes(key.as_bytes())
                .bytes(&[0])
                .bytes(value.as_bytes())
                .bytes(&[0]);
        }
        self
    }

    fn printed(&mut self, printed: &[PrintedText]) -> &mut Self {
        for text in printed {
            self.bytes(text.text.as_bytes());
            for v in text.area {
                self.bytes(&v.to_bits().to_le_bytes());
            }
        }
        self
    }

    fn floats(&mut self, values: impl IntoIterator<Item = f32>) -> &mut Self {
        for v in values {
            self.bytes(&v.to_bits().to_le_bytes());
        }
        self
    }
}

/// Every case's label and hash, in a fixed order.
fn hashes() -> Vec<(String, u64)> {
    let generator = Generator::new().expect("fonts installed by scripts/setup.sh");
    let mut out = Vec::new();
    for kind in KINDS {
        for seed in [0u64, 1, 2] {
            let (image, truth) = generator.flat(kind, seed);
            let hash = Fnv::new().image(&image).truth(&truth).0;
            out.push((format!("flat {} {seed}", kind.id_type()), hash));
        }
        let sample = generator.photo(kind, 5).expect("photo");
        let hash = Fnv::new()
            .image(&sample.image)
            .truth(&sample.truth)
            .printed(&sample.printed)
            .floats(sample.corners.iter().flatten().copied())
            .floats(sample.portrait.map(|v| v as f32))
            .0;
        out.push((format!("photo {} 5", kind.id_type()), hash));
    }
    let face = RgbImage::from_fn(160, 200, |x, y| {
        image::Rgb([
            (x * 3 % 256) as u8,
            (y * 5 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    for seed in [3u64, 4] {
        let id = generator
            .id_photo(DocumentKind::Resident, seed, &face)
            .expect("id photo");
        let hash = Fnv::new()
            .image(&id.image)
            .floats(id.corners.iter().flatten().copied())
            .floats(id.portrait.iter().flatten().copied())
            .0;
        out.push((format!("id_photo {seed}"), hash));
    }
    for seed in 0u64..4 {
        let image = generator.negative(seed).expect("negative");
        out.push((format!("negative {seed}"), Fnv::new().image(&image).0));
    }
    for seed in 0u64..3 {
        let image = generator.look_alike(seed).expect("look-alike");
        out.push((format!("look_alike {seed}"), Fnv::new().image(&image).0));
    }
    let shapes = [
        LineShape::PLAIN,
        LineShape {
            stretch: 0.85,
            tracking: 0.08,
        },
    ];
    for (seed, shape) in shapes.into_iter().enumerate() {
        let (image, printed) = generator
            .strip("홍길동 900101-1234567", seed as u64, shape)
            .expect("strip");
        let hash = Fnv::new()
            .image(&image)
            .printed(std::slice::from_ref(&printed))
            .0;
        out.push((format!("strip {seed}"), hash));
    }
    out
}

#[test]
fn seeds_give_the_pinned_cards() {
    let expected: &[(&str, u64)] = &[
        ("flat RESIDENT 0", 0xe3e8e416da4ba733),
        ("flat RESIDENT 1", 0xc14cf1cc9f87518a),
        ("flat RESIDENT 2", 0x778567d8a33a2931),
        ("photo RESIDENT 5", 0xfda25955dc577cce),
        ("flat DRIVER 0", 0x462a869007aec0e9),
        ("flat DRIVER 1", 0x96f04367cfe75379),
        ("flat DRIVER 2", 0xbc1343e905233ace),
        ("photo DRIVER 5", 0x0a3ff868b073cde1),
        ("flat FOREIGN 0", 0xce615a95487a2d12),
        ("flat FOREIGN 1", 0x9da5f539b2293e3e),
        ("flat FOREIGN 2", 0xb7d03978c004b124),
        ("photo FOREIGN 5", 0xcccff0be153b3bf2),
        ("flat PASSPORT 0", 0xebf9490629907488),
        ("flat PASSPORT 1", 0x46c52c0f39c9f955),
        ("flat PASSPORT 2", 0x227bb10f837656e6),
        ("photo PASSPORT 5", 0xf4bf50db0f1fc60e),
        ("id_photo 3", 0x9124e3a1ef88f494),
        ("id_photo 4", 0x2dc46b9d4707de4f),
        ("negative 0", 0x4d2173bfade255bc),
        ("negative 1", 0x9738cff1d98cc3e2),
        ("negative 2", 0x3f06ef63611a5d1d),
        ("negative 3", 0x71be7e5bcb13abd2),
        ("look_alike 0", 0x800aa8d503a90add),
        ("look_alike 1", 0x9e96e54193337e5c),
        ("look_alike 2", 0xa905d57529172178),
        ("strip 0", 0x829b537f37a7e307),
        ("strip 1", 0x834ac789ad3631d1),
    ];
    let actual = hashes();
    let listing: String = actual
        .iter()
        .map(|(label, hash)| format!("(\"{label}\", 0x{hash:016x}),\n"))
        .collect();
    let actual: Vec<(&str, u64)> = actual.iter().map(|(l, h)| (l.as_str(), *h)).collect();
    assert_eq!(
        actual, expected,
        "the generator's output changed; now:\n{listing}"
    );
}
