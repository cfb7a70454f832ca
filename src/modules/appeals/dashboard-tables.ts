// Kysely types of migration 014 (the period dashboard's per-day summary); merged into Database
// through tables.ts. The migration is the truth; dashboard-summary.ts writes and reads them.
import type { Generated } from 'kysely';

export interface AppealDashStateTable { community_id: string; time_zone: string; sealed_until: Date; built_at: Generated<Date> }
export interface AppealDashDaysTable { community_id: string; day: string; valid_after: Generated<Date>; valid_until: Generated<Date> }
export interface AppealDashFiguresTable {
  community_id: string; span: 'd' | 'm'; start: string; dim: string; key: string;
  n: number; resolved: Generated<number>; fast: Generated<number>; missed: Generated<number>; reopened: Generated<number>; open: Generated<number>;
}
export interface AppealDashPairsTable { community_id: string; id: Generated<number>; address: string; category_id: string }
export interface AppealDashRepeatsTable { community_id: string; span: 'd' | 'm'; start: string; pairs: number[]; counts: number[] }
export interface AppealDashDirtyTable { id: Generated<string>; community_id: string; at: Date }

export interface AppealsDashboardTables {
  appeal_dash_state: AppealDashStateTable;
  appeal_dash_days: AppealDashDaysTable;
  appeal_dash_figures: AppealDashFiguresTable;
  appeal_dash_pairs: AppealDashPairsTable;
  appeal_dash_repeats: AppealDashRepeatsTable;
  appeal_dash_dirty: AppealDashDirtyTable;
}
