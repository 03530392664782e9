import { createHash } from 'node:crypto';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { Redis } from 'ioredis';
import { CheckpointCorruptError, CheckpointFailedError, CheckpointRequestInvalidError } from '../errors.js';
import { report, type CheckpointerHealth, type CheckpointerHooks, type CheckpointerOperation } from './checkpoint-events.js';

/** Bumped when the stored layout changes; readers refuse (and later migrate) anything else. */
export const CHECKPOINT_FORMAT_VERSION = 1;
export const DEFAULT_CHECKPOINT_KEY_PREFIX = 'lm:cp:';

/** A serialised value: the serde's type tag and its payload (UTF-8 text, or base64 when `b` is set). */
interface StoredValue {
  readonly t: string;
  readonly d: string;
  readonly b?: 1;
}
interface CheckpointRecord {
  readonly f: number;
  /** Parent checkpoint id, or null for a thread's first checkpoint. */
  readonly p: string | null;
  /** The checkpoint without its channel values (those live in the blob hash, once per channel version). */
  readonly c: StoredValue;
  readonly m: StoredValue;
  /** Blob-hash fields of every channel version the checkpoint refers to; the read script fetches them. */
  readonly b: readonly string[];
}
interface BlobRecord extends StoredValue {
  readonly f: number;
}
interface WriteRecord {
  readonly f: number;
  readonly task: string;
  readonly ch: string;
  readonly i: number;
  readonly path: string;
  readonly v: StoredValue;
}

interface RunContext {
  bytes: number;
  threadId?: string | undefined;
}

/** `[id, record or '', indexed 0|1, HGETALL of the writes, HMGET of the blobs]` per requested id. */
type ReadRow = [string, string, number, string[], (string | null)[]];

const EMPTY: StoredValue = { t: 'empty', d: '' };

// Every script touches one thread only, and every key it names carries the thread's hash tag, so a thread
// lives in one cluster slot and each script is atomic. Writes keys are derived in the read script from a
// prefix passed in ARGV; they share the tag, hence the slot.
const REFRESH_TTL = `
local ttl = tonumber(ARGV[1])
if ttl > 0 then
  for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('PEXPIRE', k, ttl) end
  redis.call('PEXPIRE', KEYS[1], ttl)
end`;

const PUT_SCRIPT = `
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
redis.call('SADD', KEYS[2], ARGV[2])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
${REFRESH_TTL}
return 1`;

const WRITES_SCRIPT = `
for i = 2, #ARGV, 3 do
  if ARGV[i + 2] == '1' then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  else redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
redis.call('SADD', KEYS[1], KEYS[2])
${REFRESH_TTL}
return 1`;

const DELETE_SCRIPT = `
local n = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do n = n + redis.call('UNLINK', k) end
return n + redis.call('UNLINK', KEYS[1])`;

const READ_SCRIPT = `
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if id == '' then id = redis.call('ZREVRANGEBYLEX', KEYS[1], '+', '-', 'LIMIT', 0, 1)[1] or '' end
  if id == '' then
    table.insert(out, {'', '', 0, {}, {}})
  else
    local rec = redis.call('HGET', KEYS[2], id)
    local indexed = redis.call('ZSCORE', KEYS[1], id) and 1 or 0
    local writes, blobs = {}, {}
    if rec then
      writes = redis.call('HGETALL', ARGV[1] .. id)
      local ok, decoded = pcall(cjson.decode, rec)
      if ok and type(decoded) == 'table' and type(decoded.b) == 'table' and #decoded.b > 0 then
        blobs = redis.call('HMGET', KEYS[3], unpack(decoded.b))
      end
    end
    table.insert(out, {id, rec or '', indexed, writes, blobs})
  end
end
return out`;

interface LuaScript {
  readonly source: string;
  readonly sha: string;
}
const script = (source: string): LuaScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = { put: script(PUT_SCRIPT), writes: script(WRITES_SCRIPT), delete: script(DELETE_SCRIPT), read: script(READ_SCRIPT) };

