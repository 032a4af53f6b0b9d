//! The web console in a real browser: Debian's Chromium, driven over
//! WebDriver by chromedriver, against a real server with real models.
//! Each screen is used as a person would (files chosen, a camera shot,
//! buttons pressed) and what it draws is checked; a screenshot of each is
//! written to `target/console-screenshots/` for a developer to look at.

mod common;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use ekyc_doc::kind::DocumentKind;
use ekyc_docgen::{Generator, Truth};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use image::{Rgb, RgbImage};
use serde_json::{json, Value};

/// Inference in a debug build on two busy cores can take a while.
const ANSWER_WAIT: Duration = Duration::from_secs(240);

/// The browser window's width (a laptop's).
const WIDTH: u32 = 1280;

/// A Chromium session, its chromedriver and its fresh profile.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    shots: PathBuf,
}

impl Browser {
    async fn open() -> Browser {
        let port = free_port();
        let driver = Command::new(env_or("EKYC_CHROMEDRIVER", "chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that the browser goes with it.
            .process_group(0)
            .spawn()
            .expect("chromedriver (scripts/setup.sh --for-tests installs chromium-driver)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": env_or("EKYC_CHROMIUM", "/usr/bin/chromium"),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,1500", "--lang=ko-KR",
                    // A synthetic camera, allowed without a prompt.
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            client,
            driver,
            _profile: profile,
            shots,
        }
    }

    /// The element, once it is there; a screenshot of the page and a
    /// panic when it never comes.
    async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(ANSWER_WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                self.screenshot("failed").await;
                panic!("{css} never appeared ({e}); see failed.png")
            }
        }
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap();
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    async fn attr(&self, css: &str, name: &str) -> String {
        self.wait_for(css)
            .await
            .attr(name)
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Chooses `file` in the image input `field` of the form `form`.
    async fn choose(&self, form: &str, field: &str, file: &Path) {
        let input = format!("{form} .image-input[data-field={field}]");
        self.wait_for(&format!("{input} input[type=file]"))
            .await
            .send_keys(&file.canonicalize().unwrap().display().to_string())
            .await
            .unwrap();
        self.wait_for(&format!("{input}[data-ready]")).await;
    }

    async fn screen(&self, name: &str) {
        self.click(&format!("#screens [data-screen={name}]")).await;
        self.wait_for(&format!("#screen-{name}:not([hidden])"))
            .await;
    }

    /// Runs the form's call and waits for its answer to be drawn.
    async fn submit(&self, form: &str, answer: &str) -> Element {
        self.click(&format!("{form} button[type=submit]")).await;
        self.wait_for(answer).await
    }

    async fn sign_in(&self, base: &str, tenant: &Tenant, secret: &str) {
        self.client.goto(&format!("{base}/console")).await.unwrap();
        self.wait_for("body[data-ready]").await;
        self.fill("#signin-form [name=accessKey]", &tenant.access_key)
            .await;
        self.fill("#signin-form [name=secretKey]", secret).await;
        self.fill("#signin-form [name=tenantToken]", &tenant.tenant_token)
            .await;
        self.click("#signin-form button[type=submit]").await;
    }

    /// The whole page: the window is made as tall as the page first.
    async fn screenshot(&self, name: &str) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|h| h.as_u64())
            .unwrap_or(1500)
            .clamp(900, 6000);
        // The window's height includes what headless Chromium keeps of its frame.
        let _ = self
            .client
            .set_window_size(WIDTH, height as u32 + 150)
            .await;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
        let _ = self.client.set_window_size(WIDTH, 1500).await;
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.stop();
    }

