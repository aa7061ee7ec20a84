/**
 * Fleets and Spot requests: DescribeFleets, DescribeSpotFleetRequests, DescribeSpotInstanceRequests,
 * read only (they are seeded through RegionState). Shapes and pagination as EC2 answers them:
 * `fleetSet`, `spotFleetRequestConfigSet`, `spotInstanceRequestSet`, MaxResults/NextToken.
 */
import { SandboxError } from '../../protocol/errors';
import { optionalInt } from '../../protocol/form';
import { checkRange, pageOfArray } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type {
  FleetRecord,
  LaunchTemplateSpec,
  SpotFleetRequestRecord,
  SpotInstanceRequestRecord,
} from '../../state/records';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, tagSet } from './common';

function templateSpecXml(spec: LaunchTemplateSpec): XmlObject {
  return {
    launchTemplateId: spec.launchTemplateId,
    launchTemplateName: spec.launchTemplateName,
    version: spec.version,
  };
}

/** Filter values spell states with hyphens (deleted-running), the answer with underscores. */
const FLEET_FIELDS: FieldReaders<FleetRecord> = {
  'fleet-state': (f) => f.state.replace(/_/g, '-'),
  type: (f) => f.type,
};

function renderFleet(fleet: FleetRecord): XmlObject {
  return {
    fleetId: fleet.id,
    fleetState: fleet.state,
    type: fleet.type,
    createTime: fleet.createTime,
    activityStatus: fleet.state === 'active' ? 'fulfilled' : undefined,
    launchTemplateConfigs: items(
      fleet.launchTemplateConfigs.map((c) => ({
        launchTemplateSpecification: templateSpecXml(c.launchTemplateSpecification),
        overrides:
          c.overrides.length > 0
            ? items(c.overrides.map((o) => ({ instanceType: o.instanceType, imageId: o.imageId })))
            : undefined,
      })),
    ),
    targetCapacitySpecification: {
      totalTargetCapacity: fleet.totalTargetCapacity,
      defaultTargetCapacityType: 'on-demand',
    },
    tagSet: tagSet(fleet.tags),
  };
}

function lookUp<T>(ids: string[], find: (id: string) => T | undefined, code: string, what: string): T[] {
  return ids.map((id) => {
    const found = find(id);
    if (!found) throw new SandboxError(code, `The ${what} ID '${id}' does not exist`);
    return found;
  });
}

const describeFleets: QueryAction = (params, { region }) => {
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('MaxResults', maxResults, 1, 1000);
  const ids = idList(params, 'FleetId');
  const keep = compileFilters(ec2Filters(params), FLEET_FIELDS, (f) => f.tags);
  // EC2 lists an instant fleet only when it is asked for by id.
  const selected =
    ids.length > 0
      ? lookUp(ids, (id) => region.fleetTable.get(id), 'InvalidFleetId.NotFound', 'fleet')
      : region.fleets().filter((f) => f.type !== 'instant');
  const page = pageOfArray(selected.filter(keep), params.get('NextToken'), maxResults);
  return { fleetSet: items(page.items.map(renderFleet)), nextToken: page.nextToken };
};

function renderSpotFleetRequest(request: SpotFleetRequestRecord): XmlObject {
  return {
    spotFleetRequestId: request.id,
    spotFleetRequestState: request.state,
    createTime: request.createTime,
    activityStatus: request.state === 'active' ? 'fulfilled' : undefined,
    spotFleetRequestConfig: {
      iamFleetRole: request.iamFleetRole,
      targetCapacity: request.targetCapacity,
      type: request.type,
      allocationStrategy: 'priceCapacityOptimized',
      launchSpecifications:
        request.launchSpecifications.length > 0
          ? items(
              request.launchSpecifications.map((l) => ({ imageId: l.imageId, instanceType: l.instanceType })),
            )
          : undefined,
      launchTemplateConfigs:
        request.launchTemplateConfigs.length > 0
          ? items(
              request.launchTemplateConfigs.map((c) => ({
                launchTemplateSpecification: templateSpecXml(c.launchTemplateSpecification),
                overrides:
                  c.overrides.length > 0
                    ? items(c.overrides.map((o) => ({ instanceType: o.instanceType })))
                    : undefined,
              })),
            )
          : undefined,
    },
    tagSet: tagSet(request.tags),
  };
}

const describeSpotFleetRequests: QueryAction = (params, { region }) => {
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('MaxResults', maxResults, 1, 1000);
  const ids = idList(params, 'SpotFleetRequestId');
  const selected =
    ids.length > 0
      ? lookUp(
          ids,
          (id) => region.spotFleetRequestTable.get(id),
          'InvalidSpotFleetRequestId.NotFound',
          'Spot Fleet request',
        )
      : region.spotFleetRequests();
  const page = pageOfArray(selected, params.get('NextToken'), maxResults);
  return {
    spotFleetRequestConfigSet: items(page.items.map(renderSpotFleetRequest)),
    nextToken: page.nextToken,
  };
};

const SPOT_REQUEST_FIELDS: FieldReaders<SpotInstanceRequestRecord> = {
  state: (r) => r.state,
  type: (r) => r.type,
  'spot-instance-request-id': (r) => r.id,
  'launch.image-id': (r) => r.imageId,
  'launch.instance-type': (r) => r.instanceType,
  'instance-id': (r) => r.instanceId,
};

function renderSpotInstanceRequest(request: SpotInstanceRequestRecord): XmlObject {
  return {
    spotInstanceRequestId: request.id,
    state: request.state,
    type: request.type,
    createTime: request.createTime,
    instanceId: request.instanceId,
    productDescription: 'Linux/UNIX',
    launchSpecification: { imageId: request.imageId, instanceType: request.instanceType },
    status: {
      code:
        request.state === 'open'
          ? 'pending-fulfillment'
          : request.state === 'active'
            ? 'fulfilled'
            : request.state,
    },
    tagSet: tagSet(request.tags),
  };
}

const describeSpotInstanceRequests: QueryAction = (params, { region }) => {
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('MaxResults', maxResults, 5, 1000);
  const ids = idList(params, 'SpotInstanceRequestId');
  const keep = compileFilters(ec2Filters(params), SPOT_REQUEST_FIELDS, (r) => r.tags);
  const selected =
    ids.length > 0
      ? lookUp(
          ids,
          (id) => region.spotInstanceRequestTable.get(id),
          'InvalidSpotInstanceRequestID.NotFound',
          'Spot instance request',
        )
      : region.spotInstanceRequests();
  const page = pageOfArray(selected.filter(keep), params.get('NextToken'), maxResults);
  return {
    spotInstanceRequestSet: items(page.items.map(renderSpotInstanceRequest)),
    nextToken: page.nextToken,
  };
};

export const fleetActions = {
  DescribeFleets: describeFleets,
  DescribeSpotFleetRequests: describeSpotFleetRequests,
  DescribeSpotInstanceRequests: describeSpotInstanceRequests,
};