export interface RedisCheckpointSaverOptions {
  readonly client: Redis;
  /** Namespace of every key; tests give each saver its own. */
  readonly keyPrefix?: string;
  /** Each write refreshes the whole thread's expiry to this; unset keeps threads until deleted. */
  readonly ttlSeconds?: number;
  readonly hooks?: CheckpointerHooks;
  readonly serde?: SerializerProtocol;
  /** PING budget for {@link RedisCheckpointSaver.health}; /ready must answer quickly. */
  readonly healthTimeoutMs?: number;
  /** When true, {@link RedisCheckpointSaver.close} also closes the client. */
  readonly ownsClient?: boolean;
}

/** The Redis keys of one thread (and namespace): the layout is documented in agent/src/store/README.md. */
export function checkpointKeys(prefix: string, threadId: string, ns = '') {
  const base = `${prefix}{${encodeURIComponent(threadId)}}:`;
  const n = encodeURIComponent(ns);
  return {
    registry: `${base}keys`,
    namespaces: `${base}ns`,
    index: `${base}idx:${n}`,
    checkpoints: `${base}cp:${n}`,
    blobs: `${base}blob:${n}`,
    writesPrefix: `${base}w:${n}:`,
  };
}

/**
 * LangGraph checkpointer over plain Redis 7 (no modules). Per-thread keys under one hash tag; every put,
 * putWrites and deleteThread is one Lua script, so a checkpoint and its index entry appear together or not
 * at all; values go through the saver's serde (JsonPlusSerializer) inside records that carry a format
 * version. Failures are thrown as AGT_ERR_CHECKPOINT_FAILED (503) or AGT_ERR_CHECKPOINT_CORRUPT, never
 * turned into an empty result, and every call is reported to `hooks.onOperation`.
 *
 * @example
 *   const saver = new RedisCheckpointSaver({ client: new Redis(url), ttlSeconds: 30 * 86_400 });
 *   const graph = builder.compile({ checkpointer: saver });
 */
export class RedisCheckpointSaver extends BaseCheckpointSaver {
  readonly backend = 'redis' as const;
  private readonly client: Redis;
  readonly keyPrefix: string;
  private readonly ttlMs: number;
  private readonly hooks: CheckpointerHooks | undefined;
  private readonly healthTimeoutMs: number;
  private readonly ownsClient: boolean;

  constructor(options: RedisCheckpointSaverOptions) {
    super(options.serde);
    this.client = options.client;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_CHECKPOINT_KEY_PREFIX;
    this.ttlMs = options.ttlSeconds ? Math.round(options.ttlSeconds * 1000) : 0;
    this.hooks = options.hooks;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 500;
    this.ownsClient = options.ownsClient ?? false;
  }

  private get threadsKey(): string {
    return `${this.keyPrefix}threads`;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.run('load', async (acc) => {
      const threadId = (acc.threadId = optionalThreadId(config));
      if (threadId === undefined) return undefined;
      const ns = namespaceOf(config);
      // getCheckpointId also honours the legacy thread_ts, as MemorySaver does.
      const checkpointId = optionalString(getCheckpointId(config), 'checkpoint_id') ?? '';
      const [row] = await this.read(threadId, ns, [checkpointId]);
      return row ? this.decode(threadId, ns, row, acc) : undefined;
    });
  }

