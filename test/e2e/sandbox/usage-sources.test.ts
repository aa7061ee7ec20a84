/**
 * The local account's answers for the usage sources beyond instances and groups, through the real
 * SDK clients: DescribeFleets, DescribeSpotFleetRequests, DescribeSpotInstanceRequests (shapes,
 * filters, MaxResults/NextToken), DescribeImages' LastLaunchedTime, DescribeLaunchTemplates' version
 * numbers and per-template MinVersion, and SSM DataType, DescribeParameters and GetParameters.
 */
import {
  DescribeFleetsCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSpotFleetRequestsCommand,
  DescribeSpotInstanceRequestsCommand,
  EC2Client,
  paginateDescribeFleets,
  paginateDescribeSpotFleetRequests,
  paginateDescribeSpotInstanceRequests,
} from '@aws-sdk/client-ec2';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  paginateDescribeParameters,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Sandbox } from '../../../sandbox/server';
import { clientConfig, sandboxWithEc2 } from '../../helpers/sandbox-clients';

let sandbox: Sandbox;
let ec2: EC2Client;
sandboxWithEc2((s, c) => {
  sandbox = s;
  ec2 = c;
});
let ssm: SSMClient;
beforeAll(() => {
  ssm = new SSMClient(clientConfig(sandbox, 'eu-west-2'));
});
afterAll(() => {
  ssm.destroy();
});

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('DescribeFleets', () => {
  it('answers fleetSet items with type, state and launch template configs whose overrides name an AMI', async () => {
    const region = sandbox.state.region('eu-west-1');
    const fleet = region.addFleet({
      type: 'maintain',
      createTime: '2026-11-20T08:00:00Z',
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { launchTemplateId: 'lt-0123456789abcdef0', version: '2' },
          overrides: [{ instanceType: 'm7g.large', imageId: 'ami-0123456789abcdef0' }],
        },
      ],
      tags: { Team: 'batch' },
    });
    const { Fleets } = await ec2.send(new DescribeFleetsCommand({ FleetIds: [fleet.id] }));
    expect(Fleets).toEqual([
      expect.objectContaining({
        FleetId: fleet.id,
        FleetState: 'active',
        Type: 'maintain',
        CreateTime: new Date('2026-11-20T08:00:00Z'),
        LaunchTemplateConfigs: [
          {
            LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '2' },
            Overrides: [{ InstanceType: 'm7g.large', ImageId: 'ami-0123456789abcdef0' }],
          },
        ],
        Tags: [{ Key: 'Team', Value: 'batch' }],
      }),
    ]);
  });

  it('pages with MaxResults/NextToken, leaves instant fleets out unless asked by id, and filters on state', async () => {
    const region = sandbox.state.region('us-east-1');
    const spec = { launchTemplateSpecification: { launchTemplateName: 'web', version: '$Default' } };
    const listed = Array.from({ length: 5 }, () => region.addFleet({ launchTemplateConfigs: [spec] }).id);
    const instant = region.addFleet({ type: 'instant', launchTemplateConfigs: [spec] });
    const gone = region.addFleet({ state: 'deleted_running', launchTemplateConfigs: [spec] });
    const usEast = new EC2Client(clientConfig(sandbox, 'us-east-1'));
    try {
      const pages = await all(paginateDescribeFleets({ client: usEast, pageSize: 2 }, {}));
      expect(pages.map((p) => p.Fleets!.length)).toEqual([2, 2, 2]);
      expect(pages.flatMap((p) => p.Fleets!.map((f) => f.FleetId))).toEqual([...listed, gone.id]);
      const byId = await usEast.send(new DescribeFleetsCommand({ FleetIds: [instant.id] }));
      expect(byId.Fleets!.map((f) => f.Type)).toEqual(['instant']);
      const deletedRunning = await usEast.send(
        new DescribeFleetsCommand({ Filters: [{ Name: 'fleet-state', Values: ['deleted-running'] }] }),
      );
      expect(deletedRunning.Fleets!.map((f) => [f.FleetId, f.FleetState])).toEqual([
        [gone.id, 'deleted_running'],
      ]);
      await expect(usEast.send(new DescribeFleetsCommand({ MaxResults: 1001 }))).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
      await expect(
        usEast.send(new DescribeFleetsCommand({ FleetIds: ['fleet-00000000-0000-0000-0000-000000000000'] })),
      ).rejects.toMatchObject({ name: 'InvalidFleetId.NotFound' });
    } finally {
      usEast.destroy();
    }
  });
});

