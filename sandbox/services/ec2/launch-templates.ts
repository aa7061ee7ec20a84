/** Launch templates: DescribeLaunchTemplates, DescribeLaunchTemplateVersions. */
import { SandboxError } from '../../protocol/errors';
import { indexedList, optionalInt, type FormParams } from '../../protocol/form';
import { checkRange, pageOfArray } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type { LaunchTemplateRecord, LaunchTemplateVersionRecord } from '../../state/records';
import type { RegionState } from '../../state/region';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, tagSet } from './common';

const TEMPLATE_FIELDS: FieldReaders<LaunchTemplateRecord> = {
  'launch-template-name': (t) => t.name,
  'create-time': (t) => t.createTime,
};

const NO_TEMPLATE = 'At least one of the launch templates specified in the request does not exist.';

function createdBy(region: RegionState): string {
  return `arn:aws:iam::${region.accountId}:user/sandbox`;
}

function renderTemplate(template: LaunchTemplateRecord, region: RegionState): XmlObject {
  return {
    launchTemplateId: template.id,
    launchTemplateName: template.name,
    createTime: template.createTime,
    createdBy: createdBy(region),
    defaultVersionNumber: template.defaultVersion,
    latestVersionNumber: template.versions.length,
    tagSet: tagSet(template.tags),
  };
}

const describeLaunchTemplates: QueryAction = (params, { region }) => {
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('MaxResults', maxResults, 1, 200);
  const ids = indexedList(params, 'LaunchTemplateId');
  const names = indexedList(params, 'LaunchTemplateName');
  const filter = compileFilters(ec2Filters(params), TEMPLATE_FIELDS, (t) => t.tags);
  let selected: LaunchTemplateRecord[] | undefined;
  if (ids.length > 0 || names.length > 0) {
    selected = [];
    for (const id of ids) {
      const template = region.launchTemplateTable.get(id);
      if (!template) throw new SandboxError('InvalidLaunchTemplateId.NotFound', `${NO_TEMPLATE} (${id})`);
      selected.push(template);
    }
    for (const name of names) {
      const template = region.findLaunchTemplateByName(name);
      if (!template)
        throw new SandboxError('InvalidLaunchTemplateName.NotFoundException', `${NO_TEMPLATE} (${name})`);
      selected.push(template);
    }
  }
  const page = selected
    ? pageOfArray(selected.filter(filter), params.get('NextToken'), maxResults)
    : region.launchTemplateTable.page(params.get('NextToken'), maxResults, filter);
  return {
    launchTemplates: items(page.items.map((t) => renderTemplate(t, region))),
    nextToken: page.nextToken,
  };
};

function findTemplate(params: FormParams, region: RegionState): LaunchTemplateRecord | undefined {
  const id = params.get('LaunchTemplateId');
  const name = params.get('LaunchTemplateName');
  if (id && name) {
    throw new SandboxError(
      'InvalidParameterCombination',
      'Give LaunchTemplateId or LaunchTemplateName, not both',
    );
  }
  if (id) {
    const template = region.launchTemplateTable.get(id);
    if (!template)
      throw new SandboxError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    return template;
  }
  if (name) {
    const template = region.findLaunchTemplateByName(name);
    if (!template) {
      throw new SandboxError(
        'InvalidLaunchTemplateName.NotFoundException',
        `The specified launch template, with template name ${name}, does not exist.`,
      );
    }
    return template;
  }
  return undefined;
}

function versionNumber(template: LaunchTemplateRecord, spec: string): number {
  if (spec === '$Latest') return template.versions.length;
  if (spec === '$Default') return template.defaultVersion;
  const number = Number(spec);
  if (!Number.isInteger(number) || number < 1) {
    throw new SandboxError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `'${spec}' is not a launch template version (a number, $Latest or $Default)`,
    );
  }
  if (number > template.versions.length) {
    throw new SandboxError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${number} for launch template ${template.id}`,
    );
  }
  return number;
}

function selectVersions(
  template: LaunchTemplateRecord,
  specs: readonly string[],
  minVersion: number | undefined,
  maxVersion: number | undefined,
): LaunchTemplateVersionRecord[] {
  if (specs.length === 0) {
    return template.versions.filter(
      (v) =>
        (minVersion === undefined || v.versionNumber >= minVersion) &&
        (maxVersion === undefined || v.versionNumber <= maxVersion),
    );
  }
  const numbers = [...new Set(specs.map((s) => versionNumber(template, s)))].sort((a, b) => a - b);
  return numbers.map((n) => template.versions[n - 1]!);
}

const describeLaunchTemplateVersions: QueryAction = (params, { region }) => {
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('MaxResults', maxResults, 1, 200);
  const specs = indexedList(params, 'LaunchTemplateVersion');
  const template = findTemplate(params, region);
  let templates: LaunchTemplateRecord[];
  if (template) {
    templates = [template];
  } else {
    // Without a template, EC2 only allows $Latest/$Default: those versions of every template.
    if (specs.length === 0 || specs.some((s) => s !== '$Latest' && s !== '$Default')) {
      throw new SandboxError(
        'MissingParameter',
        'DescribeLaunchTemplateVersions without LaunchTemplateId or LaunchTemplateName needs Versions $Latest and/or $Default only',
      );
    }
    templates = region.launchTemplates();
  }
  const minVersion = optionalInt(params, 'MinVersion');
  const maxVersion = optionalInt(params, 'MaxVersion');
  const all = templates.flatMap((t) =>
    selectVersions(t, specs, minVersion, maxVersion).map((version) => ({ t, version })),
  );
  const page = pageOfArray(all, params.get('NextToken'), maxResults);
  return {
    launchTemplateVersionSet: items(
      page.items.map(({ t, version }) => ({
        launchTemplateId: t.id,
        launchTemplateName: t.name,
        versionNumber: version.versionNumber,
        versionDescription: version.description,
        createTime: version.createTime,
        createdBy: createdBy(region),
        defaultVersion: version.versionNumber === t.defaultVersion,
        launchTemplateData: { imageId: version.data.imageId, instanceType: version.data.instanceType },
      })),
    ),
    nextToken: page.nextToken,
  };
};

export const launchTemplateActions = {
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
};
