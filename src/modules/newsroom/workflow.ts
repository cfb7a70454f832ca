import type { VersionStatus } from './tables.ts';

/**
 * The editorial workflow of one language version. Authors (`news.write`) write and send for
 * review; editors (`news.publish`) review, approve, schedule, publish, correct, unpublish and
 * archive. An urgent material may be published by an editor straight from a draft or review.
 * "Updated" is a published version with a correction note (corrected_at), not a status of its own.
 */
export const ACTIONS = ['submit', 'return', 'approve', 'schedule', 'unschedule', 'publish', 'unpublish', 'archive'] as const;
export type Action = (typeof ACTIONS)[number];

type Rule = { from: readonly VersionStatus[]; to: VersionStatus; editorOnly: boolean };

export const RULES: Record<Action, Rule> = {
  submit: { from: ['draft', 'unpublished'], to: 'in_review', editorOnly: false },
  return: { from: ['in_review', 'approved', 'scheduled'], to: 'draft', editorOnly: true },
  approve: { from: ['in_review'], to: 'approved', editorOnly: true },
  schedule: { from: ['approved', 'scheduled'], to: 'scheduled', editorOnly: true },
  unschedule: { from: ['scheduled'], to: 'approved', editorOnly: true },
  publish: { from: ['approved', 'scheduled', 'unpublished'], to: 'published', editorOnly: true },
  unpublish: { from: ['published'], to: 'unpublished', editorOnly: true },
  archive: { from: ['draft', 'in_review', 'approved', 'scheduled', 'published', 'unpublished'], to: 'archived', editorOnly: true },
};

/** Statuses from which an urgent material goes out at once, skipping review. */
const URGENT_FROM: readonly VersionStatus[] = ['draft', 'in_review'];

export type Who = { permissions: ReadonlySet<string> };
export const isEditor = (w: Who) => w.permissions.has('news.publish');
export const isWriter = (w: Who) => w.permissions.has('news.write') || isEditor(w);

/** Whether `who` may take `action` on a version in `status` (of an urgent material or not). */
export function canAct(who: Who, action: Action, status: VersionStatus, urgent: boolean): boolean {
  const rule = RULES[action];
  if (rule.editorOnly ? !isEditor(who) : !isWriter(who)) return false;
  if (rule.from.includes(status)) return true;
  return action === 'publish' && urgent && URGENT_FROM.includes(status);
}

/** The actions offered to `who` right now: the console shows exactly these buttons. */
export const availableActions = (who: Who, status: VersionStatus, urgent: boolean): Action[] =>
  ACTIONS.filter((a) => canAct(who, a, status, urgent));

/** Content may be saved in these statuses: authors only while drafting, editors until published.
 * A published version changes only through a correction (editors, with a visible note). */
export function canEdit(who: Who, status: VersionStatus): boolean {
  if (isEditor(who)) return ['draft', 'in_review', 'approved', 'scheduled', 'unpublished'].includes(status);
  return isWriter(who) && (status === 'draft' || status === 'unpublished');
}

export const canCorrect = (who: Who, status: VersionStatus) => isEditor(who) && status === 'published';