  override async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const started = performance.now();
    const acc: RunContext = { bytes: 0 };
    let failed = false;
    try {
      const threadId = (acc.threadId = optionalThreadId(config));
      const nsFilter = config.configurable?.checkpoint_ns as string | undefined;
      const idFilter = optionalString(config.configurable?.checkpoint_id, 'checkpoint_id');
      const before = optionalString(options.before?.configurable?.checkpoint_id, 'before.checkpoint_id');
      const filter = options.filter ? Object.entries(options.filter) : [];
      let remaining = options.limit ?? Number.POSITIVE_INFINITY;
      if (remaining <= 0) return;
      const threads = threadId !== undefined ? [threadId] : await this.allThreads();
      for (const thread of threads) {
        const namespaces = (await this.client.smembers(checkpointKeys(this.keyPrefix, thread).namespaces)).sort();
        for (const ns of namespaces) {
          if (nsFilter !== undefined && ns !== nsFilter) continue;
          const keys = checkpointKeys(this.keyPrefix, thread, ns);
          const pages =
            idFilter !== undefined
              ? [before === undefined || idFilter < before ? [idFilter] : []]
              : this.idPages(keys.index, before, () => (filter.length ? 50 : Math.min(50, remaining)));
          for await (const batch of pages) {
            for (const row of await this.read(thread, ns, batch)) {
              const tuple = await this.decode(thread, ns, row, acc);
              // Gone between the index read and the fetch: a concurrent deleteThread, not corruption.
              if (!tuple) continue;
              if (!filter.every(([k, v]) => (tuple.metadata as Record<string, unknown> | undefined)?.[k] === v)) continue;
              yield tuple;
              if (--remaining <= 0) return;
            }
          }
        }
      }
    } catch (err) {
      failed = true;
      const typed = this.typed('list', err);
      report(this.hooks, { operation: 'list', backend: 'redis', status: 'error', durationMs: performance.now() - started, threadId: acc.threadId, error: typed });
      throw typed;
    } finally {
      if (!failed) report(this.hooks, { operation: 'list', backend: 'redis', status: 'ok', bytes: acc.bytes, durationMs: performance.now() - started, threadId: acc.threadId });
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return this.run('save', async (acc) => {
      const threadId = (acc.threadId = requiredThreadId(config, 'put a checkpoint'));
      const ns = namespaceOf(config);
      const parentId = optionalString(config.configurable?.checkpoint_id, 'checkpoint_id');
      const checkpointId = requiredString(checkpoint.id, 'checkpoint.id');
      const prepared = copyCheckpoint(checkpoint);
      const values = prepared.channel_values;
      prepared.channel_values = {};
      // Only channels that changed get a new blob; older versions stay referenced by channel_versions.
      const blobArgs: string[] = [];
      for (const [channel, version] of Object.entries(newVersions)) {
        const stored = channel in values ? await this.store(values[channel]) : EMPTY;
        blobArgs.push(blobField(channel, version), JSON.stringify({ f: CHECKPOINT_FORMAT_VERSION, ...stored } satisfies BlobRecord));
      }
      const record: CheckpointRecord = {
        f: CHECKPOINT_FORMAT_VERSION,
        p: parentId ?? null,
        c: await this.store(prepared),
        m: await this.store(metadata),
        b: Object.entries(prepared.channel_versions).map(([channel, version]) => blobField(channel, version)),
      };
      const recordJson = JSON.stringify(record);
      acc.bytes = byteLength(recordJson) + blobArgs.reduce((n, s) => n + byteLength(s), 0);
      const keys = checkpointKeys(this.keyPrefix, threadId, ns);
      await Promise.all([
        this.touchThread(threadId),
        this.eval(SCRIPTS.put, [keys.registry, keys.namespaces, keys.index, keys.checkpoints, keys.blobs], [String(this.ttlMs), ns, checkpointId, recordJson, ...blobArgs]),
      ]);
      return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } };
    });
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    return this.run('writes', async (acc) => {
      const threadId = (acc.threadId = requiredThreadId(config, 'put writes'));
      const ns = namespaceOf(config);
      const checkpointId = optionalString(config.configurable?.checkpoint_id, 'checkpoint_id');
      if (checkpointId === undefined) throw new CheckpointRequestInvalidError('configurable.checkpoint_id is required to put writes');
      requiredString(taskId, 'taskId');
      const args: string[] = [String(this.ttlMs)];
      for (const [idx, [channel, value]] of writes.entries()) {
        // Special channels (errors, interrupts…) have fixed negative slots and replace; regular ones keep the first.
        const i = WRITES_IDX_MAP[channel] ?? idx;
        const record: WriteRecord = { f: CHECKPOINT_FORMAT_VERSION, task: taskId, ch: channel, i, path: taskPath ?? '', v: await this.store(value) };
        const json = JSON.stringify(record);
        acc.bytes += byteLength(json);
        args.push(`${taskId},${i}`, json, i < 0 ? '1' : '0');
      }
      const keys = checkpointKeys(this.keyPrefix, threadId, ns);
      await Promise.all([
        this.ttlMs ? this.touchThread(threadId) : undefined,
        this.eval(SCRIPTS.writes, [keys.registry, keys.writesPrefix + checkpointId], args),
      ]);
    });
  }

  override async deleteThread(threadId: string): Promise<void> {
    return this.run('delete', async (acc) => {
      const id = (acc.threadId = requiredString(threadId, 'threadId'));
      await this.eval(SCRIPTS.delete, [checkpointKeys(this.keyPrefix, id).registry], []);
      await this.client.zrem(this.threadsKey, id);
    });
  }

  /**
   * Whether the thread has state here (its key registry exists: every write creates it, TTL and deleteThread
   * remove it). One EXISTS, for the workspace sweep; a Redis failure throws, so nothing is removed on a guess.
   */
  async hasThread(threadId: string): Promise<boolean> {
    return (await this.client.exists(checkpointKeys(this.keyPrefix, requiredString(threadId, 'threadId')).registry)) === 1;
  }

  /** PING within a short budget, for /ready: never throws. */
  async health(): Promise<CheckpointerHealth> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PING reply within ${this.healthTimeoutMs} ms`)), this.healthTimeoutMs);
        }),
      ]);
      return { ok: true, backend: 'redis', degraded: false, latencyMs: performance.now() - started };
    } catch (err) {
      return { ok: false, backend: 'redis', degraded: false, latencyMs: performance.now() - started, error: `Redis ${this.where()}: ${messageOf(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the client if this saver owns it (graceful shutdown). */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private async run<T>(operation: CheckpointerOperation, fn: (acc: RunContext) => Promise<T>): Promise<T> {
    const started = performance.now();
    const acc: RunContext = { bytes: 0 };
    try {
      const result = await fn(acc);
      report(this.hooks, { operation, backend: 'redis', status: 'ok', bytes: acc.bytes, durationMs: performance.now() - started, threadId: acc.threadId });
      return result;
    } catch (err) {
      const typed = this.typed(operation, err);
      report(this.hooks, { operation, backend: 'redis', status: 'error', durationMs: performance.now() - started, threadId: acc.threadId, error: typed });
      throw typed;
    }
  }

  private typed(operation: CheckpointerOperation, err: unknown): Error {
    if (err instanceof CheckpointCorruptError || err instanceof CheckpointRequestInvalidError || err instanceof CheckpointFailedError) return err as Error;
    return new CheckpointFailedError(operation, `Redis ${this.where()} (${this.client.status}): ${messageOf(err)}`, { cause: err });
  }

  /** host:port or the Sentinel group, never the URL (it may carry a password). */
  private where(): string {
    const o = this.client.options;
    return o.sentinels?.length ? `sentinel group ${o.name ?? '?'}` : `${o.host ?? '?'}:${o.port ?? '?'}`;
  }

  private async eval(s: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!messageOf(err).startsWith('NOSCRIPT')) throw err;
      return this.client.eval(s.source, keys.length, ...keys, ...args);
    }
  }

  private async read(threadId: string, ns: string, ids: string[]): Promise<ReadRow[]> {
    const keys = checkpointKeys(this.keyPrefix, threadId, ns);
    return (await this.eval(SCRIPTS.read, [keys.index, keys.checkpoints, keys.blobs], [keys.writesPrefix, ...ids])) as ReadRow[];
  }

  /** A namespace's checkpoint ids, newest first, a page at a time; the cursor is the last id, so no page skips. */
  private async *idPages(index: string, before: string | undefined, pageSize: () => number): AsyncGenerator<string[]> {
    let max = before ? `(${before}` : '+';
    for (;;) {
      const size = pageSize();
      const page = await this.client.zrevrangebylex(index, max, '-', 'LIMIT', 0, size);
      if (page.length) yield page;
      if (page.length < size) return;
      max = `(${page[page.length - 1]!}`;
    }
  }

  private async allThreads(): Promise<string[]> {
    if (this.ttlMs) await this.client.zremrangebyscore(this.threadsKey, '-inf', `(${Date.now() - this.ttlMs - 60_000}`);
    return this.client.zrevrange(this.threadsKey, 0, -1);
  }

  /** Records the thread for list() without a thread id; dropped by deleteThread, pruned after its TTL. */
  private async touchThread(threadId: string): Promise<void> {
    await this.client.zadd(this.threadsKey, Date.now(), threadId);
    if (this.ttlMs) await this.client.zremrangebyscore(this.threadsKey, '-inf', `(${Date.now() - this.ttlMs - 60_000}`);
  }

  private async store(value: unknown): Promise<StoredValue> {
    const [type, bytes] = await this.serde.dumpsTyped(value);
    return type === 'json' ? { t: type, d: Buffer.from(bytes).toString('utf8') } : { t: type, d: Buffer.from(bytes).toString('base64'), b: 1 };
  }

  private async load(value: StoredValue): Promise<unknown> {
    return this.serde.loadsTyped(value.t, value.b ? new Uint8Array(Buffer.from(value.d, 'base64')) : value.d);
  }

  private async decode(threadId: string, ns: string, row: ReadRow, acc: RunContext): Promise<CheckpointTuple | undefined> {
    const [id, recordJson, indexed, writesFlat, blobs] = row;
    const keys = checkpointKeys(this.keyPrefix, threadId, ns);
    const corrupt = (what: string) => new CheckpointCorruptError(`thread ${threadId}, namespace '${ns}', checkpoint ${id}`, what);
    if (!recordJson && !indexed) return undefined;
    if (!recordJson) throw corrupt(`${keys.index} lists it but ${keys.checkpoints} has no record for it`);
    if (!indexed) throw corrupt(`${keys.checkpoints} has a record that ${keys.index} does not list`);
    acc.bytes += byteLength(recordJson);
    const record = parseVersioned<CheckpointRecord>(recordJson, `record in ${keys.checkpoints}`, corrupt);
    const checkpoint = (await this.loadOrCorrupt(record.c, `checkpoint in ${keys.checkpoints}`, corrupt)) as Checkpoint;
    const metadata = (await this.loadOrCorrupt(record.m, `metadata in ${keys.checkpoints}`, corrupt)) as CheckpointMetadata;
    const channelValues: Record<string, unknown> = {};
    for (const [i, field] of record.b.entries()) {
      const blobJson = blobs[i];
      // A channel version that was never written (not in newVersions) has no blob: it has no value here.
      if (blobJson === null || blobJson === undefined) continue;
      acc.bytes += byteLength(blobJson);
      const blob = parseVersioned<BlobRecord>(blobJson, `blob ${field} in ${keys.blobs}`, corrupt);
      if (blob.t === EMPTY.t) continue;
      const [channel] = JSON.parse(field) as [string];
      channelValues[channel] = await this.loadOrCorrupt(blob, `blob ${field} in ${keys.blobs}`, corrupt);
    }
    checkpoint.channel_values = channelValues;
    const pendingWrites = await this.decodeWrites(writesFlat, `${keys.writesPrefix}${id}`, corrupt, acc);
    if (checkpoint.v < 4 && record.p !== null) await this.migratePendingSends(checkpoint, threadId, ns, record.p, corrupt);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: id } },
      checkpoint,
      metadata,
      pendingWrites: pendingWrites.map((w) => [w.task, w.ch, w.value] as CheckpointPendingWrite),
    };
    if (record.p !== null) tuple.parentConfig = { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: record.p } };
    return tuple;
  }

  /** Writes in `writesSortKey` order (task path, task id, index): the order live execution applies them. */
  private async decodeWrites(flat: string[], key: string, corrupt: (what: string) => Error, acc: RunContext) {
    const records: WriteRecord[] = [];
    for (let i = 1; i < flat.length; i += 2) {
      acc.bytes += byteLength(flat[i]!);
      records.push(parseVersioned<WriteRecord>(flat[i]!, `write ${flat[i - 1]} in ${key}`, corrupt));
    }
    records.sort((a, b) => compareWritesSortKeys(writesSortKey(a.path, a.task, a.i), writesSortKey(b.path, b.task, b.i)));
    return Promise.all(records.map(async (r) => ({ task: r.task, ch: r.ch, value: await this.loadOrCorrupt(r.v, `write in ${key}`, corrupt) })));
  }

  /** Pre-v4 checkpoints kept pending sends as TASKS writes on the parent; v4 expects them as a channel. */
  private async migratePendingSends(checkpoint: Checkpoint, threadId: string, ns: string, parentId: string, corrupt: (what: string) => Error) {
    const key = checkpointKeys(this.keyPrefix, threadId, ns).writesPrefix + parentId;
    const writes = await this.decodeWrites(await this.client.hgetall(key).then((h) => Object.entries(h).flat()), key, corrupt, { bytes: 0 });
    const mutable = checkpoint as { channel_values: Record<string, unknown>; channel_versions: ChannelVersions };
    mutable.channel_values ??= {};
    mutable.channel_values[TASKS] = writes.filter((w) => w.ch === TASKS).map((w) => w.value);
    mutable.channel_versions ??= {};
    const versions = Object.values(mutable.channel_versions);
    mutable.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  private async loadOrCorrupt(value: StoredValue, where: string, corrupt: (what: string) => Error): Promise<unknown> {
    try {
      return await this.load(value);
    } catch (err) {
      throw corrupt(`${where} does not deserialise: ${messageOf(err)}`);
    }
  }
}