describe('DescribeSpotFleetRequests', () => {
  it('answers spotFleetRequestConfigSet items with launch specifications or template configs, paged', async () => {
    const region = sandbox.state.region('ap-south-1');
    const bySpec = region.addSpotFleetRequest({
      launchSpecifications: [{ imageId: 'ami-0aaaaaaaaaaaaaaaa', instanceType: 'c7g.large' }],
    });
    const byTemplate = region.addSpotFleetRequest({
      type: 'request',
      state: 'cancelled_running',
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { launchTemplateId: 'lt-0123456789abcdef0', version: '$Latest' },
          overrides: [{ instanceType: 'c7g.xlarge' }],
        },
      ],
    });
    const client = new EC2Client(clientConfig(sandbox, 'ap-south-1'));
    try {
      const pages = await all(paginateDescribeSpotFleetRequests({ client, pageSize: 1 }, {}));
      expect(pages.map((p) => p.SpotFleetRequestConfigs!.length)).toEqual([1, 1]);
      const [first, second] = pages.flatMap((p) => p.SpotFleetRequestConfigs!);
      expect(first).toMatchObject({
        SpotFleetRequestId: bySpec.id,
        SpotFleetRequestState: 'active',
        SpotFleetRequestConfig: {
          Type: 'maintain',
          LaunchSpecifications: [{ ImageId: 'ami-0aaaaaaaaaaaaaaaa', InstanceType: 'c7g.large' }],
        },
      });
      expect(second).toMatchObject({
        SpotFleetRequestId: byTemplate.id,
        SpotFleetRequestState: 'cancelled_running',
        SpotFleetRequestConfig: {
          Type: 'request',
          LaunchTemplateConfigs: [
            {
              LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '$Latest' },
              Overrides: [{ InstanceType: 'c7g.xlarge' }],
            },
          ],
        },
      });
      const one = await client.send(
        new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [byTemplate.id] }),
      );
      expect(one.SpotFleetRequestConfigs!.map((r) => r.SpotFleetRequestId)).toEqual([byTemplate.id]);
    } finally {
      client.destroy();
    }
  });
});

