/** Loads the sample events in test/fixtures/events (written from AWS's documented event shapes). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBridgeEvent } from '../../shared/notify';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'events');

export function fixture(name: string): EventBridgeEvent {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')) as EventBridgeEvent;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}
