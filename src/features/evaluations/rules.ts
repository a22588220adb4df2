import { tehranInstant } from '../../lib/jalali';
import { normalizeText } from '../../lib/persian';

/**
 * The rules of the evaluation survey (ارزشیابی دوره), in one place: when it opens, who answers it,
 * and how many answers a result needs before it is shown.
 */

/** Results (means, distributions, comments, topics, exports) show only from this many answers, so one answer cannot be traced. */
export const MIN_ANSWERS_SHOWN = 3;

/** The 1–5 scale, as the form and the results name it. */
export const SCALE_LABELS: Record<number, string> = { 1: 'خیلی ضعیف', 2: 'ضعیف', 3: 'متوسط', 4: 'خوب', 5: 'عالی' };
export const SCORES = [1, 2, 3, 4, 5] as const;

/** The evaluation opens when the course's last session starts (Tehran time); a draft or cancelled course has none. */
export function evaluationOpensAt(course: { status: string }, lastSession: { date: string; startTime: string } | null): Date | null {
  if (!lastSession || course.status === 'draft' || course.status === 'cancelled') return null;
  return tehranInstant(lastSession.date, lastSession.startTime);
}

export function isEvaluationOpen(opensAt: Date | null, now: Date = new Date()): boolean {
  return opensAt !== null && now.getTime() >= opensAt.getTime();
}

/** Who answers: a liaison enrolled in the course and approved. */
export function mayAnswer(role: string, enrollmentStatus: string | null): boolean {
  return role === 'liaison' && enrollmentStatus === 'approved';
}

/** The topics a liaison asked for, one per line, comma or «،»/«؛», as they are counted. */
export function splitTopics(text: string | null): string[] {
  if (!text) return [];
  return text
    .split(/[\n\r,،;؛]+/)
    .map((t) =>
      normalizeText(t)
        .replace(/^[\s\-–•*.]+|[\s.!؟?]+$/g, '')
        .trim(),
    )
    .filter((t) => t.length > 1)
    .map((t) => t.slice(0, 120));
}
