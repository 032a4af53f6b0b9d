//! Whether a JPEG's entropy-coded data is all there.
//!
//! The decoder (zune-jpeg, through `image`) fills a scan that ends early
//! with zero bits and says nothing, strict mode included: a truncated
//! upload with an end marker appended decodes as half a picture padded
//! with grey. So the data is checked apart from the decoder:
//!
//! - sequential (baseline) JPEGs: every scan's Huffman-coded data is
//!   walked block by block, without computing a pixel, and must hold every
//!   block of every component before its data ends;
//! - progressive JPEGs, whose refinement scans cannot be walked without the
//!   decoder's state: the scans must bring every coefficient of every
//!   component to full precision, and the caller checks the last scan by
//!   decoding a second copy with filler bytes where the data ends (see
//!   [`with_filler_before_end`]): a complete scan never reads them.

use crate::IntakeError;

/// What the check established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// Sequential: every block of every component is present.
    Complete,
    /// Progressive: every coefficient is declared; the last scan's data
    /// still has to be checked by decoding (see the module docs).
    ProgressiveLastScanUnchecked { data_end: usize },
    /// A kind of JPEG the decoder does not take (lossless, arithmetic
    /// coding) or a height given after the scan: left to the decoder.
    NotWalked,
}

fn truncated() -> IntakeError {
    IntakeError::Truncated
}

fn corrupt(why: &str) -> IntakeError {
    IntakeError::Corrupt(format!("JPEG {why}"))
}

#[derive(Debug, Clone, Copy)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
}

struct Frame {
    progressive: bool,
    width: usize,
    height: usize,
    components: Vec<Component>,
}

impl Frame {
    fn max_sampling(&self) -> (usize, usize) {
        let h = self.components.iter().map(|c| c.h).max().unwrap_or(1);
        let v = self.components.iter().map(|c| c.v).max().unwrap_or(1);
        (h, v)
    }

    /// Blocks across and down of one component on its own.
    fn component_blocks(&self, component: &Component) -> (usize, usize) {
        let (h_max, v_max) = self.max_sampling();
        let width = (self.width * component.h).div_ceil(h_max);
        let height = (self.height * component.v).div_ceil(v_max);
        (width.div_ceil(8), height.div_ceil(8))
    }

    /// MCUs of an interleaved scan.
    fn mcus(&self) -> usize {
        let (h_max, v_max) = self.max_sampling();
        self.width.div_ceil(8 * h_max) * self.height.div_ceil(8 * v_max)
    }
}

/// A canonical Huffman table (JPEG Annex C) with a 9-bit fast path.
struct Huffman {
    fast: Vec<(u8, u8)>,
    max_code: [i32; 17],
    first_code: [i32; 17],
    first_index: [usize; 17],
    values: Vec<u8>,
}

const FAST_BITS: u32 = 9;

impl Huffman {
    fn new(counts: &[u8], values: &[u8]) -> Result<Self, IntakeError> {
        let mut table = Huffman {
            fast: vec![(0, 0); 1 << FAST_BITS],
            max_code: [-1; 17],
            first_code: [0; 17],
            first_index: [0; 17],
            values: values.to_vec(),
        };
        let (mut code, mut index) = (0i32, 0usize);
        for length in 1..=16 {
            let count = usize::from(counts[length - 1]);
            table.first_code[length] = code;
            table.first_index[length] = index;
            for _ in 0..count {
                if code >= 1 << length {
                    return Err(corrupt("Huffman table is invalid"));
                }
                if length as u32 <= FAST_BITS {
                    let shift = FAST_BITS - length as u32;
                    let start = (code as usize) << shift;
                    for slot in &mut table.fast[start..start + (1 << shift)] {
                        *slot = (length as u8, values[index]);
                    }
                }
                code += 1;
                index += 1;
            }
            if count > 0 {
                table.max_code[length] = code - 1;
            }
            code <<= 1;
        }
        Ok(table)
    }

