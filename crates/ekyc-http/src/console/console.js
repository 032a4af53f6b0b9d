// The eKYC console: a client of the public API, nothing more. It keeps the
// access token and the tenant token in this page's memory only (no
// storage, no cookies), calls the same routes as any integrator, and draws
// what they answer. Every decision (a match, a live face, a document's
// checks) is the server's; the eKYC flow only lists them side by side.
'use strict';

(() => {
  const TEXT = {
    ko: {
      'console.title': '콘솔',
      'lang.switch': 'English',
      'signout': '로그아웃',
      'nav.flow': 'eKYC 흐름',
      'nav.count': '얼굴 수',
      'nav.register': '등록',
      'nav.verify': '인증',
      'nav.compare': '비교',
      'nav.identify': '식별',
      'nav.liveness': '라이브니스',
      'nav.ocr': '신분증 OCR',
      'nav.audit': '감사 기록',
      'signin.title': '로그인',
      'signin.hint': '운영자가 발급한 키로 로그인합니다. 토큰은 이 페이지의 메모리에만 있고 어디에도 저장되지 않습니다.',
      'signin.accessKey': 'Access Key',
      'signin.secretKey': 'Secret Key',
      'signin.tenantToken': 'Tenant Token',
      'signin.submit': '로그인',
      'signin.signedIn': '{key} 로그인됨',
      'signin.expired': '토큰이 만료되었습니다. 다시 로그인하세요.',
      'flow.title': 'eKYC 흐름',
      'flow.hint': '신분증 → 항목 판독 → 신분증 사진과 셀피 비교 → 셀피 라이브니스 → 판정. 은행 비대면 계좌 개설과 같은 순서로 공개 API를 호출합니다.',
      'flow.card': '신분증',
      'flow.readCard': '신분증 판독',
      'flow.selfie': '셀피',
      'flow.checkSelfie': '얼굴 비교 및 라이브니스',
      'flow.portrait': '신분증 사진',
      'flow.verdict': '판정',
      'flow.approved': '승인',
      'flow.rejected': '거절',
      'flow.reasons': '근거',
      'flow.step.document': '신분증 판독',
      'flow.step.expired': '유효기간',
      'flow.step.idNumber': '주민등록번호 형식',
      'flow.step.mrz': 'MRZ 검증 숫자',
      'flow.step.face': '얼굴 일치 (신분증 ↔ 셀피)',
      'flow.step.liveness': '셀피 라이브니스',
      'flow.read': '{type}, 신뢰도 {confidence}',
      'flow.notExpired': '만료되지 않음',
      'flow.isExpired': '만료됨',
      'flow.valid': '정상',
      'flow.invalid': '오류',
      'flow.real': '실제 얼굴 (신뢰도 {confidence})',
      'flow.attack': '공격 의심: {checks}',
      'flow.failed': '{code}: {message}',
      'count.title': '얼굴 수 세기',
      'count.submit': '얼굴 찾기',
      'count.found': '얼굴 {count}개',
      'register.title': '얼굴 등록',
      'register.submit': '등록',
      'register.done': '{message}: 선호 엔진 {engine}, 저장한 엔진 {engines}',
      'delete.title': '등록 삭제',
      'delete.submit': '모든 템플릿 삭제',
      'verify.title': '얼굴 인증 (1:1)',
      'verify.submit': '인증',
      'compare.title': '신분증 사진과 셀피 비교',
      'compare.reference': '기준 (신분증)',
      'compare.probe': '대상 (셀피)',
      'compare.submit': '비교',
      'identify.title': '얼굴 식별 (1:N)',
      'identify.submit': '식별',
      'identify.none': '일치하는 사용자가 없습니다 (갤러리 {size}명).',
      'identify.summary': '엔진 {engine}, 갤러리 {size}명, 허용 쌍 FMR ≤ {maxFmr}',
      'liveness.title': '라이브니스',
      'liveness.submit': '검사',
      'liveness.real': '실제 얼굴',
      'liveness.fake': '공격 감지',
      'liveness.confidence': '신뢰도 {confidence}',
      'liveness.detected': '감지됨',
      'liveness.clear': '감지 안 됨',
      'liveness.notRequested': '요청 안 함',
      'check.deepfake': '딥페이크',
      'check.photoAttack': '사진·화면 공격',
      'check.mask': '마스크·가림',
      'ocr.title': '신분증 OCR',
      'ocr.submit': '판독',
      'ocr.fields': '항목',
      'ocr.checks': '검증',
      'ocr.confidence': '전체 신뢰도 {confidence}',
      'ocr.fieldConfidence': '항목별 신뢰도',
      'audit.title': '감사 기록',
      'audit.submit': '최신 기록',
      'audit.older': '이전 기록',
      'audit.empty': '기록이 없습니다.',
      'audit.at': '시각',
      'audit.endpoint': '경로',
      'audit.status': '상태',
      'audit.code': '코드',
      'audit.decision': '판정',
      'audit.score': '점수',
      'audit.engine': '엔진',
      'audit.latency': '지연 (ms)',
      'audit.trxId': 'trxId',
      'field.idType': '신분증 종류',
      'field.userCode': '사용자 코드',
      'field.engine': '엔진',
      'field.dedupe': '다른 코드로 등록된 얼굴이면 거부',
      'field.context': '정책',
      'field.maxResults': '최대 후보 수',
      'field.checkType': '검사',
      'field.limit': '쪽당 기록 수',
      'idType.auto': '자동 감지',
      'idType.RESIDENT': '주민등록증',
      'idType.DRIVER': '운전면허증',
      'idType.PASSPORT': '여권',
      'idType.FOREIGN': '외국인등록증',
      'engine.default': '서버 기본값',
      'image.file': '파일 선택',
      'image.camera': '카메라',
      'image.take': '촬영',
      'image.cancel': '취소',
      'image.none': '이미지 없음',
      'image.camera.shot': '카메라 촬영 {width}×{height}',
      'image.missing': '이미지를 선택하거나 촬영하세요.',
      'image.noCamera': '카메라를 열 수 없습니다: {reason}',
      'match.yes': '일치',
      'match.no': '불일치',
      'match.score': '점수 {score} · 임계값 {threshold} ({policy}) · 엔진 {engine}',
      'match.fmr': '이 점수의 오수락률(FMR) ≈ {fmr}',
      'gauge.threshold': '임계값',
      'call.failed': '요청 실패 (HTTP {status}) {code}: {message}',
      'call.network': '서버에 연결할 수 없습니다.',
      'call.running': '처리 중…',
      'foot.docs': 'API 문서',
      'foot.note': '이 콘솔은 공개 API만 호출합니다. 판정 규칙은 서버에 있습니다.',
    },
    en: {
      'console.title': 'Console',
      'lang.switch': '한국어',
      'signout': 'Sign out',
      'nav.flow': 'eKYC flow',
      'nav.count': 'Count',
      'nav.register': 'Register',
      'nav.verify': 'Verify',
      'nav.compare': 'Compare',
      'nav.identify': 'Identify',
      'nav.liveness': 'Liveness',
      'nav.ocr': 'ID OCR',
      'nav.audit': 'Audit trail',
      'signin.title': 'Sign in',
      'signin.hint': 'Sign in with the keys your operator issued. The tokens live in this page\'s memory only and are stored nowhere.',
      'signin.accessKey': 'Access key',
      'signin.secretKey': 'Secret key',
      'signin.tenantToken': 'Tenant token',
      'signin.submit': 'Sign in',
      'signin.signedIn': 'Signed in as {key}',
      'signin.expired': 'Your token expired. Sign in again.',
      'flow.title': 'eKYC flow',
      'flow.hint': 'ID card → fields → the card\'s photo against a selfie → liveness of the selfie → a verdict: the public API called in the order of a bank\'s remote onboarding.',
      'flow.card': 'ID card',
      'flow.readCard': 'Read the card',
      'flow.selfie': 'Selfie',
      'flow.checkSelfie': 'Compare and check liveness',
      'flow.portrait': 'ID photo',
      'flow.verdict': 'Verdict',
      'flow.approved': 'Approved',
      'flow.rejected': 'Rejected',
      'flow.reasons': 'Reasons',
      'flow.step.document': 'Document read',
      'flow.step.expired': 'Validity',
      'flow.step.idNumber': 'ID number format',
      'flow.step.mrz': 'MRZ check digits',
      'flow.step.face': 'Face match (card ↔ selfie)',
      'flow.step.liveness': 'Selfie liveness',
      'flow.read': '{type}, confidence {confidence}',
      'flow.notExpired': 'not expired',
      'flow.isExpired': 'expired',
      'flow.valid': 'valid',
      'flow.invalid': 'invalid',
      'flow.real': 'a live face (confidence {confidence})',
      'flow.attack': 'attack suspected: {checks}',
      'flow.failed': '{code}: {message}',
      'count.title': 'Count faces',
      'count.submit': 'Find faces',
      'count.found': '{count} face(s)',
      'register.title': 'Register a face',
      'register.submit': 'Register',
      'register.done': '{message}: preferred engine {engine}, templates by {engines}',
      'delete.title': 'Delete a registration',
      'delete.submit': 'Delete every template',
      'verify.title': 'Verify (1:1)',
      'verify.submit': 'Verify',
      'compare.title': 'Compare an ID photo with a selfie',
      'compare.reference': 'Reference (ID card)',
      'compare.probe': 'Probe (selfie)',
      'compare.submit': 'Compare',
      'identify.title': 'Identify (1:N)',
      'identify.submit': 'Identify',
      'identify.none': 'Nobody matches (gallery of {size}).',
      'identify.summary': 'Engine {engine}, gallery of {size}, pair FMR accepted ≤ {maxFmr}',
      'liveness.title': 'Liveness',
      'liveness.submit': 'Check',
      'liveness.real': 'Live face',
      'liveness.fake': 'Attack detected',
      'liveness.confidence': 'confidence {confidence}',
      'liveness.detected': 'detected',
      'liveness.clear': 'not detected',
      'liveness.notRequested': 'not requested',
      'check.deepfake': 'Deepfake',
      'check.photoAttack': 'Photo or screen',
      'check.mask': 'Mask or covered face',
      'ocr.title': 'ID document OCR',
      'ocr.submit': 'Read',
      'ocr.fields': 'Fields',
      'ocr.checks': 'Checks',
      'ocr.confidence': 'Overall confidence {confidence}',
      'ocr.fieldConfidence': 'Confidence per field',
      'audit.title': 'Audit trail',
      'audit.submit': 'Newest records',
      'audit.older': 'Older records',
      'audit.empty': 'No records.',
      'audit.at': 'Time',
      'audit.endpoint': 'Endpoint',
      'audit.status': 'Status',
      'audit.code': 'Code',
      'audit.decision': 'Decision',
      'audit.score': 'Score',
      'audit.engine': 'Engine',
      'audit.latency': 'Latency (ms)',
      'audit.trxId': 'trxId',
      'field.idType': 'Document type',
      'field.userCode': 'User code',
      'field.engine': 'Engine',
      'field.dedupe': 'Refuse a face enrolled under another code',
      'field.context': 'Policy',
      'field.maxResults': 'Candidates at most',
      'field.checkType': 'Checks',
      'field.limit': 'Records per page',
      'idType.auto': 'Detect',
      'idType.RESIDENT': 'Resident registration card',
      'idType.DRIVER': 'Driver\'s licence',
      'idType.PASSPORT': 'Passport',
      'idType.FOREIGN': 'Alien registration card',
      'engine.default': 'Server default',
      'image.file': 'Choose a file',
      'image.camera': 'Camera',
      'image.take': 'Take',
      'image.cancel': 'Cancel',
      'image.none': 'No image',
      'image.camera.shot': 'Camera shot {width}×{height}',
      'image.missing': 'Choose or take an image.',
      'image.noCamera': 'The camera cannot be opened: {reason}',
      'match.yes': 'Match',
      'match.no': 'No match',
      'match.score': 'score {score} · threshold {threshold} ({policy}) · engine {engine}',
      'match.fmr': 'False-match rate at this score ≈ {fmr}',
      'gauge.threshold': 'threshold',
      'call.failed': 'Request failed (HTTP {status}) {code}: {message}',
      'call.network': 'The server cannot be reached.',
      'call.running': 'Working…',
      'foot.docs': 'API documentation',
      'foot.note': 'This console calls the public API only. The decision rules live in the server.',
    },
  };

  const FIELD_NAMES = {
    ko: {
      name: '이름', idNum: '주민등록번호', birthDate: '생년월일', address: '주소', issueDate: '발급일',
      issuer: '발급기관', licenseNo: '면허번호', licenseType: '면허 종류', licenseTypes: '면허 종류 (전체)',
      licenseRegion: '면허 지역', expiryDate: '만료일', serialNo: '일련번호', condition: '조건',
      passportNo: '여권번호', surname: '성', givenNames: '이름 (영문)', nationality: '국적', sex: '성별',
      issuingCountry: '발행국', visaType: '체류자격', mrz: 'MRZ', documentCode: '문서 코드',
    },
    en: {
      name: 'Name', idNum: 'ID number', birthDate: 'Date of birth', address: 'Address', issueDate: 'Issued',
      issuer: 'Issuer', licenseNo: 'Licence number', licenseType: 'Licence type', licenseTypes: 'Licence types',
      licenseRegion: 'Licence region', expiryDate: 'Expires', serialNo: 'Serial number', condition: 'Conditions',
      passportNo: 'Passport number', surname: 'Surname', givenNames: 'Given names', nationality: 'Nationality',
      sex: 'Sex', issuingCountry: 'Issuing country', visaType: 'Status of stay', mrz: 'MRZ',
      documentCode: 'Document code',
    },
  };

  const CHECK_NAMES = {
    idNumberFormat: { ko: '번호 형식', en: 'Number format' },
    idNumberChecksum: { ko: '번호 검증 숫자', en: 'Number check digit' },
    licenseNumber: { ko: '면허번호', en: 'Licence number' },
    licenseTypes: { ko: '면허 종류', en: 'Licence types' },
    mrzCheckDigits: { ko: 'MRZ 검증 숫자', en: 'MRZ check digits' },
    birthDateConsistent: { ko: '생년월일 일치', en: 'Birth date consistent' },
    expired: { ko: '만료', en: 'Expired' },
    idTypeMatches: { ko: '종류 일치', en: 'Type as requested' },
  };

  const LIVENESS_CHECKS = ['deepfake', 'photoAttack', 'mask'];
  /** The API rescales each liveness score so that 0.5 is its threshold. */
  const LIVENESS_THRESHOLD = 0.5;

  let lang = 'ko';
  /** The signed-in caller: tokens in memory only, gone with the page. */
  let session = null;
  /** What each screen shows, redrawn when the language changes. */
  const views = new Map();
  const images = new WeakMap();

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  function t(key, vars = {}) {
    const text = TEXT[lang][key] ?? TEXT.ko[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function translate(root = document) {
    for (const node of $$('[data-i18n]', root)) node.textContent = t(node.dataset.i18n);
  }

  function setLanguage(next) {
    lang = next;
    document.documentElement.lang = lang;
    translate();
    if (session) $('#who').textContent = t('signin.signedIn', { key: session.accessKey });
    for (const [result, draw] of views) show(result, draw);
  }

  /** Shows `draw()` in a result area, and again after a language switch. */
  function show(result, draw) {
    views.set(result, draw);
    result.replaceChildren(...[draw()].flat());
  }

  // ---- the API ----

  async function call(method, path, body) {
    const headers = { 'Accept-Language': lang === 'en' ? 'en' : 'ko' };
    if (session) {
      headers.Authorization = `Bearer ${session.accessToken}`;
      headers['X-Tenant-Token'] = session.tenantToken;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (error) {
      return { ok: false, status: 0, body: { code: 'network', message: t('call.network') } };
    }
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401 && session && ['40105', '40107'].includes(answer.code)) {
      signOut(t('signin.expired'));
    }
    return { ok: response.ok, status: response.status, body: answer };
  }

  function failure(answer) {
    const body = answer.body || {};
    const detail = body.detail ? ` (${body.detail})` : '';
    return el('p', { class: 'error', 'data-error': body.code || answer.status },
      t('call.failed', { status: answer.status, code: body.code || '', message: (body.message || '') + detail }));
  }

  // ---- sign-in ----

  async function signIn(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const outcome = $('[data-outcome]', form);
    const fields = new FormData(form);
    const accessKey = String(fields.get('accessKey')).trim();
    const answer = await call('POST', '/v1/auth/token', {
      accessKey,
      secretKey: String(fields.get('secretKey')),
    });
    if (!answer.ok) {
      outcome.replaceChildren(failure(answer));
      return;
    }
    session = {
      accessKey,
      accessToken: answer.body.accessToken,
      tenantToken: String(fields.get('tenantToken')).trim(),
    };
    // The tenant token is checked by the first call that needs it.
    const probe = await call('GET', '/v1/audit?limit=1');
    if (!probe.ok) {
      session = null;
      outcome.replaceChildren(failure(probe));
      return;
    }
    form.reset();
    outcome.replaceChildren();
    $('#who').textContent = t('signin.signedIn', { key: accessKey });
    $('#who').hidden = false;
    $('#sign-out').hidden = false;
    $('#screens').hidden = false;
    openScreen('flow');
  }

  function signOut(message) {
    session = null;
    for (const form of $$('form')) form.reset();
    for (const box of $$('.image-input')) clearImage(box);
    for (const result of $$('[data-result]')) result.replaceChildren();
    views.clear();
    $('#flow-selfie').hidden = true;
    $('#who').hidden = true;
    $('#sign-out').hidden = true;
    $('#screens').hidden = true;
    for (const screen of $$('.screen')) screen.hidden = screen.id !== 'screen-signin';
    const outcome = $('#signin-form [data-outcome]');
    outcome.replaceChildren(message ? el('p', { class: 'error' }, message) : '');
  }

  function openScreen(name) {
    for (const screen of $$('.screen')) screen.hidden = screen.id !== `screen-${name}`;
    for (const tab of $$('#screens [data-screen]')) {
      tab.setAttribute('aria-current', tab.dataset.screen === name ? 'page' : 'false');
    }
  }

  // ---- image inputs: a file or a camera shot ----

  function setupImageInput(box) {
    box.append($('#image-input-template').content.cloneNode(true));
    translate(box);
    const file = $('input[type=file]', box);
    file.addEventListener('change', () => {
      const chosen = file.files && file.files[0];
      if (!chosen) return;
      const reader = new FileReader();
      reader.onload = () => setImage(box, String(reader.result), chosen.name);
      reader.readAsDataURL(chosen);
    });
    $('[data-camera-start]', box).addEventListener('click', () => startCamera(box));
    $('[data-camera-take]', box).addEventListener('click', () => takePhoto(box));
    $('[data-camera-stop]', box).addEventListener('click', () => stopCamera(box));
  }

  function setImage(box, dataUrl, name) {
    const picture = new Image();
    picture.onload = () => {
      images.set(box, { dataUrl, picture });
      const preview = $('img.preview', box);
      preview.src = dataUrl;
      preview.hidden = false;
      const label = $('[data-image-name]', box);
      label.removeAttribute('data-i18n');
      label.textContent = `${name} (${picture.naturalWidth}×${picture.naturalHeight})`;
      box.dataset.ready = 'true';
    };
    picture.src = dataUrl;
  }

  function clearImage(box) {
    stopCamera(box);
    images.delete(box);
    delete box.dataset.ready;
    const preview = $('img.preview', box);
    if (preview) {
      preview.hidden = true;
      preview.removeAttribute('src');
    }
    const label = $('[data-image-name]', box);
    if (label) {
      label.dataset.i18n = 'image.none';
      label.textContent = t('image.none');
    }
  }

  async function startCamera(box) {
    const video = $('video', box);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: box.dataset.camera || 'user', width: { ideal: 1280 } },
        audio: false,
      });
      video.srcObject = stream;
      video.hidden = false;
      $('[data-camera-take]', box).hidden = false;
      $('[data-camera-stop]', box).hidden = false;
      $('[data-camera-start]', box).hidden = true;
    } catch (error) {
      const label = $('[data-image-name]', box);
      label.removeAttribute('data-i18n');
      label.textContent = t('image.noCamera', { reason: error.name || String(error) });
    }
  }

  function takePhoto(box) {
    const video = $('video', box);
    const canvas = el('canvas', { width: video.videoWidth, height: video.videoHeight });
    canvas.getContext('2d').drawImage(video, 0, 0);
    const { width, height } = canvas;
    stopCamera(box);
    setImage(box, canvas.toDataURL('image/jpeg', 0.92), t('image.camera.shot', { width, height }));
  }

  function stopCamera(box) {
    const video = $('video', box);
    if (!video) return;
    if (video.srcObject) {
      for (const track of video.srcObject.getTracks()) track.stop();
      video.srcObject = null;
    }
    video.hidden = true;
    $('[data-camera-take]', box).hidden = true;
    $('[data-camera-stop]', box).hidden = true;
    $('[data-camera-start]', box).hidden = false;
  }

  /** The image of each image input of `form`, by field name; null if one is missing. */
  function formImages(form) {
    const chosen = {};
    for (const box of $$('.image-input', form)) {
      const image = images.get(box);
      if (!image) return null;
      chosen[box.dataset.field] = image;
    }
    return chosen;
  }

  // ---- drawing ----

  const COLORS = { box: '#16a34a', landmark: ['#ef4444', '#3b82f6', '#eab308', '#ec4899', '#8b5cf6'], card: '#22c55e', portrait: '#3b82f6' };

  /**
   * A canvas with the picture scaled to `maxWidth` px wide (a thumbnail
   * is enlarged at most 2.5 times), and its scale.
   */
  function pictureCanvas(picture, maxWidth = 720) {
    const scale = Math.min(2.5, maxWidth / picture.naturalWidth);
    const canvas = el('canvas', {
      width: Math.round(picture.naturalWidth * scale),
      height: Math.round(picture.naturalHeight * scale),
      class: 'overlay',
    });
    const context = canvas.getContext('2d');
    context.drawImage(picture, 0, 0, canvas.width, canvas.height);
    context.lineWidth = Math.max(2, canvas.width / 300);
    return { canvas, context, scale };
  }

  function drawFaces(picture, faces) {
    const { canvas, context, scale } = pictureCanvas(picture);
    faces.forEach((face, index) => {
      const [x, y, w, h] = face.box.map((v) => v * scale);
      context.strokeStyle = COLORS.box;
      context.strokeRect(x, y, w, h);
      face.landmarks.forEach(([lx, ly], i) => {
        context.fillStyle = COLORS.landmark[i];
        context.beginPath();
        context.arc(lx * scale, ly * scale, Math.max(2.5, w / 40), 0, 2 * Math.PI);
        context.fill();
      });
      label(context, `#${index + 1} ${face.score.toFixed(3)}`, x, Math.max(0, y - 4), COLORS.box);
    });
    canvas.dataset.faces = String(faces.length);
    return canvas;
  }

  function label(context, text, x, y, color) {
    const size = Math.max(12, context.canvas.width / 50);
    context.font = `${size}px sans-serif`;
    const width = context.measureText(text).width + 8;
    const top = Math.max(0, y - size - 4);
    context.fillStyle = color;
    context.fillRect(x, top, width, size + 6);
    context.fillStyle = '#fff';
    context.fillText(text, x + 4, top + size);
  }

  /** The card with its corners, its portrait box and its fields drawn over it. */
  function drawDocument(picture, answer) {
    const { canvas, context, scale } = pictureCanvas(picture, 820);
    const corners = answer.corners.map(([x, y]) => [x * scale, y * scale]);
    context.strokeStyle = COLORS.card;
    context.beginPath();
    corners.forEach(([x, y], i) => (i === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
    context.closePath();
    context.stroke();
    corners.forEach(([x, y], i) => {
      context.fillStyle = COLORS.card;
      context.beginPath();
      context.arc(x, y, 5, 0, 2 * Math.PI);
      context.fill();
      label(context, String(i + 1), x + 6, y + 6, COLORS.card);
    });
    if (answer.portraitBox) {
      const [x, y, w, h] = answer.portraitBox.map((v) => v * scale);
      context.strokeStyle = COLORS.portrait;
      context.strokeRect(x, y, w, h);
      label(context, t('flow.portrait'), x, y, COLORS.portrait);
    }
    drawFieldPanel(context, corners, documentFields(answer));
    canvas.dataset.corners = '4';
    canvas.dataset.portrait = answer.portraitBox ? 'true' : 'false';
    return canvas;
  }

  /**
   * The fields as the API answers them (masked), on a translucent panel
   * over the picture: the API gives no box per field, so they are set
   * under the card where the picture has room, over its lower part where
   * it has not, rather than where each is printed.
   */
  function drawFieldPanel(context, corners, fields) {
    const xs = corners.map(([x]) => x);
    const ys = corners.map(([, y]) => y);
    const left = Math.max(0, Math.min(...xs));
    const right = Math.min(context.canvas.width, Math.max(...xs));
    const top = Math.min(...ys);
    const bottom = Math.max(...ys);
    const size = Math.max(11, Math.min(18, (right - left) / 36));
    const lines = fields.map(([name, value]) => `${name}: ${value}`);
    const height = lines.length * (size + 5) + 10;
    const below = context.canvas.height - bottom - 8 >= height;
    const panelTop = below ? bottom + 8 : Math.max(top, bottom - height - (bottom - top) * 0.04);
    const panelLeft = below ? left : left + (right - left) * 0.04;
    context.font = `${size}px sans-serif`;
    const width = Math.min(right - panelLeft, Math.max(...lines.map((line) => context.measureText(line).width)) + 16);
    context.fillStyle = 'rgba(15, 23, 42, 0.72)';
    context.fillRect(panelLeft, panelTop, width, height);
    context.fillStyle = '#f8fafc';
    lines.forEach((line, i) => context.fillText(line, panelLeft + 8, panelTop + 5 + (i + 1) * (size + 5) - 5, width - 16));
  }

  function documentFields(answer) {
    const names = FIELD_NAMES[lang];
    const data = answer.data;
    const rows = [];
    for (const key of ['name', 'idNum', 'birthDate']) {
      if (data[key] !== null && data[key] !== undefined) rows.push([names[key] || key, data[key]]);
    }
    for (const [key, value] of Object.entries(data.details || {})) {
      if (key === 'mrz') continue;
      rows.push([names[key] || key, Array.isArray(value) ? value.join(', ') : value]);
    }
    return rows;
  }

  /** A bar from 0 to 1 with the score filled and the threshold marked. */
  function gauge(score, threshold, passed) {
    const canvas = el('canvas', { width: 420, height: 34, class: 'gauge', 'data-score': score, 'data-threshold': threshold });
    const context = canvas.getContext('2d');
    const bar = { x: 4, y: 8, w: 412, h: 14 };
    context.fillStyle = '#e2e8f0';
    context.fillRect(bar.x, bar.y, bar.w, bar.h);
    context.fillStyle = passed ? '#16a34a' : '#dc2626';
    context.fillRect(bar.x, bar.y, bar.w * Math.max(0, Math.min(1, score)), bar.h);
    const mark = bar.x + bar.w * threshold;
    context.fillStyle = '#0f172a';
    context.fillRect(mark - 1.5, 2, 3, bar.h + 12);
    context.font = '11px sans-serif';
    context.fillText(`${t('gauge.threshold')} ${threshold.toFixed(3)}`, Math.min(mark + 4, bar.w - 90), 33);
    return canvas;
  }

  function formatFmr(fmr) {
    if (!(fmr > 0)) return '0';
    if (fmr >= 0.01) return fmr.toFixed(3);
    const [mantissa, exponent] = fmr.toExponential(1).split('e');
    const superscript = String(Number(exponent)).replace(/[-0-9]/g, (c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]);
    return `${mantissa}×10${superscript} (1 / ${Math.round(1 / fmr).toLocaleString()})`;
  }

  function matchView(body, policy) {
    return el('div', { class: `decision ${body.isMatch ? 'pass' : 'fail'}`, 'data-match': String(body.isMatch) },
      el('p', { class: 'verdict-line' }, body.isMatch ? t('match.yes') : t('match.no')),
      gauge(body.score, body.threshold, body.isMatch),
      el('p', {}, t('match.score', {
        score: body.score.toFixed(4), threshold: body.threshold.toFixed(4), policy, engine: body.engine,
      })),
      el('p', { class: 'muted' }, t('match.fmr', { fmr: formatFmr(body.fmr) })));
  }

  function livenessView(body) {
    return el('div', { class: `decision ${body.isReal ? 'pass' : 'fail'}`, 'data-real': String(body.isReal) },
      el('p', { class: 'verdict-line' }, body.isReal ? t('liveness.real') : t('liveness.fake'),
        ' · ', t('liveness.confidence', { confidence: body.confidence.toFixed(3) })),
      LIVENESS_CHECKS.map((check) => {
        const detected = body.checks[check];
        const score = body.scores ? body.scores[check] : null;
        if (detected === null || detected === undefined) {
          return el('div', { class: 'check-row muted' }, `${t(`check.${check}`)}: ${t('liveness.notRequested')}`);
        }
        return el('div', { class: 'check-row', 'data-check': check, 'data-detected': String(detected) },
          el('span', {}, `${t(`check.${check}`)}: ${detected ? t('liveness.detected') : t('liveness.clear')}`,
            score === null ? '' : ` (${score.toFixed(3)})`),
          score === null ? '' : gauge(score, LIVENESS_THRESHOLD, !detected));
      }));
  }

  function documentView(picture, body) {
    const names = FIELD_NAMES[lang];
    const rows = documentFields(body).map(([name, value]) => el('tr', {}, el('th', {}, name), el('td', {}, value)));
    const confidences = body.fieldConfidence || {};
    const checks = Object.entries(body.checks || {})
      .filter(([, value]) => value !== null)
      .map(([key, value]) => el('li', { class: value === (key === 'expired') ? 'bad' : 'good' },
        `${CHECK_NAMES[key] ? CHECK_NAMES[key][lang] : key}: ${value}`));
    const mrz = body.data.details && body.data.details.mrz;
    return el('div', { class: 'document' },
      drawDocument(picture, body),
      el('div', { class: 'document-facts' },
        el('p', { class: 'verdict-line' }, `${t(`idType.${body.data.idType}`)} · ${t('ocr.confidence', { confidence: body.confidence.toFixed(3) })}`),
        el('h4', {}, t('ocr.fields')),
        el('table', { class: 'fields', 'data-fields': rows.length }, rows),
        mrz ? el('pre', { class: 'mrz' }, [mrz.line1, mrz.line2, mrz.line3].filter(Boolean).join('\n')) : '',
        el('p', { class: 'muted' }, `${t('ocr.fieldConfidence')}: `,
          Object.entries(confidences).map(([k, v]) => `${names[k] || k} ${v}`).join(' · ')),
        el('h4', {}, t('ocr.checks')),
        el('ul', { class: 'checks' }, checks)));
  }

  function portraitCrop(picture, box) {
    const [x, y, w, h] = box;
    const scale = Math.min(1, 160 / h);
    const canvas = el('canvas', { width: Math.round(w * scale), height: Math.round(h * scale), class: 'portrait' });
    canvas.getContext('2d').drawImage(picture, x, y, w, h, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  // ---- the screens ----

  function running(result) {
    views.delete(result);
    result.replaceChildren(el('p', { class: 'muted', 'data-running': '' }, t('call.running')));
  }

  function needImages(form, result) {
    const chosen = formImages(form);
    if (!chosen) show(result, () => el('p', { class: 'error' }, t('image.missing')));
    return chosen;
  }

  const SCREENS = {
    async count(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      running(result);
      const answer = await call('POST', '/v1/fr/count', { image: chosen.image.dataUrl });
      show(result, () => (answer.ok
        ? el('div', { class: 'faces' },
          el('p', { class: 'verdict-line', 'data-count': answer.body.count }, t('count.found', { count: answer.body.count })),
          drawFaces(chosen.image.picture, answer.body.faces))
        : failure(answer)));
    },

    async register(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      const fields = new FormData(form);
      const body = { userCode: String(fields.get('userCode')).trim(), image: chosen.image.dataUrl };
      if (fields.get('engine')) body.engine = fields.get('engine');
      if (fields.get('dedupe')) body.dedupe = true;
      running(result);
      const answer = await call('POST', '/v1/fr/register', body);
      show(result, () => (answer.ok
        ? el('p', { class: 'decision pass', 'data-registered': body.userCode }, t('register.done', {
          message: answer.body.message, engine: answer.body.engine, engines: answer.body.engines.join(', '),
        }))
        : failure(answer)));
    },

    async delete(form, result) {
      const userCode = String(new FormData(form).get('userCode')).trim();
      running(result);
      const answer = await call('DELETE', `/v1/fr/register/${encodeURIComponent(userCode)}`);
      show(result, () => (answer.ok ? el('p', { class: 'decision pass' }, answer.body.message) : failure(answer)));
    },

    async verify(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      const fields = new FormData(form);
      const context = String(fields.get('context'));
      running(result);
      const answer = await call('POST', '/v1/fr/verify', {
        userCode: String(fields.get('userCode')).trim(), image: chosen.image.dataUrl, context,
      });
      // A refused login (40924) still carries the score: show both.
      show(result, () => (answer.body && typeof answer.body.score === 'number'
        ? [answer.ok ? '' : failure(answer), matchView(answer.body, context)]
        : failure(answer)));
    },

    async compare(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      running(result);
      const answer = await call('POST', '/v1/fr/compare', { image1: chosen.image1.dataUrl, image2: chosen.image2.dataUrl });
      show(result, () => (answer.ok ? matchView(answer.body, 'compare') : failure(answer)));
    },

    async identify(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      const maxResults = Number(new FormData(form).get('maxResults'));
      running(result);
      const answer = await call('POST', '/v1/fr/identify', { image: chosen.image.dataUrl, maxResults });
      show(result, () => {
        if (!answer.ok) return failure(answer);
        const body = answer.body;
        const summary = el('p', { class: 'muted' }, t('identify.summary', {
          engine: body.engine, size: body.gallerySize, maxFmr: formatFmr(body.maxFmr),
        }));
        if (body.candidates.length === 0) {
          return [el('p', { class: 'verdict-line', 'data-candidates': '0' }, t('identify.none', { size: body.gallerySize })), summary];
        }
        return [
          el('table', { class: 'records', 'data-candidates': body.candidates.length },
            el('tr', {}, el('th', {}, t('field.userCode')), el('th', {}, t('audit.score')), el('th', {}, 'FMR')),
            body.candidates.map((c) => el('tr', {}, el('td', {}, c.userCode), el('td', {}, c.score.toFixed(4)), el('td', {}, formatFmr(c.fmr))))),
          summary,
        ];
      });
    },

    async liveness(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      const checkType = String(new FormData(form).get('checkType'));
      running(result);
      const answer = await call('POST', '/v1/liveness/detect', { image: chosen.image.dataUrl, checkType });
      show(result, () => (answer.ok ? livenessView(answer.body) : failure(answer)));
    },

    async ocr(form, result) {
      const chosen = needImages(form, result);
      if (!chosen) return;
      const idType = String(new FormData(form).get('idType'));
      running(result);
      const answer = await call('POST', '/v1/ocr/recognize', idType ? { image: chosen.image.dataUrl, idType } : { image: chosen.image.dataUrl });
      show(result, () => (answer.ok ? documentView(chosen.image.picture, answer.body) : failure(answer)));
    },

    async audit(form, result, before) {
      const limit = Number(new FormData(form).get('limit')) || 50;
      const query = new URLSearchParams({ limit: String(limit) });
      if (before !== undefined) query.set('before', String(before));
      running(result);
      const answer = await call('GET', `/v1/audit?${query}`);
      show(result, () => {
        if (!answer.ok) return failure(answer);
        const { records, nextBefore } = answer.body;
        if (records.length === 0) return el('p', { class: 'muted' }, t('audit.empty'));
        const columns = ['at', 'endpoint', 'status', 'code', 'decision', 'score', 'engine', 'latency', 'trxId'];
        const locale = lang === 'en' ? 'en-GB' : 'ko-KR';
        const table = el('table', { class: 'records', 'data-records': records.length },
          el('tr', {}, columns.map((c) => el('th', {}, t(`audit.${c}`)))),
          records.map((r) => el('tr', { class: r.status < 400 ? '' : 'failed' },
            el('td', {}, new Date(r.atMs).toLocaleString(locale)),
            el('td', {}, `${r.method} ${r.endpoint}`),
            el('td', {}, r.status),
            el('td', {}, r.code),
            el('td', {}, r.decision ?? ''),
            el('td', {}, r.score === null ? '' : r.score.toFixed(4)),
            el('td', {}, r.engine ?? ''),
            el('td', {}, r.latencyMs.toFixed(1)),
            el('td', { class: 'mono' }, r.trxId))));
        const older = nextBefore === null || nextBefore === undefined ? ''
          : el('button', { type: 'button', class: 'ghost', 'data-older': nextBefore }, t('audit.older'));
        if (older) older.addEventListener('click', () => SCREENS.audit(form, result, nextBefore));
        return [table, older];
      });
    },
  };

  // ---- the eKYC flow ----

  const flow = { card: null, document: null };

  async function readCard(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const result = $('#screen-flow [data-result]');
    const chosen = needImages(form, result);
    if (!chosen) return;
    const idType = String(new FormData(form).get('idType'));
    running(result);
    $('#flow-selfie').hidden = true;
    const answer = await call('POST', '/v1/ocr/recognize', idType ? { image: chosen.image.dataUrl, idType } : { image: chosen.image.dataUrl });
    flow.card = chosen.image;
    flow.document = answer;
    show(result, () => flowView(null, null));
    if (answer.ok) $('#flow-selfie').hidden = false;
  }

  async function checkSelfie(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const result = $('#screen-flow [data-result]');
    const chosen = needImages(form, result);
    if (!chosen || !flow.document) return;
    running(result);
    const match = await call('POST', '/v1/fr/compare', { image1: flow.card.dataUrl, image2: chosen.image.dataUrl });
    const liveness = await call('POST', '/v1/liveness/detect', { image: chosen.image.dataUrl, checkType: 'all' });
    show(result, () => flowView(match, liveness));
  }

  /** Each step's answer as a reason, and one verdict when all are in. */
  function flowView(match, liveness) {
    const documentAnswer = flow.document;
    const reasons = [];
    const reason = (key, passed, text) => reasons.push({ key, passed, text });
    if (documentAnswer.ok) {
      const body = documentAnswer.body;
      reason('document', true, t('flow.read', { type: t(`idType.${body.data.idType}`), confidence: body.confidence.toFixed(3) }));
      if (body.checks.expired !== null) {
        reason('expired', !body.checks.expired, body.checks.expired ? t('flow.isExpired') : t('flow.notExpired'));
      }
      if (body.checks.idNumberFormat !== null) {
        reason('idNumber', body.checks.idNumberFormat, body.checks.idNumberFormat ? t('flow.valid') : t('flow.invalid'));
      }
      if (body.checks.mrzCheckDigits !== null) {
        reason('mrz', body.checks.mrzCheckDigits, body.checks.mrzCheckDigits ? t('flow.valid') : t('flow.invalid'));
      }
    } else {
      reason('document', false, t('flow.failed', { code: documentAnswer.body.code, message: documentAnswer.body.message }));
    }
    if (match) {
      reason('face', match.ok && match.body.isMatch, match.ok
        ? `${match.body.isMatch ? t('match.yes') : t('match.no')}: ${t('match.score', {
          score: match.body.score.toFixed(4), threshold: match.body.threshold.toFixed(4), policy: 'compare', engine: match.body.engine,
        })}`
        : t('flow.failed', { code: match.body.code, message: match.body.message }));
    }
    if (liveness) {
      const attacks = liveness.ok ? LIVENESS_CHECKS.filter((c) => liveness.body.checks[c]).map((c) => t(`check.${c}`)) : [];
      reason('liveness', liveness.ok && liveness.body.isReal, liveness.ok
        ? (liveness.body.isReal ? t('flow.real', { confidence: liveness.body.confidence.toFixed(3) }) : t('flow.attack', { checks: attacks.join(', ') }))
        : t('flow.failed', { code: liveness.body.code, message: liveness.body.message }));
    }
    const complete = Boolean(match && liveness);
    const approved = complete && reasons.every((r) => r.passed);
    const rejected = reasons.some((r) => !r.passed);
    const parts = [];
    if (documentAnswer.ok) {
      const body = documentAnswer.body;
      parts.push(el('div', { class: 'flow-document' },
        documentView(flow.card.picture, body),
        body.portraitBox ? el('figure', {}, portraitCrop(flow.card.picture, body.portraitBox), el('figcaption', {}, t('flow.portrait'))) : ''));
    }
    if (match && match.ok) parts.push(matchView(match.body, 'compare'));
    if (liveness && liveness.ok) parts.push(livenessView(liveness.body));
    if (complete || rejected) {
      const verdict = approved ? 'approved' : 'rejected';
      parts.unshift(el('div', { class: `verdict ${verdict}`, 'data-verdict': verdict },
        el('h3', {}, `${t('flow.verdict')}: ${t(`flow.${verdict}`)}`),
        el('h4', {}, t('flow.reasons')),
        el('ul', {}, reasons
          .slice()
          .sort((a, b) => Number(a.passed) - Number(b.passed))
          .map((r) => el('li', { class: r.passed ? 'good' : 'bad', 'data-reason': r.key }, `${t(`flow.step.${r.key}`)}: ${r.text}`)))));
    } else {
      parts.unshift(el('ul', { class: 'reasons-so-far' }, reasons.map((r) => el('li', { class: r.passed ? 'good' : 'bad', 'data-reason': r.key },
        `${t(`flow.step.${r.key}`)}: ${r.text}`))));
    }
    return parts;
  }

  // ---- wiring ----

  function start() {
    for (const box of $$('.image-input')) setupImageInput(box);
    $('#signin-form').addEventListener('submit', signIn);
    $('#sign-out').addEventListener('click', () => signOut());
    $('#lang-switch').addEventListener('click', () => setLanguage(lang === 'ko' ? 'en' : 'ko'));
    for (const tab of $$('#screens [data-screen]')) {
      tab.addEventListener('click', () => openScreen(tab.dataset.screen));
    }
    for (const form of $$('form[data-call]')) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const result = $('[data-result]', form.closest('.screen'));
        SCREENS[form.dataset.call](form, result);
      });
    }
    $('#flow-card').addEventListener('submit', readCard);
    $('#flow-selfie').addEventListener('submit', checkSelfie);
    setLanguage(lang);
    document.body.dataset.ready = 'true';
  }

  start();
})();
