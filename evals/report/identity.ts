/** What names one eval result: the case, the variant and the attempt. */
export interface ResultIdentity {
  caseId: string;
  variant: string;
  repeat: number;
}

/**
 * A result's identity, the one spelling of it: merge refuses two results with the same one, `eval compare` and the
 * gate's baseline check pair results by it, and an eval report's `plan` lists the identities the run set out to produce.
 *
 * @example
 *   resultId({ caseId: 'fs-owner', variant: 'gold', repeat: 0 }); // 'fs-owner gold#0'
 */
export function resultId(r: ResultIdentity): string {
  return `${groupId(r)}#${r.repeat}`;
}

/** The (case, variant) group a result's repeats belong to, as pass^k counts them: 'fs-owner gold'. */
export function groupId(r: Pick<ResultIdentity, 'caseId' | 'variant'>): string {
  return `${r.caseId} ${r.variant}`;
}

/** Identities that occur more than once. */
export function duplicatedIds(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}
