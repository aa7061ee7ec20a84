/** EC2 Fleets, Spot Fleet requests and Spot instance requests: what they could still launch. */
import {
  paginateDescribeFleets,
  paginateDescribeSpotFleetRequests,
  paginateDescribeSpotInstanceRequests,
  type FleetLaunchTemplateSpecification,
} from '@aws-sdk/client-ec2';

import type { FleetRecord, LaunchTemplateRef, SpotInstanceRequestRecord } from '../../domain';
import type { AwsClients } from '../clients';

// Fleets and Spot requests in these states launch nothing more; the rest are read (the usage index
// decides what counts). EC2 lists instant fleets only when asked for by id: they launch once anyway.
const FLEETS_PAGE = 1000;
const SPOT_FLEET_REQUESTS_PAGE = 1000;
const SPOT_INSTANCE_REQUESTS_PAGE = 1000;

function toFleetTemplateRef(s: FleetLaunchTemplateSpecification | undefined): LaunchTemplateRef {
  // A fleet must name a version; one that does not is read as $Default, as Auto Scaling does.
  const ref: LaunchTemplateRef = { version: s?.Version ?? '$Default' };
  if (s?.LaunchTemplateId) ref.templateId = s.LaunchTemplateId;
  if (s?.LaunchTemplateName) ref.templateName = s.LaunchTemplateName;
  return ref;
}

/** EC2 Fleets (DescribeFleets): their launch template configs and the AMIs overrides name. */
export async function readFleets(clients: AwsClients): Promise<FleetRecord[]> {
  const out: FleetRecord[] = [];
  const pages = paginateDescribeFleets({ client: clients.ec2 }, { MaxResults: FLEETS_PAGE });
  for await (const page of pages) {
    for (const f of page.Fleets ?? []) {
      out.push({
        id: f.FleetId ?? '(fleet without an id)',
        kind: 'fleet',
        type: f.Type ?? 'maintain',
        state: f.FleetState ?? 'unknown',
        launchTemplateConfigs: (f.LaunchTemplateConfigs ?? []).map((c) => ({
          template: toFleetTemplateRef(c.LaunchTemplateSpecification),
          overrideImageIds: (c.Overrides ?? []).flatMap((o) => (o.ImageId ? [o.ImageId] : [])),
        })),
        launchSpecificationImageIds: [],
      });
    }
  }
  return out;
}

/**
 * Spot Fleet requests (DescribeSpotFleetRequests): launch specifications name their AMI; launch
 * template configs name a template version (Spot Fleet overrides carry no ImageId).
 */
export async function readSpotFleetRequests(clients: AwsClients): Promise<FleetRecord[]> {
  const out: FleetRecord[] = [];
  const pages = paginateDescribeSpotFleetRequests(
    { client: clients.ec2 },
    { MaxResults: SPOT_FLEET_REQUESTS_PAGE },
  );
  for await (const page of pages) {
    for (const r of page.SpotFleetRequestConfigs ?? []) {
      const config = r.SpotFleetRequestConfig;
      out.push({
        id: r.SpotFleetRequestId ?? '(Spot Fleet request without an id)',
        kind: 'spot-fleet',
        type: config?.Type ?? 'maintain',
        state: r.SpotFleetRequestState ?? 'unknown',
        launchTemplateConfigs: (config?.LaunchTemplateConfigs ?? []).map((c) => ({
          template: toFleetTemplateRef(c.LaunchTemplateSpecification),
          overrideImageIds: [],
        })),
        // An empty id is kept: the usage index reports it as unresolved rather than dropping it.
        launchSpecificationImageIds: (config?.LaunchSpecifications ?? []).map((l) => l.ImageId ?? ''),
      });
    }
  }
  return out;
}

/** Spot instance requests that can still launch (open, active, disabled), by a state filter. */
export async function readSpotInstanceRequests(clients: AwsClients): Promise<SpotInstanceRequestRecord[]> {
  const out: SpotInstanceRequestRecord[] = [];
  const pages = paginateDescribeSpotInstanceRequests(
    { client: clients.ec2 },
    {
      Filters: [{ Name: 'state', Values: ['open', 'active', 'disabled'] }],
      MaxResults: SPOT_INSTANCE_REQUESTS_PAGE,
    },
  );
  for await (const page of pages) {
    for (const r of page.SpotInstanceRequests ?? []) {
      out.push({
        id: r.SpotInstanceRequestId ?? '(Spot instance request without an id)',
        state: r.State ?? 'unknown',
        type: r.Type ?? 'one-time',
        imageId: r.LaunchSpecification?.ImageId ?? '',
      });
    }
  }
  return out;
}