function parseVersioned<T extends { f: number }>(json: string, where: string, corrupt: (what: string) => Error): T {
  let parsed: T;
  try {
    parsed = JSON.parse(json) as T;
  } catch (err) {
    throw corrupt(`${where} is not JSON: ${messageOf(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw corrupt(`${where} is not an object`);
  // The one place a future format change hooks its migration in.
  if (parsed.f !== CHECKPOINT_FORMAT_VERSION) throw corrupt(`${where} has format version ${String(parsed.f)}; this build reads ${CHECKPOINT_FORMAT_VERSION}`);
  return parsed;
}

/** JSON of `[channel, version]`: unambiguous whatever characters a channel name holds. */
function blobField(channel: string, version: unknown): string {
  return JSON.stringify([channel, version]);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new CheckpointRequestInvalidError(`${name} must be a string (got ${typeof value})`);
}

function requiredString(value: unknown, name: string): string {
  const s = optionalString(value, name);
  if (s === undefined) throw new CheckpointRequestInvalidError(`${name} is required`);
  return s;
}

function optionalThreadId(config: RunnableConfig): string | undefined {
  return optionalString(config.configurable?.thread_id, 'thread_id');
}

function requiredThreadId(config: RunnableConfig, action: string): string {
  const id = optionalThreadId(config);
  if (id === undefined) {
    throw new CheckpointRequestInvalidError(
      `configurable.thread_id is required to ${action}: pass { configurable: { thread_id } } so the state is saved for that conversation`,
    );
  }
  return id;
}

function namespaceOf(config: RunnableConfig): string {
  return optionalString(config.configurable?.checkpoint_ns, 'checkpoint_ns') ?? '';
}
