import type { Column, Table } from '../../lib/export';
import { comparePersian, formatNumber } from '../../lib/persian';
import type { EvaluationTemplate } from '../../services/settings';
import type { CourseAnswers } from './queries';
import { MIN_ANSWERS_SHOWN, SCALE_LABELS, SCORES, splitTopics } from './rules';

/** Colours of the scores 1..5 in the chart, from red to green (Bootstrap's palette). */
export const SCORE_COLOURS = ['#dc3545', '#fd7e14', '#ffc107', '#20c997', '#198754'];

export interface ItemResult {
  key: string;
  label: string;
  answers: number;
  mean: number | null;
  counts: number[];
}

/** The topics wanted next, counted: the same phrase (as normalised) from several people is one row. */
export function countTopics(texts: (string | null)[]): { topic: string; count: number }[] {
  const counts = new Map<string, { topic: string; count: number }>();
  for (const text of texts) {
    for (const topic of new Set(splitTopics(text))) {
      const key = topic.toLowerCase();
      const seen = counts.get(key);
      if (seen) seen.count += 1;
      else counts.set(key, { topic, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || comparePersian(a.topic, b.topic));
}

export function meanOf(counts: number[]): number | null {
  const n = counts.reduce((s, c) => s + c, 0);
  if (!n) return null;
  return Math.round((counts.reduce((s, c, i) => s + c * (i + 1), 0) / n) * 100) / 100;
}

/**
 * The chart of the results page: for each question a bar split by score (1 at the right, as Persian
 * reads), each part as wide as its share of the answers. Geometry only; the view draws it as SVG.
 */
export function distributionChart(items: ItemResult[]) {
  const width = 720;
  const labelWidth = 220;
  const barWidth = width - labelWidth - 70;
  const rowHeight = 40;
  const top = 40;
  const rows = items.map((item, i) => {
    const total = item.counts.reduce((s, c) => s + c, 0) || 1;
    let right = barWidth;
    const segments = item.counts.map((count, s) => {
      const w = (count / total) * barWidth;
      right -= w;
      return {
        x: Math.round((right + 0) * 10) / 10,
        width: Math.round(w * 10) / 10,
        fill: SCORE_COLOURS[s],
        count,
        label: `${SCALE_LABELS[s + 1]}: ${formatNumber(count)}`,
        showCount: w >= 22,
      };
    });
    return { y: top + i * rowHeight, label: item.label, mean: item.mean, segments };
  });
  const legend = SCORES.map((s, i) => ({
    x: width - 20 - i * 110,
    fill: SCORE_COLOURS[i],
    label: `${formatNumber(s)} · ${SCALE_LABELS[s]}`,
  }));
  return { width, height: top + items.length * rowHeight + 10, labelX: width - 8, barWidth, rowHeight, rows, legend };
}

/** A course's results page: shown in full only from MIN_ANSWERS_SHOWN answers. */
export function presentResults(questions: EvaluationTemplate, data: CourseAnswers) {
  const shown = data.answers >= MIN_ANSWERS_SHOWN;
  const items: ItemResult[] = questions.items.map((q) => {
    const counts = data.distribution.get(q.key) ?? [0, 0, 0, 0, 0];
    return { key: q.key, label: q.label, answers: counts.reduce((s, c) => s + c, 0), mean: meanOf(counts), counts };
  });
  const eligible = Math.max(data.approved, data.respondents);
  return {
    shown,
    minAnswers: MIN_ANSWERS_SHOWN,
    answers: data.answers,
    eligible,
    responseRate: eligible ? Math.round((data.respondents / eligible) * 1000) / 10 : null,
    items: shown ? items : [],
    chart: shown ? distributionChart(items) : null,
    comments: shown
      ? data.texts
          .map((t) => t.comment)
          .filter((c): c is string => !!c)
          .sort(comparePersian)
      : [],
    topics: shown ? countTopics(data.texts.map((t) => t.topics)) : [],
    scaleLabels: SCALE_LABELS,
    commentPrompt: questions.commentPrompt,
    topicsPrompt: questions.topicsPrompt,
  };
}

type AnswerRow = CourseAnswers['rows'][number];

/** The export of one course's answers: one row per answer, in random order, naming no one. */
export function answersTable(course: { code: string; title: string }, questions: EvaluationTemplate, rows: AnswerRow[]): Table<AnswerRow> {
  const columns: Column<AnswerRow>[] = [
    ...questions.items.map((q) => ({ header: q.label, value: (r: AnswerRow) => r.scores[q.key] ?? null, width: 14 })),
    { header: questions.commentPrompt || 'نظر', value: (r) => r.comment, width: 50 },
    { header: questions.topicsPrompt || 'موضوعات پیشنهادی', value: (r) => r.topics, width: 40 },
  ];
  return {
    fileName: `rabet-evaluation-${course.code.replace(/[^A-Za-z0-9-]/g, '-')}`,
    sheetName: 'ارزشیابی دوره',
    caption: `ارزشیابی دورهٔ ${course.title}`,
    columns,
    rows,
  };
}
