//! Edit distance, for matching a misread word to the word it should be
//! (a document's title, a real place name).

/// The Levenshtein distance between `a` and `b`: the fewest characters
/// inserted, deleted or replaced to turn one into the other. One row of
/// the table is kept, updated in place.
pub(crate) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}
