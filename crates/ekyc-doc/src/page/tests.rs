use image::RgbImage;

use super::*;

fn page() -> Page {
    let line = |x: f32, y: f32| Line {
        area: TextBox {
            x,
            y,
            w: 200.0,
            h: 40.0,
            score: 1.0,
        },
        text: "read".into(),
        confidence: 0.9,
    };
    Page {
        gray: GrayImage::from_fn(1012, 638, |x, _| image::Luma([(x % 251) as u8])),
        lines: vec![line(40.0, 20.0), line(300.0, 500.0)],
        read: 2,
        corners: [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
        size: (1012, 638),
    }
}

#[test]
fn a_photo_of_a_documents_shape_is_itself_an_outline() {
    let card = RgbImage::new(391, 248);
    let frame = whole_frame(&card, &[]).unwrap();
    assert_eq!(frame.corners[2], [391.0, 248.0]);
    assert!((frame.aspect() - 391.0 / 248.0).abs() < 0.01);
    // Held upright, the long side starts at the top right.
    let upright = whole_frame(&RgbImage::new(248, 391), &[]).unwrap();
    assert_eq!(upright.corners[0], [248.0, 0.0]);
    assert!(upright.aspect() > 1.5);
    // A square is no document's shape, and a frame already found is
    // not tried twice.
    assert!(whole_frame(&RgbImage::new(600, 600), &[]).is_none());
    assert!(whole_frame(&card, &[frame]).is_none());
}

#[test]
fn the_text_block_outlines_a_card_whose_edges_do_not_show() {
    // The whole photo (2024 × 1276) opened as a card page: the card's
    // text fills the page's middle half.
    let mut page = page();
    page.corners = [[0.0, 0.0], [2024.0, 0.0], [2024.0, 1276.0], [0.0, 1276.0]];
    page.lines = [(300.0, 170.0), (500.0, 300.0), (300.0, 430.0)]
        .iter()
        .map(|&(x, y)| Line {
            area: TextBox {
                x,
                y,
                w: 250.0,
                h: 38.0,
                score: 1.0,
            },
            text: String::new(),
            confidence: 0.0,
        })
        .collect();
    let photo = RgbImage::from_pixel(2024, 1276, image::Rgb([235, 235, 235]));
    let outline = text_outline(&page, &photo).unwrap();
    let [top_left, top_right, bottom_right, _] = outline.corners;
    // Text from y 170 to 468, padded by 8 % of its height, doubled.
    assert!((top_left[1] - 2.0 * (170.0 - 0.08 * 298.0)).abs() < 1.0);
    assert!((bottom_right[1] - 2.0 * (468.0 + 0.08 * 298.0)).abs() < 1.0);
    // Widened to the page's aspect about the text's centre.
    assert!((outline.aspect() - 1012.0 / 638.0).abs() < 0.01);
    assert!(top_left[0] < 2.0 * 300.0 && top_right[0] > 2.0 * 750.0);
}

#[test]
fn a_turned_page_reads_its_lines_again_from_the_new_top() {
    let turned = page().turned();
    assert_eq!(turned.read, 0);
    assert!(turned.lines.iter().all(|l| l.text.is_empty()));
    let tops: Vec<(f32, f32)> = turned.lines.iter().map(|l| (l.area.x, l.area.y)).collect();
    assert_eq!(tops, [(512.0, 98.0), (772.0, 578.0)]);
    assert_eq!(turned.corners[0], [1.0, 1.0]);
    let back = turned.turned();
    assert_eq!(back.gray, page().gray);
    assert_eq!(back.lines[0].area, page().lines[0].area);
}
