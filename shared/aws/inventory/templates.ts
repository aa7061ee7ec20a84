/** Launch templates and the versions of them that count: $Default, $Latest, the newest N, the pinned ones. */
import {
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';

import type {
  LaunchTemplateRecord,
  LaunchTemplateRef,
  LaunchTemplateVersionRecord,
  Problem,
} from '../../domain';
import { errorCode, errorText } from '../../errors';
import type { AwsClients } from '../clients';
import { mapWithConcurrency } from '../concurrency';

/**
 * $Latest and $Default of every template in the account in one paginated call: EC2 documents that
 * omitting the template id/name and asking for Versions=$Latest,$Default does exactly that.
 */
export async function readLatestAndDefaultTemplateVersions(
  clients: AwsClients,
): Promise<LaunchTemplateVersionRecord[]> {
  const raw: LaunchTemplateVersion[] = [];
  const pages = paginateDescribeLaunchTemplateVersions(
    { client: clients.ec2 },
    { Versions: ['$Latest', '$Default'], MaxResults: 200 },
  );
  for await (const page of pages) raw.push(...(page.LaunchTemplateVersions ?? []));

  // The answer has no "latest" flag; since $Latest was asked for every template, the highest
  // version number returned per template is its latest.
  const latest = new Map<string, number>();
  for (const v of raw) {
    const id = v.LaunchTemplateId ?? '';
    latest.set(id, Math.max(latest.get(id) ?? 0, v.VersionNumber ?? 0));
  }
  const seen = new Set<string>();
  const out: LaunchTemplateVersionRecord[] = [];
  for (const v of raw) {
    const key = `${v.LaunchTemplateId}:${v.VersionNumber}`;
    if (seen.has(key)) continue; // latest == default comes back once or twice depending on the API
    seen.add(key);
    out.push(toTemplateVersion(v, latest.get(v.LaunchTemplateId ?? '') === v.VersionNumber));
  }
  return out;
}

function toTemplateVersion(v: LaunchTemplateVersion, isLatest: boolean): LaunchTemplateVersionRecord {
  const record: LaunchTemplateVersionRecord = {
    templateId: v.LaunchTemplateId ?? '',
    templateName: v.LaunchTemplateName ?? '',
    versionNumber: v.VersionNumber ?? 0,
    isDefault: v.DefaultVersion === true,
    isLatest,
  };
  if (v.LaunchTemplateData?.ImageId) record.imageId = v.LaunchTemplateData.ImageId;
  return record;
}

/**
 * Numbered versions that groups and fleets pin and that were not read yet (with
 * LAUNCH_TEMPLATE_VERSIONS_IN_USE, older than the newest N): one call per template, all its pinned
 * numbers at once.
 */
export async function readPinnedTemplateVersions(
  clients: AwsClients,
  refs: LaunchTemplateRef[],
  known: LaunchTemplateVersionRecord[],
  problems: Problem[],
): Promise<LaunchTemplateVersionRecord[]> {
  const have = new Set(
    known.flatMap((v) => [`${v.templateId}:${v.versionNumber}`, `${v.templateName}:${v.versionNumber}`]),
  );
  const wanted = new Map<string, { ref: LaunchTemplateRef; versions: Set<string> }>();
  for (const ref of refs) {
    if (!/^\d+$/.test(ref.version)) continue;
    const key = ref.templateId ?? ref.templateName ?? '';
    if (key === '' || have.has(`${key}:${ref.version}`)) continue;
    const entry = wanted.get(key) ?? { ref, versions: new Set<string>() };
    entry.versions.add(ref.version);
    wanted.set(key, entry);
  }
  const out: LaunchTemplateVersionRecord[] = [];
  for (const [key, { ref, versions }] of wanted) {
    try {
      const pages = paginateDescribeLaunchTemplateVersions(
        { client: clients.ec2 },
        ref.templateId
          ? { LaunchTemplateId: ref.templateId, Versions: [...versions] }
          : { LaunchTemplateName: ref.templateName, Versions: [...versions] },
      );
      for await (const page of pages) {
        for (const v of page.LaunchTemplateVersions ?? []) out.push(toTemplateVersion(v, false));
      }
    } catch (err) {
      // The usage index reports the group's reference as unresolved, which keeps cleanup careful.
      problems.push({
        resourceId: key,
        message: `could not read launch template ${key} versions ${[...versions].join(',')}: ${errorText(err)}`,
      });
    }
  }
  return out;
}

/** EC2's answers for a launch template that does not exist (any more). */
const TEMPLATE_GONE = new Set([
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
]);

/** DescribeLaunchTemplates' largest page. */
const LAUNCH_TEMPLATES_PAGE = 200;
/** DescribeLaunchTemplateVersions' largest page. */
const TEMPLATE_VERSIONS_PAGE = 200;
/** Every launch template with its default and latest version numbers (DescribeLaunchTemplates). */
export async function readLaunchTemplates(
  clients: AwsClients,
  newestVersionsCounted: number | undefined,
): Promise<LaunchTemplateRecord[]> {
  const out: LaunchTemplateRecord[] = [];
  const pages = paginateDescribeLaunchTemplates(
    { client: clients.ec2 },
    { MaxResults: LAUNCH_TEMPLATES_PAGE },
  );
  for await (const page of pages) {
    for (const t of page.LaunchTemplates ?? []) {
      if (!t.LaunchTemplateId) continue;
      const record: LaunchTemplateRecord = {
        id: t.LaunchTemplateId,
        name: t.LaunchTemplateName ?? '',
        defaultVersion: t.DefaultVersionNumber ?? 0,
        latestVersion: t.LatestVersionNumber ?? 0,
      };
      if (newestVersionsCounted !== undefined) record.newestVersionsCounted = newestVersionsCounted;
      out.push(record);
    }
  }
  return out;
}

/**
 * The versions that count (all, or the newest N) that the bulk $Default/$Latest call did not return:
 * one paginated call per template that has any (EC2 answers numbered versions only per template), so
 * a template with just one or two versions costs nothing more. A failed read is put on the template
 * record (unreadVersions), which the usage index reports as unresolved: cleanup then deletes nothing.
 */
export async function readOlderTemplateVersions(
  clients: AwsClients,
  templates: LaunchTemplateRecord[],
  known: LaunchTemplateVersionRecord[],
): Promise<LaunchTemplateVersionRecord[]> {
  const have = new Set(known.map((v) => `${v.templateId}:${v.versionNumber}`));
  const out: LaunchTemplateVersionRecord[] = [];
  const needed = templates.flatMap((t) => {
    const oldest = Math.max(
      1,
      t.newestVersionsCounted === undefined ? 1 : t.latestVersion - t.newestVersionsCounted + 1,
    );
    for (let n = oldest; n <= t.latestVersion; n++) {
      if (!have.has(`${t.id}:${n}`)) return [{ template: t, oldest }];
    }
    return [];
  });
  await mapWithConcurrency(needed, 4, async ({ template, oldest }) => {
    try {
      const pages = paginateDescribeLaunchTemplateVersions(
        { client: clients.ec2 },
        { LaunchTemplateId: template.id, MinVersion: String(oldest), MaxResults: TEMPLATE_VERSIONS_PAGE },
      );
      for await (const page of pages) {
        for (const v of page.LaunchTemplateVersions ?? []) {
          if (!have.has(`${v.LaunchTemplateId}:${v.VersionNumber}`)) out.push(toTemplateVersion(v, false));
        }
      }
    } catch (err) {
      // Deleted since DescribeLaunchTemplates listed it: nothing can launch from it any more.
      if (TEMPLATE_GONE.has(errorCode(err) ?? '')) return;
      template.unreadVersions = `versions ${oldest} to ${template.latestVersion} could not be read (${errorText(err)}), so the AMIs they launch are unknown`;
    }
  });
  return out;
}
