// evidence.js: documents attached to an answer (docs/evidence.md). A file is sent in chunks of
// plain calls (BeginEvidenceUpload, PutEvidenceChunk at each offset, CommitEvidenceUpload), small
// enough that a slow or dropping connection loses little: when a chunk fails, the page asks the
// server how much it holds (GetEvidenceUpload) and carries on from there. Downloads come back in
// chunks too (GetEvidenceContent) and are saved as the file.
import { call, ApiError, base64 } from '../api.js';
import { h, uid, download } from '../dom.js';
import { t, num, pct, dateTime } from '../i18n.js';
import { errorBox, success, actionButton } from '../ui.js';

const MAX_BYTES = 10 * 1024 * 1024;
const CHUNK_BYTES = 256 * 1024; // about a minute on a 32 kbit/s link: a lost chunk costs little
const RETRIES = 8;

// The documents of assessment `id`, by question id.
export async function loadEvidence(id) {
  const r = await call('responses', 'ListEvidenceDocuments', { assessmentId: id });
  const byQuestion = {};
  for (const d of r.documents || []) (byQuestion[d.questionId] = byQuestion[d.questionId] || []).push(d);
  return { byQuestion, used: Number(r.stateBytesUsed || 0), quota: Number(r.stateBytesQuota || 0) };
}

export function size(bytes) {
  const n = Number(bytes) || 0;
  if (n >= 1024 * 1024) return t('ev.mib', { n: num(n / (1024 * 1024), 1) });
  if (n >= 1024) return t('ev.kib', { n: num(n / 1024, 0) });
  return t('ev.bytes', { n: num(n) });
}

async function sha256Hex(buf) {
  if (!(globalThis.crypto && crypto.subtle)) return ''; // plain http off localhost: the server checks alone
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// An upload under way, remembered for the tab (sessionStorage, like the key) by the file's
// content: the same file chosen again after a reload or a closed laptop carries on from what the
// server holds instead of starting over.
const RESUME_SLOT = 'unic.upload.';

async function resumable(assessmentId, qid, file, sha) {
  const slot = RESUME_SLOT + [assessmentId, qid, sha || file.name + ':' + file.size + ':' + file.lastModified].join('|');
  const known = sessionStorage.getItem(slot);
  if (known) {
    const up = await call('responses', 'GetEvidenceUpload', { uploadId: known }).catch(() => null);
    if (up && !up.documentId && Number(up.size) === file.size && up.filename === file.name) return { slot, up, resumed: true };
    sessionStorage.removeItem(slot);
  }
  const up = await call('responses', 'BeginEvidenceUpload', {
    assessmentId, questionId: qid, filename: file.name, size: String(file.size), sha256: sha,
  });
  sessionStorage.setItem(slot, up.uploadId);
  return { slot, up, resumed: false };
}

// Sends `file` as evidence of question `qid`; progress(received, total, resumed) after each
// chunk. Only a failure to reach the server is retried; what the server refuses is final.
export async function uploadFile(assessmentId, qid, file, progress) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const start = await resumable(assessmentId, qid, file, await sha256Hex(bytes));
  let { up } = start;
  if (start.resumed) progress(Number(up.received || 0), bytes.length, true);
  const step = Math.min(CHUNK_BYTES, up.maxChunkBytes || CHUNK_BYTES);
  let received = Number(up.received || 0);
  let failures = 0;
  while (received < bytes.length) {
    try {
      up = await call('responses', 'PutEvidenceChunk', {
        uploadId: up.uploadId, offset: String(received), data: base64(bytes.subarray(received, received + step)),
      }, { timeoutMs: 120000 });
      received = Number(up.received || 0);
      failures = 0;
      progress(received, bytes.length, false);
    } catch (err) {
      const lost = err instanceof ApiError && (err.status === 0 || err.code === 'unavailable' || err.code === 'deadline_exceeded');
      if (!lost) sessionStorage.removeItem(start.slot); // refused: this upload can go no further
      if (!lost || ++failures > RETRIES) throw err;
      await pause(Math.min(30000, 500 * 2 ** failures));
      // Where the server stands: the chunk may have arrived though its reply did not.
      const now = await call('responses', 'GetEvidenceUpload', { uploadId: up.uploadId }).catch(() => null);
      if (now) received = Number(now.received || 0);
      progress(received, bytes.length, true);
    }
  }
  const doc = await call('responses', 'CommitEvidenceUpload', { uploadId: up.uploadId }, { timeoutMs: 120000 });
  sessionStorage.removeItem(start.slot);
  return doc;
}

