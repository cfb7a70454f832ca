// Kysely types of migration 015 (appeals linked to a known outage); merged into Database
// through tables.ts. The migration is the truth.
import type { Created } from '../../db/types.ts';

/** An appeal filed at an address an active outage of its category's kind covered. */
export interface AppealOutageLinksTable {
  community_id: string;
  appeal_id: string;
  outage_id: string;
  linked_at: Created;
}

export interface AppealsOutageTables {
  appeal_outage_links: AppealOutageLinksTable;
}