describe('DescribeSpotInstanceRequests', () => {
  it('answers spotInstanceRequestSet items with state, type and the launch specification, filtered and paged', async () => {
    const region = sandbox.state.region('eu-north-1');
    const open = Array.from({ length: 6 }, (_, i) =>
      region.addSpotInstanceRequest({ imageId: `ami-0${String(i).repeat(16)}`, type: 'persistent' }),
    );
    region.addSpotInstanceRequest({ imageId: 'ami-0ffffffffffffffff', state: 'closed' });
    const client = new EC2Client(clientConfig(sandbox, 'eu-north-1'));
    try {
      const pages = await all(
        paginateDescribeSpotInstanceRequests(
          { client, pageSize: 5 },
          { Filters: [{ Name: 'state', Values: ['open', 'active', 'disabled'] }] },
        ),
      );
      expect(pages.map((p) => p.SpotInstanceRequests!.length)).toEqual([5, 1]);
      const requests = pages.flatMap((p) => p.SpotInstanceRequests!);
      expect(requests.map((r) => r.SpotInstanceRequestId)).toEqual(open.map((r) => r.id));
      expect(requests[0]).toMatchObject({
        State: 'open',
        Type: 'persistent',
        LaunchSpecification: { ImageId: open[0]!.imageId, InstanceType: 't3.micro' },
        Status: { Code: 'pending-fulfillment' },
      });
      await expect(
        client.send(new DescribeSpotInstanceRequestsCommand({ MaxResults: 4 })),
      ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    } finally {
      client.destroy();
    }
  });
});

describe('DescribeImages LastLaunchedTime, DescribeLaunchTemplates and per-template versions', () => {
  it('carries lastLaunchedTime when the AMI was launched, and leaves it out when never', async () => {
    const region = sandbox.state.region('eu-west-1');
    const launched = region.addImage({ name: 'launched', lastLaunchedTime: '2026-11-22T03:00:00Z' });
    const never = region.addImage({ name: 'never' });
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [launched.id, never.id] }));
    expect(Images!.map((i) => [i.ImageId, i.LastLaunchedTime])).toEqual([
      [launched.id, '2026-11-22T03:00:00Z'],
      [never.id, undefined],
    ]);
  });

  it('gives default and latest version numbers, and every version from MinVersion on for one template', async () => {
    const region = sandbox.state.region('eu-west-1');
    const template = region.addLaunchTemplate({
      name: 'many-versions',
      versions: [{ imageId: 'ami-01' }, { imageId: 'ami-02' }, { imageId: 'ami-03' }, { imageId: 'ami-04' }],
      defaultVersion: 2,
    });
    const listed = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [template.id] }));
    expect(listed.LaunchTemplates![0]).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 4 });
    const versions = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.id,
        MinVersion: '2',
        MaxResults: 200,
      }),
    );
    expect(
      versions.LaunchTemplateVersions!.map((v) => [v.VersionNumber, v.LaunchTemplateData?.ImageId]),
    ).toEqual([
      [2, 'ami-02'],
      [3, 'ami-03'],
      [4, 'ami-04'],
    ]);
  });
});

describe('SSM parameters of data type aws:ec2:image', () => {
  it('keeps DataType, finds them with a DataType filter page by page, and reads values ten at a time', async () => {
    for (let i = 0; i < 12; i++) {
      await ssm.send(
        new PutParameterCommand({
          Name: `/golden/app-${i}`,
          Value: `ami-0${String(i % 10).repeat(16)}`,
          Type: 'String',
          DataType: 'aws:ec2:image',
        }),
      );
    }
    await ssm.send(
      new PutParameterCommand({ Name: '/config/text', Value: 'ami-0aaaaaaaaaaaaaaaa', Type: 'String' }),
    );

    const pages = await all(
      paginateDescribeParameters(
        { client: ssm, pageSize: 5 },
        { ParameterFilters: [{ Key: 'DataType', Option: 'Equals', Values: ['aws:ec2:image'] }] },
      ),
    );
    expect(pages.map((p) => p.Parameters!.length)).toEqual([5, 5, 2]);
    const names = pages.flatMap((p) => p.Parameters!.map((x) => x.Name!));
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `/golden/app-${i}`));
    expect(pages[0]!.Parameters![0]).toMatchObject({ DataType: 'aws:ec2:image', Type: 'String', Version: 1 });

    const got = await ssm.send(
      new GetParametersCommand({ Names: [...names.slice(0, 9), '/golden/missing'] }),
    );
    expect(got.Parameters!.map((p) => [p.Name, p.Value, p.DataType])).toEqual(
      names.slice(0, 9).map((n, i) => [n, `ami-0${String(i).repeat(16)}`, 'aws:ec2:image']),
    );
    expect(got.InvalidParameters).toEqual(['/golden/missing']);
    const text = await ssm.send(new GetParameterCommand({ Name: '/config/text' }));
    expect(text.Parameter!.DataType).toBe('text');
  });

  it('refuses a value that is not an AMI id, more than ten names, and a page over 50', async () => {
    await expect(
      ssm.send(
        new PutParameterCommand({
          Name: '/golden/bad',
          Value: 'latest',
          Type: 'String',
          DataType: 'aws:ec2:image',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new DescribeParametersCommand({ MaxResults: 51 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
