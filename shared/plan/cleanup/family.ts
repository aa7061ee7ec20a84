/** keepNewestPerFamily: the newest builds of each family stay, so there is always one to roll back to. */
import type { Image } from '../../domain';
import { formatTimestamp } from '../../tags';
import { knownDate } from './context';
import type { CleanupSettings } from './settings';

/**
 * AMI id -> why it is protected. The newest N by creation date are kept; AMIs tied with the Nth are
 * all kept, and an AMI whose creation date is unknown cannot be ranked, so it is kept too, without
 * taking one of the N places (otherwise an undated AMI could push a dated one out of protection).
 * Counted over every owned available AMI of a family, not only the opted-in ones.
 */
export function protectedByFamily(images: Image[], settings: CleanupSettings): Map<string, string> {
  const out = new Map<string, string>();
  const n = settings.keepNewestPerFamily;
  const tag = settings.familyTag?.trim();
  if (n === undefined || n === 0 || !tag) return out;
  const families = new Map<string, Image[]>();
  for (const image of images) {
    if (!image.ownedBySelf || image.state !== 'available') continue;
    const family = image.tags[tag]?.trim();
    if (!family) continue;
    families.set(family, [...(families.get(family) ?? []), image]);
  }
  for (const [family, members] of families) {
    const dated = members.flatMap((m) => {
      const createdAt = knownDate(m.createdAt);
      return createdAt ? [{ id: m.id, createdAt }] : [];
    });
    dated.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const threshold = dated.length > n ? dated[n - 1]!.createdAt.getTime() : -Infinity;
    for (const m of members) {
      const createdAt = knownDate(m.createdAt);
      if (createdAt === undefined) {
        out.set(
          m.id,
          `family ${tag}=${family}: creation date unknown, so it cannot be ranked against the newest ${n}`,
        );
      } else if (createdAt.getTime() >= threshold) {
        out.set(
          m.id,
          `among the newest ${n} of family ${tag}=${family} (created ${formatTimestamp(createdAt)})`,
        );
      }
    }
  }
  return out;
}
