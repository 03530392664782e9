import { InvalidArgumentError } from 'commander';

/** One slice of a sharded run: the `index`-th (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `--shard i/n` (1 ≤ i ≤ n); undefined when malformed, so each CLI raises its own usage error.
 *
 * @example
 *   parseShard('2/3'); // { index: 2, count: 3 }
 */
export function parseShard(spec: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) return undefined;
  return { index, count };
}

/** The `--shard i/n` option parser every sharding subcommand shares (eval, load, chaos). */
export function shardOption(value: string): Shard {
  const shard = parseShard(value);
  if (!shard) throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n');
  return shard;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * Every n-th item starting at the i-th, the same split `luminamind eval --shard` uses, so shards are disjoint
 * and together cover every item whatever the order of the CI matrix.
 *
 * @example
 *   shardSlice(['a', 'b', 'c'], { index: 1, count: 2 }); // ['a', 'c']
 */
export function shardSlice<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  return items.filter((_, idx) => idx % shard.count === shard.index - 1);
}