    /// The next symbol; `None` when the data ends inside it.
    fn decode(&self, bits: &mut Bits<'_>) -> Result<Option<u8>, IntakeError> {
        let (peek, available) = bits.peek16();
        let (length, value) = self.fast[(peek >> (16 - FAST_BITS)) as usize];
        if length > 0 {
            if u32::from(length) > available {
                return Ok(None);
            }
            bits.consume(u32::from(length));
            return Ok(Some(value));
        }
        for length in FAST_BITS as usize + 1..=16 {
            if length as u32 > available {
                return Ok(None);
            }
            let code = (peek >> (16 - length)) as i32;
            if code <= self.max_code[length] {
                bits.consume(length as u32);
                let index = self.first_index[length] + (code - self.first_code[length]) as usize;
                return self
                    .values
                    .get(index)
                    .map(|v| Some(*v))
                    .ok_or_else(|| corrupt("Huffman code is invalid"));
            }
        }
        Err(corrupt("Huffman code is invalid"))
    }
}

/// The entropy-coded data of one scan, bit by bit: stuffed `FF 00` is a
/// data byte, any other marker ends the data.
struct Bits<'a> {
    data: &'a [u8],
    position: usize,
    buffer: u64,
    count: u32,
    at_marker: bool,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], position: usize) -> Self {
        Self {
            data,
            position,
            buffer: 0,
            count: 0,
            at_marker: false,
        }
    }

    fn fill(&mut self) {
        while self.count <= 56 && !self.at_marker {
            let Some(&byte) = self.data.get(self.position) else {
                // The file ends inside the data.
                self.at_marker = true;
                break;
            };
            if byte != 0xFF {
                self.push(byte);
                self.position += 1;
                continue;
            }
            match self.data.get(self.position + 1) {
                Some(0x00) => {
                    self.push(0xFF);
                    self.position += 2;
                }
                Some(0xFF) => self.position += 1,
                _ => self.at_marker = true,
            }
        }
    }

    fn push(&mut self, byte: u8) {
        self.buffer |= u64::from(byte) << (56 - self.count);
        self.count += 8;
    }

    /// The next 16 bits (zeros past the data) and how many of them exist.
    fn peek16(&mut self) -> (u32, u32) {
        if self.count < 16 {
            self.fill();
        }
        ((self.buffer >> 48) as u32, self.count.min(16))
    }

    fn consume(&mut self, n: u32) {
        self.buffer <<= n;
        self.count -= n;
    }

    /// Skips `n` bits; false when the data ends first.
    fn skip(&mut self, n: u32) -> bool {
        if self.count < n {
            self.fill();
            if self.count < n {
                return false;
            }
        }
        self.consume(n);
        true
    }

    /// At a restart interval's end: drops the padding bits and whatever
    /// else precedes the next marker, which must be a restart marker.
    fn restart(&mut self) -> bool {
        self.buffer = 0;
        self.count = 0;
        while !self.at_marker {
            self.fill();
            self.buffer = 0;
            self.count = 0;
        }
        match self.data.get(self.position + 1) {
            Some(0xD0..=0xD7) => {
                self.position += 2;
                self.at_marker = false;
                true
            }
            _ => false,
        }
    }
}

/// One block of a sequential scan: a DC difference and its AC run-lengths.
fn walk_block(bits: &mut Bits<'_>, dc: &Huffman, ac: &Huffman) -> Result<(), IntakeError> {
    let size = dc.decode(bits)?.ok_or_else(truncated)?;
    if size > 16 || !bits.skip(u32::from(size)) {
        return Err(if size > 16 {
            corrupt("DC value is invalid")
        } else {
            truncated()
        });
    }
    let mut k = 1;
    while k < 64 {
        let symbol = ac.decode(bits)?.ok_or_else(truncated)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run != 15 {
                return Ok(());
            }
            k += 16;
            continue;
        }
        k += run;
        if !bits.skip(size) {
            return Err(truncated());
        }
        k += 1;
    }
    if k > 64 {
        return Err(corrupt("block has too many coefficients"));
    }
    Ok(())
}

struct Scan {
    /// (frame component, DC table, AC table) in scan order.
    components: Vec<(Component, usize, usize)>,
    spectral_start: u8,
    spectral_end: u8,
    approximation_low: u8,
}