    fn stop(&mut self) {
        // SAFETY: signals the process group this test started.
        unsafe { libc::kill(-(self.driver.id() as i32), libc::SIGKILL) };
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.stop();
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `target/console-screenshots/`, beside the test binaries.
fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("console-screenshots")
}

fn face(path: &str) -> PathBuf {
    ekyc_test_support::shared_data().join("faces").join(path)
}

const ENROLLED: &str = "lfw/Abdullah/Abdullah_0001.jpg";
const SAME_PERSON: &str = "lfw/Abdullah/Abdullah_0002.jpg";
const OTHER_PERSON: &str = "lfw/Aaron_Guiel/Aaron_Guiel_0001.jpg";

/// A generated 주민등록증 whose portrait is the photo `portrait` (an LFW
/// face, cropped to the face and shoulders), laid flat on a dark desk.
fn card_with_portrait(seed: u64, portrait: &Path) -> (RgbImage, Truth) {
    let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
    let kind = DocumentKind::Resident;
    let (mut card, truth) = generator.flat(kind, seed);
    // The same seed draws the same card: its portrait box.
    let [x, y, w, h] = generator.photo(kind, seed).unwrap().portrait;
    let photo = image::open(portrait).unwrap().to_rgb8();
    let crop = image::imageops::crop_imm(&photo, 55, 35, 140, 180).to_image();
    let fitted = image::imageops::resize(&crop, w, h, image::imageops::FilterType::Triangle);
    image::imageops::replace(&mut card, &fitted, i64::from(x), i64::from(y));
    let margin = card.width() / 5;
    let mut scan = RgbImage::from_pixel(
        card.width() + 2 * margin,
        card.height() + 2 * margin,
        Rgb([52, 56, 64]),
    );
    image::imageops::replace(&mut scan, &card, i64::from(margin), i64::from(margin));
    (scan, truth)
}

fn save_png(image: &RgbImage, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    image.save(&path).unwrap();
    path
}

#[test]
fn console_answers_carry_strict_security_headers() {
    let server = Server::start();
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let page = agent
        .get(&format!("{}/console/", server.base))
        .call()
        .unwrap();
    let csp = page.header("content-security-policy").unwrap().to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} not in {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = page.into_string().unwrap();
    assert!(!html.contains("<script>") && !html.contains(" style="));
    assert!(!html.contains("http://") && !html.contains("https://"));
    for asset in ["/console/console.js", "/console/console.css"] {
        let answer = agent
            .get(&format!("{}{asset}", server.base))
            .call()
            .unwrap();
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        let body = answer.into_string().unwrap();
        for storage in [
            "localStorage",
            "sessionStorage",
            "document.cookie",
            "indexedDB",
        ] {
            assert!(!body.contains(storage), "{asset} uses {storage}");
        }
    }
    let bare = agent
        .get(&format!("{}/console", server.base))
        .call()
        .unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.header("location"), Some("/console/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_calls_the_api_and_draws_its_answer() {
    let server = Server::start();
    let tenant = server.create_tenant("console bank");
    let browser = Browser::open().await;
    let scratch = tempfile::tempdir().unwrap();

    browser
        .sign_in(&server.base, &tenant, "not the secret")
        .await;
    browser.wait_for("#signin-form [data-error='40104']").await;
    browser.screenshot("01-sign-in-refused").await;
    browser
        .sign_in(&server.base, &tenant, &tenant.secret_key)
        .await;
    browser.wait_for("#screens:not([hidden])").await;
    assert_eq!(
        browser.text("#screens [data-screen=count]").await,
        "얼굴 수"
    );

    browser.screen("count").await;
    browser
        .choose("#screen-count form", "image", &face(ENROLLED))
        .await;
    let canvas = browser
        .submit("#screen-count form", "#screen-count canvas[data-faces]")
        .await;
    assert_eq!(
        canvas.attr("data-faces").await.unwrap().as_deref(),
        Some("1")
    );
    browser.screenshot("02-count").await;

    // The synthetic camera: a shot taken in the page goes to the API too.
    browser
        .click("#screen-count .image-input [data-camera-start]")
        .await;
    browser
        .wait_for("#screen-count .image-input video:not([hidden])")
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    browser
        .click("#screen-count .image-input [data-camera-take]")
        .await;
    browser
        .wait_for("#screen-count .image-input[data-ready]")
        .await;
    assert!(browser
        .text("#screen-count [data-image-name]")
        .await
        .contains("카메라"));
    browser
        .submit("#screen-count form", "#screen-count [data-count='0']")
        .await;

    browser.screen("register").await;
    browser
        .fill(
            "#screen-register form[data-call=register] [name=userCode]",
            "console-user-1",
        )
        .await;
    browser
        .choose(
            "#screen-register form[data-call=register]",
            "image",
            &face(ENROLLED),
        )
        .await;
    browser
        .submit(
            "#screen-register form[data-call=register]",
            "#screen-register [data-registered='console-user-1']",
        )
        .await;
    browser.screenshot("03-register").await;

    browser.screen("verify").await;
    browser
        .fill("#screen-verify [name=userCode]", "console-user-1")
        .await;
    browser
        .choose("#screen-verify form", "image", &face(SAME_PERSON))
        .await;
    browser
        .submit("#screen-verify form", "#screen-verify [data-match='true']")
        .await;
    let gauge = "#screen-verify canvas.gauge";
    let score: f64 = browser.attr(gauge, "data-score").await.parse().unwrap();
    let threshold: f64 = browser.attr(gauge, "data-threshold").await.parse().unwrap();
    assert!(score >= threshold, "{score} < {threshold}");
    browser.screenshot("04-verify").await;

    browser.screen("compare").await;
    browser
        .choose("#screen-compare form", "image1", &face(ENROLLED))
        .await;
    browser
        .choose("#screen-compare form", "image2", &face(OTHER_PERSON))
        .await;
    browser
        .submit(
            "#screen-compare form",
            "#screen-compare [data-match='false']",
        )
        .await;
    assert!(browser
        .text("#screen-compare .decision")
        .await
        .contains("compare"));
    browser.screenshot("05-compare").await;

    browser.screen("identify").await;
    browser
        .choose("#screen-identify form", "image", &face(SAME_PERSON))
        .await;
    browser
        .submit(
            "#screen-identify form",
            "#screen-identify [data-candidates='1']",
        )
        .await;
    assert!(browser
        .text("#screen-identify table")
        .await
        .contains("console-user-1"));
    browser.screenshot("06-identify").await;

    browser.screen("liveness").await;
    browser
        .choose("#screen-liveness form", "image", &face(SAME_PERSON))
        .await;
    browser
        .submit("#screen-liveness form", "#screen-liveness [data-real]")
        .await;
    let checks = browser
        .client
        .find_all(Locator::Css("#screen-liveness [data-check] canvas.gauge"))
        .await
        .unwrap();
    assert_eq!(checks.len(), 3, "a gauge per check");
    browser.screenshot("07-liveness").await;

    browser.screen("ocr").await;
    let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
    let sample = generator.photo(DocumentKind::Resident, 2).unwrap();
    let card = save_png(&sample.image, scratch.path(), "card.png");
    browser.choose("#screen-ocr form", "image", &card).await;
    let drawn = browser
        .submit("#screen-ocr form", "#screen-ocr canvas[data-corners]")
        .await;
    assert_eq!(
        drawn.attr("data-portrait").await.unwrap().as_deref(),
        Some("true")
    );
    let fields = browser.text("#screen-ocr table.fields").await;
    assert!(fields.contains(&sample.truth["name"]), "{fields}");
    assert!(fields.contains("******-*******"), "{fields}");
    assert!(!fields.contains(&sample.truth["idNum"]), "{fields}");
    browser.screenshot("08-ocr").await;

    browser.screen("audit").await;
    browser
        .submit("#screen-audit form", "#screen-audit table[data-records]")
        .await;
    let trail = browser.text("#screen-audit table").await;
    for endpoint in ["/v1/fr/count", "/v1/fr/verify", "/v1/ocr/recognize"] {
        assert!(trail.contains(endpoint), "{endpoint} not in the trail");
    }
    browser.screenshot("09-audit").await;

    let stored = browser
        .client
        .execute(
            "return [localStorage.length, sessionStorage.length, document.cookie]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(stored, json!([0, 0, ""]), "nothing kept in the browser");
    browser.click("#sign-out").await;
    browser.wait_for("#screen-signin:not([hidden])").await;
    assert!(browser
        .client
        .find(Locator::Css("#screens[hidden]"))
        .await
        .is_ok());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ekyc_flow_ends_in_one_verdict_with_its_reasons_in_either_language() {
    let server = Server::start();
    let tenant = server.create_tenant("flow bank");
    let browser = Browser::open().await;
    let scratch = tempfile::tempdir().unwrap();
    browser
        .sign_in(&server.base, &tenant, &tenant.secret_key)
        .await;
    browser.wait_for("#screen-flow:not([hidden])").await;

    let (card, truth) = card_with_portrait(2, &face(ENROLLED));
    let card = save_png(&card, scratch.path(), "card.png");
    browser.choose("#flow-card", "image", &card).await;
    browser
        .submit("#flow-card", "#flow-selfie:not([hidden])")
        .await;
    let fields = browser.text("#screen-flow table.fields").await;
    assert!(fields.contains(&truth["name"]), "{fields}");
    browser.wait_for("#screen-flow canvas.portrait").await;
    browser.screenshot("10-flow-card").await;

    browser
        .choose("#flow-selfie", "image", &face(SAME_PERSON))
        .await;
    let verdict = browser
        .submit("#flow-selfie", "#screen-flow [data-verdict]")
        .await;
    let reasons = browser
        .client
        .find_all(Locator::Css("#screen-flow [data-verdict] li"))
        .await
        .unwrap();
    let mut all_passed = true;
    let mut steps = Vec::new();
    for reason in &reasons {
        let step = reason.attr("data-reason").await.unwrap().unwrap();
        let passed = reason.attr("class").await.unwrap().as_deref() == Some("good");
        if ["document", "face"].contains(&step.as_str()) {
            assert!(passed, "{step}: {}", reason.text().await.unwrap());
        }
        all_passed &= passed;
        steps.push(step);
    }
    for step in ["document", "face", "liveness"] {
        assert!(
            steps.iter().any(|s| s == step),
            "{step} missing from {steps:?}"
        );
    }
    let expected = if all_passed { "approved" } else { "rejected" };
    assert_eq!(
        verdict.attr("data-verdict").await.unwrap().as_deref(),
        Some(expected)
    );
    assert!(verdict.text().await.unwrap().starts_with("판정"));
    browser.screenshot("11-flow-verdict").await;

    browser.click("#lang-switch").await;
    assert_eq!(
        browser.text("#screens [data-screen=flow]").await,
        "eKYC flow"
    );
    assert!(browser
        .text("#screen-flow [data-verdict] h3")
        .await
        .starts_with("Verdict"));
    assert_eq!(browser.text("#lang-switch").await, "한국어");
    browser.screenshot("12-flow-verdict-english").await;
    browser.click("#lang-switch").await;
    assert_eq!(
        browser.text("#screens [data-screen=flow]").await,
        "eKYC 흐름"
    );
    browser.close().await;
}
