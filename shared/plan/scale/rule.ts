/**
 * A scale-to-zero rule: one named question about a resource that either decides it (a verdict) or
 * passes it to the next rule. The first verdict in a rule list decides.
 */
import type { ScheduleFacts, TagFacts, TransitionFacts } from './facts';
import type { Verdict } from './types';

export interface ScaleRule<F> {
  /** Stable name, logged with every decision it makes and used by the docs. */
  readonly name: string;
  /** One line: when the rule decides, and what it decides. */
  readonly summary: string;
  readonly decide: (f: F) => Verdict | undefined;
}

/**
 * A resource kind's rules in the order they are asked, in three stages: its tags (is it ours to
 * judge?), its schedule (is there a transition?), then the transition itself. Ignored tags (an
 * expired or unreadable override) are reported from the schedule stage on.
 */
export interface RuleStages<G extends TagFacts, T extends TransitionFacts> {
  tags: readonly ScaleRule<G>[];
  schedule: readonly ScaleRule<ScheduleFacts>[];
  transition: readonly ScaleRule<T>[];
}

/** A rule's name and summary, for the ordered lists the docs map onto. */
export interface RuleInfo {
  readonly name: string;
  readonly summary: string;
}

export interface RuledVerdict {
  rule: string;
  verdict: Verdict;
}

export function firstVerdict<F>(rules: readonly ScaleRule<F>[], f: F): RuledVerdict | undefined {
  for (const rule of rules) {
    const verdict = rule.decide(f);
    if (verdict) return { rule: rule.name, verdict };
  }
  return undefined;
}

export function rule<F>(name: string, summary: string, decide: (f: F) => Verdict | undefined): ScaleRule<F> {
  return { name, summary, decide };
}
