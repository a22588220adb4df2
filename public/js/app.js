// Progressive enhancement only: every page works without this file.
const PERSIAN = '۰۱۲۳۴۵۶۷۸۹';
const toPersian = (s) => s.replace(/[0-9]/g, (d) => PERSIAN[d]);
const toAscii = (s) => s.replace(/[۰-۹]/g, (d) => String(PERSIAN.indexOf(d))).replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660));
const JALALI = /^\d{4}\/\d{2}\/\d{2}$/;

/** Today's Jalali date in Tehran, as the picker takes it ({ year, month, day }), or undefined where the browser cannot tell. */
function tehranToday() {
  try {
    const parts = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', { timeZone: 'Asia/Tehran', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(new Date());
    const part = (type) => Number(parts.find((p) => p.type === type)?.value);
    const today = { year: part('year'), month: part('month'), day: part('day') };
    return today.year > 1300 && today.month >= 1 && today.day >= 1 ? today : undefined;
  } catch {
    return undefined;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  // Jalali date picker on every date field. Fields show Persian digits (the server reads any digits);
  // the picker reads only ASCII ones, so a field holds ASCII digits only while its picker is open.
  if (window.jalaliDatepicker) {
    // «Today» is Tehran's, as every date of the app is: the picker's own is the device's, which on a
    // device set to another zone is a day off for part of every day.
    window.jalaliDatepicker.startWatch({ persianDigits: true, autoReadOnlyInput: false, hasSecond: false, today: tehranToday() });
    const fields = () => document.querySelectorAll('input[data-jdp]');
    for (const input of fields()) input.value = toPersian(input.value);
    // Before the picker opens (capture phase, ahead of its own listener): ASCII digits for it to read;
    // an empty «to» date (data-jdp-from names the «from» field) opens on the month chosen there.
    const beforeOpen = (event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.matches('input[data-jdp]')) return;
      input.value = toAscii(input.value);
      const from = input.dataset.jdpFrom && document.getElementById(input.dataset.jdpFrom);
      if (input.value === '' && from && JALALI.test(toAscii(from.value))) {
        input.value = toAscii(from.value);
        input.dataset.jdpPrefilled = input.value;
      }
    };
    document.addEventListener('focusin', beforeOpen, true);
    document.addEventListener('click', beforeOpen, true);
    document.addEventListener('jdp:change', (event) => {
      delete event.target.dataset.jdpPrefilled;
      event.target.value = toPersian(event.target.value);
    });
    document.addEventListener('focusout', (event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.matches('input[data-jdp]')) return;
      // A start month shown only to open the picker there is not a choice: the field stays empty.
      if (input.dataset.jdpPrefilled && input.value === input.dataset.jdpPrefilled) input.value = '';
      delete input.dataset.jdpPrefilled;
      input.value = toPersian(input.value);
    });
  }
  // A confirmation before anything destructive.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
