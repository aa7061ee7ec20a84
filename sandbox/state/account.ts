/**
 * The whole sandbox account: one RegionState per region (created on first use), the events
 * EventBridge received (all regions, each record keeps its region), and the account id STS reports.
 */
import { IdGenerator } from './ids';
import type { EventRecord } from './records';
import { RegionState } from './region';

export const DEFAULT_ACCOUNT_ID = '123456789012';

export class SandboxState {
  readonly ids = new IdGenerator();
  readonly events: EventRecord[] = [];
  private readonly byRegion = new Map<string, RegionState>();

  constructor(readonly accountId: string = DEFAULT_ACCOUNT_ID) {}

  region(name: string): RegionState {
    let state = this.byRegion.get(name);
    if (!state) this.byRegion.set(name, (state = new RegionState(name, this.accountId, this.ids)));
    return state;
  }

  regions(): string[] {
    return [...this.byRegion.keys()];
  }

  eventsFrom(source: string): EventRecord[] {
    return this.events.filter((e) => e.source === source);
  }
}
