// Copies the front-end files the app serves (Bootstrap RTL, Vazirmatn, the Jalali date picker, Chart.js)
// from node_modules into public/vendor: nothing is loaded from a CDN.
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const vendor = path.join(root, 'public', 'vendor');
const pkg = (name) => path.join(root, 'node_modules', name);

const files = [
  [path.join(pkg('bootstrap'), 'dist/css/bootstrap.rtl.min.css'), 'bootstrap/bootstrap.rtl.min.css'],
  [path.join(pkg('bootstrap'), 'dist/js/bootstrap.bundle.min.js'), 'bootstrap/bootstrap.bundle.min.js'],
  [path.join(pkg('vazirmatn'), 'fonts/webfonts/Vazirmatn-Regular.woff2'), 'fonts/Vazirmatn-Regular.woff2'],
  [path.join(pkg('vazirmatn'), 'fonts/webfonts/Vazirmatn-Bold.woff2'), 'fonts/Vazirmatn-Bold.woff2'],
  [path.join(pkg('@majidh1/jalalidatepicker'), 'dist/jalalidatepicker.min.js'), 'jalalidatepicker/jalalidatepicker.min.js'],
  [path.join(pkg('@majidh1/jalalidatepicker'), 'dist/jalalidatepicker.min.css'), 'jalalidatepicker/jalalidatepicker.min.css'],
  [path.join(pkg('chart.js'), 'dist/chart.umd.min.js'), 'chartjs/chart.umd.min.js'],
];
for (const [from, to] of files) {
  const target = path.join(vendor, to);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(from, target);
}
console.log(`copied ${files.length} front-end files into public/vendor`);
