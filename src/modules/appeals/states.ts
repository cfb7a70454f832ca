import type { AppealStatus } from '../../db/types.ts';

/**
 * The one state machine of an appeal (see README.md):
 *
 *   registered ──accept──▶ in_progress ──report──▶ reported ──rate 3–5 / no answer──▶ resolved
 *       ▲                      ▲    │                  │
 *       │                      │    └──────────────────┤ rate 1–2 ──▶ reopened ──accept──▶ in_progress
 *       └──── reassign ────────┴──── return (controller) ◀┘
 *   any open state ──close (controller: duplicate, merged, consultation answered)──▶ closed
 */
export const TRANSITIONS = {
  accept: { from: ['registered', 'reopened'], to: 'in_progress' },
  report: { from: ['in_progress'], to: 'reported' },
  return: { from: ['reported'], to: 'in_progress' },
  reassign: { from: ['registered', 'in_progress', 'reopened', 'reported'], to: 'registered' },
  rate_good: { from: ['reported'], to: 'resolved' },
  rate_bad: { from: ['reported'], to: 'reopened' },
  expire_rating: { from: ['reported'], to: 'resolved' },
  close: { from: ['registered', 'in_progress', 'reported', 'reopened'], to: 'closed' },
} as const satisfies Record<string, { from: readonly AppealStatus[]; to: AppealStatus }>;

export type Transition = keyof typeof TRANSITIONS;

export const OPEN_STATUSES: readonly AppealStatus[] = ['registered', 'in_progress', 'reported', 'reopened'];

export function canTransition(from: AppealStatus, t: Transition): boolean {
  return (TRANSITIONS[t].from as readonly AppealStatus[]).includes(from);
}