async function fetchFile(doc) {
  const parts = [];
  let offset = 0;
  const total = Number(doc.size || 0);
  while (offset < total) {
    const r = await call('responses', 'GetEvidenceContent', {
      documentId: doc.id, offset: String(offset), length: String(1024 * 1024),
    }, { timeoutMs: 120000 });
    const bin = atob(r.bytes || '');
    if (!bin.length) break;
    parts.push(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    offset += bin.length;
  }
  download(doc.filename || 'evidence', new Blob(parts), doc.contentType || 'application/octet-stream');
}

// A button whose visible word is short and whose accessible name says which file it acts on.
function named(button, label) {
  button.setAttribute('aria-label', label);
  return button;
}

// The documents of one answer, and for the State while it is a draft, a file to attach.
// `onChange` is told after an upload or a deletion (so the page can re-read the quota).
export function evidenceDocs(assessmentId, qid, docs, editable, onChange) {
  const status = h('div', { class: 'ev-status', 'aria-live': 'polite' });
  const list = h('ul', { class: 'ev-docs' });
  const draw = () => {
    list.replaceChildren(...docs.map((d) => h('li', { 'data-doc': d.id },
      h('span', { dir: 'auto', class: 'ev-name' }, d.filename), ' ',
      h('span', { class: 'muted' }, size(d.size) + ' · ' + dateTime(d.createdAt)), ' ',
      named(actionButton(t('ev.download'), () => fetchFile(d).catch((err) => status.replaceChildren(errorBox(err))), 'link', 'ev-download'),
        t('ev.download.named', { name: d.filename })),
      editable ? named(actionButton(t('ev.delete'), async () => {
        status.replaceChildren();
        try {
          await call('responses', 'DeleteEvidenceDocument', { documentId: d.id });
          docs.splice(docs.indexOf(d), 1);
          draw();
          status.append(success(t('ev.deleted', { name: d.filename })));
          onChange();
        } catch (err) {
          status.append(errorBox(err));
        }
      }, 'link', 'ev-delete'), t('ev.delete.named', { name: d.filename })) : null)));
    if (!docs.length) list.append(h('li', { class: 'muted' }, t('ev.none')));
  };
  draw();
  const parts = [h('legend', null, t('ev.docs')), list];
  if (editable) {
    const id = uid('file');
    const input = h('input', { type: 'file', id, 'aria-describedby': id + '-hint',
      accept: '.pdf,.png,.jpg,.jpeg,.docx,.xlsx,.txt,application/pdf,image/png,image/jpeg,text/plain' });
    const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('ev.progress') });
    parts.push(h('div', { class: 'field' }, h('label', { for: id }, t('ev.file')), input,
      h('p', { class: 'hint', id: id + '-hint' }, t('ev.hint'))),
    actionButton(t('ev.upload'), async () => {
      status.replaceChildren();
      const file = input.files && input.files[0];
      if (!file) {
        status.append(errorBox({ code: 'ev_nofile', message: '' }));
        return;
      }
      if (file.size > MAX_BYTES) {
        status.append(errorBox({ code: 'ev_toobig', message: file.name }));
        return;
      }
      bar.hidden = false;
      bar.value = 0;
      const line = h('p', { role: 'status' }, t('ev.uploading', { name: file.name, share: pct(0) }));
      status.append(line);
      try {
        const doc = await uploadFile(assessmentId, qid, file, (got, total, resumed) => {
          bar.value = total ? got / total : 1;
          line.textContent = t(resumed ? 'ev.resuming' : 'ev.uploading', { name: file.name, share: pct(total ? got / total : 1) });
        });
        docs.push(doc);
        input.value = '';
        draw();
        status.replaceChildren(success(t('ev.attached', { name: doc.filename })));
        onChange();
      } catch (err) {
        status.replaceChildren(errorBox(err));
      } finally {
        bar.hidden = true;
      }
    }, null, 'ev-upload'), bar);
  }
  parts.push(status);
  return h('fieldset', { class: 'ev ev-files' }, parts);
}