/// Walks a sequential scan's data from `start`; returns where it ends.
fn walk_sequential<'a>(
    bytes: &[u8],
    start: usize,
    frame: &Frame,
    scan: &Scan,
    tables: &'a Tables,
    restart_interval: usize,
) -> Result<usize, IntakeError> {
    let mut units = Vec::with_capacity(scan.components.len());
    for (component, dc, ac) in &scan.components {
        let table = |set: &'a [Option<Huffman>; 4], id: usize| {
            set.get(id)
                .and_then(Option::as_ref)
                .ok_or_else(|| corrupt("uses a missing table"))
        };
        let (dc, ac) = (table(&tables.dc, *dc)?, table(&tables.ac, *ac)?);
        let blocks = if scan.components.len() == 1 {
            1
        } else {
            component.h * component.v
        };
        units.push((blocks, dc, ac));
    }
    let mcus = match scan.components.as_slice() {
        [(component, _, _)] => {
            let (across, down) = frame.component_blocks(component);
            across * down
        }
        _ => frame.mcus(),
    };
    let mut bits = Bits::new(bytes, start);
    for mcu in 0..mcus {
        if restart_interval > 0 && mcu > 0 && mcu % restart_interval == 0 && !bits.restart() {
            return Err(truncated());
        }
        for (blocks, dc, ac) in &units {
            for _ in 0..*blocks {
                walk_block(&mut bits, dc, ac)?;
            }
        }
    }
    Ok(next_marker(bytes, bits.position))
}

/// The next marker at or after `from` that is not a restart marker.
fn next_marker(bytes: &[u8], mut from: usize) -> usize {
    while from + 1 < bytes.len() {
        if bytes[from] == 0xFF && !matches!(bytes[from + 1], 0x00 | 0xFF | 0xD0..=0xD7) {
            return from;
        }
        from += 1;
    }
    bytes.len()
}

#[derive(Default)]
struct Tables {
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
}

fn segment(bytes: &[u8], at: usize) -> Result<&[u8], IntakeError> {
    let length = bytes
        .get(at..at + 2)
        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        .filter(|l| *l >= 2)
        .ok_or_else(truncated)?;
    bytes.get(at + 2..at + length).ok_or_else(truncated)
}

fn read_tables(body: &[u8], tables: &mut Tables) -> Result<(), IntakeError> {
    let mut rest = body;
    while let [class_id, counts @ ..] = rest {
        let counts = counts.get(..16).ok_or_else(truncated)?;
        let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
        let values = rest.get(17..17 + total).ok_or_else(truncated)?;
        let table = Huffman::new(counts, values)?;
        let slot = usize::from(class_id & 0x0F);
        let class = if class_id >> 4 == 0 {
            &mut tables.dc
        } else {
            &mut tables.ac
        };
        *class
            .get_mut(slot)
            .ok_or_else(|| corrupt("table id is invalid"))? = Some(table);
        rest = &rest[17 + total..];
    }
    Ok(())
}

fn read_frame(body: &[u8], progressive: bool) -> Result<Frame, IntakeError> {
    let header = body.get(..6).ok_or_else(truncated)?;
    let height = usize::from(u16::from_be_bytes([header[1], header[2]]));
    let width = usize::from(u16::from_be_bytes([header[3], header[4]]));
    let components = body[6..]
        .chunks_exact(3)
        .take(usize::from(header[5]))
        .map(|c| Component {
            id: c[0],
            h: usize::from(c[1] >> 4).max(1),
            v: usize::from(c[1] & 15).max(1),
        })
        .collect();
    Ok(Frame {
        progressive,
        width,
        height,
        components,
    })
}

fn read_scan(body: &[u8], frame: &Frame) -> Result<Scan, IntakeError> {
    let count = usize::from(*body.first().ok_or_else(truncated)?);
    let selectors = body.get(1..1 + 2 * count).ok_or_else(truncated)?;
    let tail = body
        .get(1 + 2 * count..4 + 2 * count)
        .ok_or_else(truncated)?;
    let components = selectors
        .chunks_exact(2)
        .map(|s| {
            let component = frame
                .components
                .iter()
                .find(|c| c.id == s[0])
                .ok_or_else(|| corrupt("scan names an unknown component"))?;
            Ok((*component, usize::from(s[1] >> 4), usize::from(s[1] & 15)))
        })
        .collect::<Result<Vec<_>, IntakeError>>()?;
    Ok(Scan {
        components,
        spectral_start: tail[0],
        spectral_end: tail[1],
        approximation_low: tail[2] & 15,
    })
}

