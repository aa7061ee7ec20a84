/**
 * The sandbox's own HTTP control API under /_sandbox, for driving a standalone sandbox
 * (`sandbox/main.ts`) from a shell or another process. Tests and the demo use the programmatic
 * API (Sandbox.state / faults / requests) instead.
 *
 *   GET    /_sandbox/health                 account id and regions
 *   GET    /_sandbox/state?region=R         every record of region R, and the events received
 *   POST   /_sandbox/seed                   {region, images?, snapshots?, instances?, launchTemplates?,
 *                                            launchConfigurations?, autoScalingGroups?, fleets?,
 *                                            spotFleetRequests?, spotInstanceRequests?} -> created ids
 *   GET    /_sandbox/requests               {counts, entries}; DELETE resets the log
 *   POST   /_sandbox/faults                 a FaultSpec -> {id}; DELETE clears faults and throttles
 *   POST   /_sandbox/throttles              a ThrottleSpec
 */
import type { Faults, FaultSpec, ThrottleSpec } from './faults';
import type { HttpReply } from './protocol/http';
import type { RequestLog } from './requests';
import type { SandboxState } from './state/account';
import type {
  AutoScalingGroupSeed,
  FleetSeed,
  ImageSeed,
  InstanceSeed,
  LaunchConfigurationSeed,
  LaunchTemplateSeed,
  SnapshotSeed,
  SpotFleetRequestSeed,
  SpotInstanceRequestSeed,
} from './state/region';

export const CONTROL_PREFIX = '/_sandbox';

interface SeedRequest {
  region?: string;
  snapshots?: SnapshotSeed[];
  images?: ImageSeed[];
  instances?: InstanceSeed[];
  launchTemplates?: LaunchTemplateSeed[];
  launchConfigurations?: LaunchConfigurationSeed[];
  autoScalingGroups?: AutoScalingGroupSeed[];
  fleets?: FleetSeed[];
  spotFleetRequests?: SpotFleetRequestSeed[];
  spotInstanceRequests?: SpotInstanceRequestSeed[];
}

function json(status: number, body: unknown): HttpReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body, null, 2) };
}

function parse<T>(body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new Error(`The body must be JSON, got: ${body.slice(0, 80)}`);
  }
}

export function handleControl(
  method: string,
  url: URL,
  body: string,
  deps: { state: SandboxState; faults: Faults; requests: RequestLog },
): HttpReply {
  const { state, faults, requests } = deps;
  const route = `${method} ${url.pathname.slice(CONTROL_PREFIX.length)}`;
  try {
    switch (route) {
      case 'GET /health':
        return json(200, { ok: true, accountId: state.accountId, regions: state.regions() });
      case 'GET /state': {
        const name = url.searchParams.get('region');
        if (!name) return json(400, { error: 'Give ?region=<name>, e.g. ?region=eu-west-1' });
        const region = state.region(name);
        return json(200, {
          region: name,
          images: region.images(),
          snapshots: region.snapshots(),
          instances: region.instances(),
          launchTemplates: region.launchTemplates(),
          launchConfigurations: region.launchConfigurations(),
          autoScalingGroups: region.autoScalingGroups(),
          fleets: region.fleets(),
          spotFleetRequests: region.spotFleetRequests(),
          spotInstanceRequests: region.spotInstanceRequests(),
          events: state.events.filter((e) => e.region === name),
        });
      }
      case 'POST /seed': {
        const seed = parse<SeedRequest>(body);
        const region = state.region(seed.region ?? 'eu-west-1');
        return json(200, {
          snapshots: (seed.snapshots ?? []).map((s) => region.addSnapshot(s).id),
          images: (seed.images ?? []).map((s) => region.addImage(s).id),
          instances: (seed.instances ?? []).map((s) => region.addInstance(s).id),
          launchTemplates: (seed.launchTemplates ?? []).map((s) => region.addLaunchTemplate(s).id),
          launchConfigurations: (seed.launchConfigurations ?? []).map(
            (s) => region.addLaunchConfiguration(s).name,
          ),
          autoScalingGroups: (seed.autoScalingGroups ?? []).map((s) => region.addAutoScalingGroup(s).name),
          fleets: (seed.fleets ?? []).map((s) => region.addFleet(s).id),
          spotFleetRequests: (seed.spotFleetRequests ?? []).map((s) => region.addSpotFleetRequest(s).id),
          spotInstanceRequests: (seed.spotInstanceRequests ?? []).map(
            (s) => region.addSpotInstanceRequest(s).id,
          ),
        });
      }
      case 'GET /requests':
        return json(200, { counts: requests.counts(), entries: requests.all() });
      case 'DELETE /requests':
        requests.reset();
        return json(200, { ok: true });
      case 'POST /faults':
        return json(200, { id: faults.add(parse<FaultSpec>(body)).id });
      case 'DELETE /faults':
        faults.clear();
        return json(200, { ok: true });
      case 'POST /throttles':
        faults.throttle(parse<ThrottleSpec>(body));
        return json(200, { ok: true });
      default:
        return json(404, { error: `No control route ${route}; see sandbox/control.ts for the list` });
    }
  } catch (error) {
    // Seeding and fault specs come from a person at a shell: say what was wrong, don't crash.
    return json(400, { error: error instanceof Error ? error.message : String(error) });
  }
}
