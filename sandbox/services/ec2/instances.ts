/**
 * EC2 instances: DescribeInstances (reservations, with HibernationOptions and the StateReason of a
 * stop), RunInstances (from an AMI id only: enough to show that a disabled or deregistered AMI cannot
 * launch), StopInstances (Hibernate=true only on an instance launched with hibernation configured,
 * else UnsupportedHibernationConfiguration, as EC2), StartInstances. A transition
 * completes at once in the stored state (stopping -> stopped, pending -> running) while the answer
 * reports the intermediate state, as EC2 does.
 */
import { SandboxError } from '../../protocol/errors';
import { optionalBool, optionalInt, requiredParam } from '../../protocol/form';
import { checkRange } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import { INSTANCE_STATE_CODES, type InstanceRecord, type InstanceStateName } from '../../state/records';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, refuseMaxResultsWithIds, requireAll, tagSet } from './common';

const INSTANCE_FIELDS: FieldReaders<InstanceRecord> = {
  'instance-id': (i) => i.id,
  'image-id': (i) => i.imageId,
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => String(INSTANCE_STATE_CODES[i.state]),
  'instance-type': (i) => i.instanceType,
  'instance-lifecycle': (i) => i.lifecycle,
  'reservation-id': (i) => i.reservationId,
  'root-device-type': (i) => i.rootDeviceType,
  'availability-zone': (i) => i.availabilityZone,
};

function stateXml(state: InstanceStateName): XmlObject {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

function renderInstance(instance: InstanceRecord): XmlObject {
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: '',
    dnsName: '',
    amiLaunchIndex: 0,
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: instance.availabilityZone, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    architecture: 'x86_64',
    rootDeviceType: instance.rootDeviceType,
    rootDeviceName: '/dev/xvda',
    instanceLifecycle: instance.lifecycle,
    maintenanceOptions: { autoRecovery: instance.autoRecovery, rebootMigration: 'default' },
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    hibernationOptions: { configured: instance.hibernationConfigured },
    stateReason: instance.stateReason,
    tagSet: tagSet(instance.tags),
  };
}

const describeInstances: QueryAction = (params, { region, state }) => {
  const instanceIds = idList(params, 'InstanceId');
  const maxResults = optionalInt(params, 'MaxResults');
  refuseMaxResultsWithIds(instanceIds, maxResults, 'instancesSet');
  checkRange('maxResults', maxResults, 5, 1000);
  const keep = compileFilters(ec2Filters(params), INSTANCE_FIELDS, (i) => i.tags);
  const page =
    instanceIds.length > 0
      ? { items: requireAll(instanceIds, (id) => region.getInstance(id)).filter(keep), nextToken: undefined }
      : region.instanceTable.page(params.get('NextToken'), maxResults, keep);
  const reservations = new Map<string, InstanceRecord[]>();
  for (const instance of page.items) {
    const group = reservations.get(instance.reservationId);
    if (group) group.push(instance);
    else reservations.set(instance.reservationId, [instance]);
  }
  return {
    reservationSet: items(
      [...reservations].map(([reservationId, instances]) => ({
        reservationId,
        ownerId: state.accountId,
        groupSet: items([]),
        instancesSet: items(instances.map(renderInstance)),
      })),
    ),
    nextToken: page.nextToken,
  };
};

function requireInstanceIds(params: Map<string, string>): string[] {
  const ids = idList(params, 'InstanceId');
  if (ids.length === 0)
    throw new SandboxError('MissingParameter', 'The request must contain the parameter InstanceId');
  return ids;
}