/// Which coefficients of which component a progressive image has at
/// full precision (a scan with successive approximation low bit 0).
struct Coverage {
    final_bits: Vec<(u8, u64)>,
}

impl Coverage {
    fn new(frame: &Frame) -> Self {
        Self {
            final_bits: frame.components.iter().map(|c| (c.id, 0)).collect(),
        }
    }

    fn add(&mut self, scan: &Scan) {
        if scan.approximation_low != 0 || scan.spectral_end > 63 {
            return;
        }
        let band = (scan.spectral_start..=scan.spectral_end).fold(0u64, |m, k| m | 1 << k);
        for (component, _, _) in &scan.components {
            if let Some((_, bits)) = self
                .final_bits
                .iter_mut()
                .find(|(id, _)| *id == component.id)
            {
                *bits |= band;
            }
        }
    }

    fn complete(&self) -> bool {
        self.final_bits.iter().all(|(_, bits)| *bits == u64::MAX)
    }
}

/// Checks the JPEG in `bytes` (which starts with SOI) as the module docs say.
pub(crate) fn check(bytes: &[u8]) -> Result<Checked, IntakeError> {
    let mut tables = Tables::default();
    let mut frame: Option<Frame> = None;
    let mut coverage: Option<Coverage> = None;
    let mut scanned: Vec<u8> = Vec::new();
    let (mut restart_interval, mut at, mut last_scan_end) = (0usize, 2usize, 0usize);
    loop {
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let marker = match bytes.get(at..at + 2) {
            Some([0xFF, marker]) => *marker,
            _ => return Err(truncated()),
        };
        at += 2;
        match marker {
            0xD9 => break,
            0xD0..=0xD7 | 0x01 => continue,
            0xC0..=0xC2 => {
                let parsed = read_frame(segment(bytes, at)?, marker == 0xC2)?;
                if parsed.width == 0 || parsed.height == 0 || parsed.components.is_empty() {
                    return Ok(Checked::NotWalked);
                }
                coverage = parsed.progressive.then(|| Coverage::new(&parsed));
                frame = Some(parsed);
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return Ok(Checked::NotWalked),
            0xC4 => read_tables(segment(bytes, at)?, &mut tables)?,
            0xDD => {
                let body = segment(bytes, at)?;
                let interval = body.get(..2).ok_or_else(truncated)?;
                restart_interval = usize::from(u16::from_be_bytes([interval[0], interval[1]]));
            }
            0xDA => {
                let frame = frame
                    .as_ref()
                    .ok_or_else(|| corrupt("scan comes before its frame"))?;
                let header = segment(bytes, at)?;
                let scan = read_scan(header, frame)?;
                let data = at + 2 + header.len();
                at = match coverage.as_mut() {
                    Some(coverage) => {
                        coverage.add(&scan);
                        next_marker(bytes, data)
                    }
                    None => {
                        scanned.extend(scan.components.iter().map(|(c, _, _)| c.id));
                        walk_sequential(bytes, data, frame, &scan, &tables, restart_interval)?
                    }
                };
                last_scan_end = at;
                continue;
            }
            _ => {}
        }
        at += segment(bytes, at)?.len() + 2;
    }
    let frame = frame.ok_or_else(|| corrupt("has no frame"))?;
    match coverage {
        Some(coverage) if coverage.complete() => Ok(Checked::ProgressiveLastScanUnchecked {
            data_end: last_scan_end,
        }),
        Some(_) => Err(truncated()),
        None if frame.components.iter().all(|c| scanned.contains(&c.id)) => Ok(Checked::Complete),
        None => Err(truncated()),
    }
}

/// A copy of the JPEG with filler bytes where its last scan's data ends:
/// a complete scan decodes the same, one cut short reads the filler.
pub(crate) fn with_filler_before_end(bytes: &[u8], data_end: usize) -> Vec<u8> {
    const FILLER: [u8; 64] = [0x5A; 64];
    let mut end = data_end.min(bytes.len());
    // Fill bytes before the marker belong to it: the filler goes before them.
    while end > 0 && bytes[end - 1] == 0xFF {
        end -= 1;
    }
    [&bytes[..end], FILLER.as_slice(), &bytes[end..]].concat()
}
