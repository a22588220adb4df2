// Attendance sheet and check-in screen, progressive enhancement only: without this file the sheet is
// a plain form that posts, and the check-in page shows the code it was rendered with.
(() => {
  const token = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

  async function postJson(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'x-csrf-token': token() },
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await res.json();
    } catch {
      data = {};
    }
    if (!res.ok || !data.ok) throw new Error(data.error || 'ذخیره نشد. اتصال را بررسی کنید و دوباره تلاش کنید.');
    return data;
  }

  function setUpSheet(form) {
    const url = form.dataset.marksUrl;
    const status = document.getElementById('sheet-status');
    const source = form.querySelector('input[name="source"]')?.value;
    const say = (text, ok) => {
      if (!status) return;
      status.textContent = text;
      status.className = `small ms-auto ${ok ? 'text-success' : 'text-danger'}`;
    };
    const idOf = (name) => /^(?:mark|note)\[(\d+)\]$/.exec(name)?.[1];
    const savedCell = (id) => form.querySelector(`[data-saved-for="${id}"]`);
    // What the server holds for each row: a save that fails puts the row back to it, so the sheet
    // never shows a mark that was not stored.
    const stored = new Map();
    for (const radio of form.querySelectorAll('input[type="radio"]:checked')) stored.set(idOf(radio.name), radio.value);
    const showStored = (id) => {
      const radio = form.querySelector(`input[name="mark[${id}]"][value="${stored.get(id) ?? 'none'}"]`);
      if (radio) radio.checked = true;
    };
    let pending = Promise.resolve();
    // Saves run one after another, in the order the user tapped.
    const save = (body, ids) => {
      pending = pending
        .then(async () => {
          for (const id of ids) savedCell(id)?.replaceChildren('…');
          const data = await postJson(url, source ? { ...body, source } : body);
          for (const [id, status] of Object.entries(data.marks ?? {})) stored.set(id, status ?? 'none');
          for (const id of ids) savedCell(id)?.replaceChildren('ذخیره شد ✓');
          say('ذخیره شد', true);
        })
        .catch((err) => {
          for (const id of ids) {
            showStored(id);
            savedCell(id)?.replaceChildren('ذخیره نشد');
          }
          say(err.message, false);
        });
      return pending;
    };

    form.addEventListener('change', (event) => {
      const input = event.target;
      const id = idOf(input.name || '');
      if (!id) return;
      if (input.type === 'radio') {
        // «ثبت‌نشده» (none) is sent too: it clears the stored mark, so the sheet shows what is saved.
        save({ mark: { [id]: input.value } }, [id]);
      } else {
        const checked = form.querySelector(`input[name="mark[${id}]"]:checked`);
        if (!checked || checked.value === 'none') return; // a note is kept with a mark; it goes with the next tap or the form
        save({ mark: { [id]: checked.value }, note: { [id]: input.value } }, [id]);
      }
    });

    document.getElementById('mark-all-present')?.addEventListener('click', (event) => {
      event.preventDefault();
      const ids = [];
      for (const radio of form.querySelectorAll('input[type="radio"][value="present"]')) {
        radio.checked = true;
        ids.push(idOf(radio.name));
      }
      save({ allPresent: true }, ids);
    });
  }

  function setUpCheckIn(box) {
    const code = document.getElementById('check-in-code');
    const qr = document.getElementById('check-in-qr');
    const link = document.getElementById('check-in-url');
    const seconds = document.getElementById('check-in-seconds');
    const fa = (n) => String(n).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]);
    let expiresAt = Date.now() + Number(box.dataset.expiresIn || 0);
    async function refresh() {
      try {
        const res = await fetch(box.dataset.codeUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!res.ok) throw new Error(String(res.status));
        const data = await res.json();
        code.textContent = data.codeFa;
        qr.src = data.qr;
        link.href = data.url;
        link.textContent = data.url;
        expiresAt = Date.now() + data.expiresInMs;
      } catch {
        expiresAt = Date.now() + 5000; // try again shortly
      }
    }
    setInterval(() => {
      const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
      if (seconds) seconds.textContent = fa(left);
      if (left <= 0) {
        expiresAt = Date.now() + 60_000; // one refresh at a time
        refresh();
      }
    }, 1000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const sheet = document.getElementById('attendance-sheet');
    if (sheet?.dataset.marksUrl) setUpSheet(sheet);
    const checkIn = document.getElementById('check-in');
    if (checkIn?.dataset.codeUrl) setUpCheckIn(checkIn);
    for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print());
  });
})();