const stopInstances: QueryAction = (params, { region }) => {
  const instances = requireAll(requireInstanceIds(params), (id) => region.getInstance(id));
  const hibernate = optionalBool(params, 'Hibernate') === true;
  // All-or-nothing, like EC2: check every instance before changing any.
  for (const instance of instances) {
    if (instance.rootDeviceType !== 'ebs') {
      throw new SandboxError(
        'UnsupportedOperation',
        `The instance '${instance.id}' does not have an 'ebs' root device type and cannot be stopped.`,
      );
    }
    if (instance.lifecycle === 'spot') {
      throw new SandboxError(
        'UnsupportedOperation',
        `The instance '${instance.id}' is a spot instance and cannot be stopped.`,
      );
    }
    if (instance.state === 'terminated' || instance.state === 'shutting-down') {
      throw new SandboxError(
        'IncorrectInstanceState',
        `The instance '${instance.id}' is not in a state from which it can be stopped.`,
      );
    }
    if (hibernate && !instance.hibernationConfigured) {
      throw new SandboxError(
        'UnsupportedHibernationConfiguration',
        `The instance ${instance.id} does not have hibernation enabled: ${instance.id}`,
      );
    }
  }
  const changes = instances.map((instance) => {
    const previous = instance.state;
    const current: InstanceStateName = previous === 'stopped' ? 'stopped' : 'stopping';
    if (previous !== 'stopped') {
      instance.stateReason = hibernate
        ? {
            code: 'Client.UserInitiatedHibernate',
            message: 'Client.UserInitiatedHibernate: User initiated hibernate',
          }
        : {
            code: 'Client.UserInitiatedShutdown',
            message: 'Client.UserInitiatedShutdown: User initiated shutdown',
          };
    }
    instance.state = 'stopped';
    return { instanceId: instance.id, currentState: stateXml(current), previousState: stateXml(previous) };
  });
  return { instancesSet: items(changes) };
};

const startInstances: QueryAction = (params, { region }) => {
  const instances = requireAll(requireInstanceIds(params), (id) => region.getInstance(id));
  for (const instance of instances) {
    if (instance.state !== 'stopped' && instance.state !== 'running' && instance.state !== 'pending') {
      throw new SandboxError(
        'IncorrectInstanceState',
        `The instance '${instance.id}' is not in a state from which it can be started.`,
      );
    }
  }
  const changes = instances.map((instance) => {
    const previous = instance.state;
    const current: InstanceStateName = previous === 'stopped' ? 'pending' : previous;
    instance.state = 'running';
    instance.stateReason = undefined;
    return { instanceId: instance.id, currentState: stateXml(current), previousState: stateXml(previous) };
  });
  return { instancesSet: items(changes) };
};

/**
 * EC2 answers a launch from a disabled AMI (or one not available) with InvalidAMIID.Unavailable,
 * "in a transitional state or not available", and from an unknown one with InvalidAMIID.NotFound.
 */
const runInstances: QueryAction = (params, { region, state }) => {
  const imageId = requiredParam(params, 'ImageId');
  const image = region.getImage(imageId);
  if (
    !image ||
    (image.ownerId !== state.accountId && !image.public && image.launchPermissions.length === 0)
  ) {
    throw new SandboxError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  }
  if (image.state !== 'available') {
    throw new SandboxError(
      'InvalidAMIID.Unavailable',
      `The image id '[${imageId}]' is not available: its state is ${image.state}`,
    );
  }
  const count = optionalInt(params, 'MinCount') ?? 1;
  checkRange('minCount', count, 1, 100);
  const type = params.get('InstanceType') ?? 't3.micro';
  const first = region.addInstance({ imageId, state: 'running', instanceType: type });
  const { reservationId } = first;
  const launched = [
    first,
    ...Array.from({ length: count - 1 }, () =>
      region.addInstance({ imageId, state: 'running', instanceType: type, reservationId }),
    ),
  ];
  return {
    reservationId,
    ownerId: state.accountId,
    groupSet: items([]),
    // Running at once in the stored state; the answer says pending, as EC2's does.
    instancesSet: items(launched.map((i) => ({ ...renderInstance(i), instanceState: stateXml('pending') }))),
  };
};

export const instanceActions = {
  DescribeInstances: describeInstances,
  RunInstances: runInstances,
  StopInstances: stopInstances,
  StartInstances: startInstances,
};
