/**
 * The server's configuration: read from the environment once, at boot, and
 * validated. Nothing else in the lab server reads `process.env`.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { ROLES, type Role } from '../protocol/accounts.ts';
import { ANY_GROUP } from './oidc/group-roles.ts';
import {
  ContentPackError,
  contentSources,
  type ContentSource,
} from '../lab-format/content-packs.ts';
import { parsePublicUrl } from '../protocol/public-url.ts';
import type { ProfileName } from './sandbox/profiles.ts';
import {
  defaultPreviewAddress,
  parsePreviewUrl,
  type PreviewAddress,
} from './preview/preview-address.ts';
import { type DatabaseTarget, DatabaseUrlError, databaseTarget } from './store/dialect.ts';
import { webhookSecretProblem } from './webhooks/webhook-secret.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "90s", "15m", "2h" or a bare number of seconds → milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration; use e.g. 90s, 15m or 2h`,
    });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!);
});

/** "512m", "2g" or a bare number of bytes → bytes. */
const size = z.string().transform((text, ctx) => {
  const match = /^(\d+(?:\.\d+)?)([bkmg])?$/i.exec(text.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a size; use e.g. 512m or 2g` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
});

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Fastify's `trustProxy`: `false` (default: the client is the TCP peer), `true`
 * (trust every X-Forwarded-For hop), a number of hops, or comma-separated
 * addresses/CIDRs of the proxies to trust.
 */
const trustProxy = z.string().transform((text, ctx): boolean | number | string[] => {
  const t = text.trim();
  if (t === 'false' || t === '') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) return Number(t);
  const list = t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.every((s) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s))) return list;
  ctx.addIssue({
    code: 'custom',
    message: `"${text}" is not a proxy setting; use false, true, a hop count or e.g. 127.0.0.1,10.0.0.0/8`,
  });
  return z.NEVER;
});

/** DRYDOCK_PUBLIC_URL: an absolute http(s) URL of a host's root (rules in protocol/public-url.ts). */
const publicUrl = z.string().transform((text, ctx) => {
  if (text.trim() === '') return undefined; // `DRYDOCK_PUBLIC_URL=` in an env file: not set
  const result = parsePublicUrl(text);
  if ('error' in result) {
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  }
  return result;
});

/** DRYDOCK_PREVIEW_URL: `off`, or where previews are served, with `*` for each one's name. */
const previewUrl = z.string().transform((text, ctx) => {
  if (text.trim() === '') return undefined;
  if (text.trim() === 'off') return 'off' as const;
  const result = parsePreviewUrl(text);
  if ('error' in result) {
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  }
  return result;
});

/** Unset when empty: `VAR=` in an env file means "not set". */
const optionalText = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
  z.string().optional(),
);

/** `text` as a URL; if it is none, an issue saying what to write instead (`example`). */
function urlOrIssue(text: string, ctx: z.RefinementCtx, example: string): URL | undefined {
  try {
    return new URL(text.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a URL; use ${example}` });
    return undefined;
  }
}

/**
 * DRYDOCK_OIDC_ISSUER: the provider's issuer identifier, whose
 * /.well-known/openid-configuration says the rest. https, or http to this machine
 * only: the client secret and the users' codes travel to it.
 */
const oidcIssuer = z.string().transform((text, ctx) => {
  const url = urlOrIssue(
    text,
    ctx,
    "the provider's issuer, e.g. https://login.example.org/realms/staff",
  );
  if (!url) return z.NEVER;
  const local = isLoopback(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" must start with https:// (http:// only for a provider on this machine): the client secret is sent to it`,
    });
    return z.NEVER;
  }
  if (url.search || url.hash || url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" must be the bare issuer, without a user, query or fragment`,
    });
    return z.NEVER;
  }
  // As written: the provider's metadata must name exactly this issuer (a trailing slash counts).
  return text.trim();
});

/**
 * DRYDOCK_OIDC_ROLES: "group=role,…"; a group's name is matched exactly. `*=learner`
 * lets everyone the provider signs in in as a learner (docs/content-visibility.md);
 * `*` gives no other role: staff are always named by a group.
 */
const oidcRoles = z.string().transform((text, ctx) => {
  const roles = new Map<string, Role>();
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = item.lastIndexOf('=');
    const group = item.slice(0, eq).trim();
    const role = item.slice(eq + 1).trim();
    if (eq <= 0 || !(ROLES as readonly string[]).includes(role)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}" is not group=role with a role of ${ROLES.join(', ')} (e.g. drydock-admins=admin,trainers=instructor,engineering=learner)`,
      });
      return z.NEVER;
    }
    if (group === ANY_GROUP && role !== 'learner') {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}": * (everyone the provider signs in) may only be a learner; name the group of those who should be ${role}`,
      });
      return z.NEVER;
    }
    if (roles.has(group)) {
      ctx.addIssue({ code: 'custom', message: `the group "${group}" is given a role twice` });
      return z.NEVER;
    }
    roles.set(group, role as Role);
  }
  if (roles.size === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'map at least one group to a role, e.g. drydock-admins=admin,trainers=instructor',
    });
    return z.NEVER;
  }
  return roles;
});

/**
 * DRYDOCK_WEBHOOK_URL: where the results webhook is POSTed. http or https; no
 * user or password in it (say who you are with the signature, not the URL, which
 * ends up in logs).
 */
const webhookUrl = z.string().transform((text, ctx) => {
  const url = urlOrIssue(
    text,
    ctx,
    "the receiver's address, e.g. https://lms.example.org/hooks/drydock",
  );
  if (!url) return z.NEVER;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" must start with https:// or http://`,
    });
    return z.NEVER;
  }
  if (url.username || url.password || url.hash) {
    ctx.addIssue({
      code: 'custom',
      message:
        'must not carry a user, password or fragment: the receiver trusts the signature (DRYDOCK_WEBHOOK_SECRET), not the address',
    });
    return z.NEVER;
  }
  return url.href;
});

/** DRYDOCK_WEBHOOK_SECRET: checked for its form here; the message never repeats the value. */
const webhookSecret = z.string().superRefine((text, ctx) => {
  const problem = webhookSecretProblem(text.trim());
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const envSchema = z.object({
  DRYDOCK_HOST: z.string().default('127.0.0.1'),
  DRYDOCK_PORT: intIn(0, 65535).default(4400),
  DRYDOCK_ROOT: z.string().optional(),
  /** Content packs beside the built-in lessons and labs: folders separated by ":" or "," (docs/content-packs.md). */
  DRYDOCK_CONTENT: z.string().optional(),
  DRYDOCK_STATE_DIR: z.string().optional(),
  /** Where sessions are kept: unset, an SQLite file in the state dir; postgres://… or sqlite:<path> otherwise. */
  DRYDOCK_DATABASE_URL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().optional(),
  ),
  /** Sandboxes of one server carry this owner label; a second server on the same engine uses another. */
  DRYDOCK_OWNER: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/)
    .default('default'),
  DRYDOCK_IDLE_TIMEOUT: duration.default(15 * 60_000),
  /** A ready sandbox whose learner did nothing this long is paused until they are back; 0: never. */
  DRYDOCK_PAUSE_IDLE_AFTER: duration.default(10 * 60_000),
  DRYDOCK_SESSION_LIMIT: duration.default(2 * 3_600_000),
  DRYDOCK_MAX_SANDBOXES: intIn(1, 1000).default(8),
  /** Sandboxes kept set up per lab ahead of learners: "lab=2,other-lab=1". */
  DRYDOCK_WARM_POOLS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const pools: Record<string, number> = {};
      for (const item of text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const match = /^([a-z0-9][a-z0-9-]*)=(\d{1,3})$/.exec(item);
        if (!match) {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not lab=count (e.g. named-volume-masks-image=2)`,
          });
          return z.NEVER;
        }
        pools[match[1]!] = Number(match[2]);
      }
      return pools;
    }),
  /** Cold setups at once; a burst of Starts waits in line for them (default: one per core). */
  DRYDOCK_SETUP_CONCURRENCY: intIn(1, 256).default(availableParallelism()),
  /**
   * Live checks: the share of each minute one session's automatic re-checks may
   * take ("10%"); "0" or "off" turns live checks off (Check still works).
   */
  DRYDOCK_LIVE_CHECK_BUDGET: z
    .string()
    .default('10%')
    .transform((text, ctx) => {
      const t = text.trim().toLowerCase();
      if (t === 'off' || t === '0') return 0;
      const match = /^(\d+(?:\.\d+)?)%$/.exec(t);
      if (!match || Number(match[1]) > 100) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a share of time; use a percentage such as 10% (at most 100%), or off`,
        });
        return z.NEVER;
      }
      return Number(match[1]) / 100;
    }),
  /** Live-check runs at once on the whole machine (default: one per core). */
  DRYDOCK_LIVE_CHECK_CONCURRENCY: intIn(1, 256).default(availableParallelism()),
  /** All warm pools together (configured, by demand and reserved for classes). */
  DRYDOCK_WARM_MAX: intIn(0, 1000).default(10),
  /**
   * How long after a class opens its first lab stays reserved warm: latecomers still
   * find a sandbox; then the unclaimed ones are removed (at most 2h, the pool's own hold).
   */
  DRYDOCK_CLASS_WARM_GRACE: duration
    .refine((ms) => ms <= 2 * 3_600_000, 'use at most 2h, e.g. 10m')
    .default(10 * 60_000),
  DRYDOCK_SANDBOX_PROFILE: z.enum(['rootless', 'dind']).default('rootless'),
  DRYDOCK_SANDBOX_MEMORY: size.default(1024 ** 3),
  DRYDOCK_SANDBOX_DISK: size.default(2 * 1024 ** 3),
  DRYDOCK_SANDBOX_CPUS: z.coerce.number().min(0.1).max(64).default(1),
  DRYDOCK_SANDBOX_PIDS: intIn(64, 100_000).default(2048),
  DRYDOCK_SETUP_TIMEOUT: duration.default(180_000),
  DRYDOCK_TERMINALS_PER_SESSION: intIn(1, 20).default(3),
  /** Time one extension adds to a session's limit; 0 disables extensions. */
  DRYDOCK_SESSION_EXTENSION: duration.default(30 * 60_000),
  DRYDOCK_MAX_EXTENSIONS: intIn(0, 100).default(1),
  /** Days an ended session (its checks and events) and a finished class's members are kept. */
  DRYDOCK_RETENTION_DAYS: intIn(1, 3650).default(30),
  /** `keep`: a stopping server leaves ready sandboxes running for its next start to adopt. */
  DRYDOCK_SHUTDOWN: z.enum(['keep', 'remove']).default('keep'),
  /** Memory the engine's host keeps for itself: sandboxes are admitted while what they count as fits in the host's memory minus this. */
  DRYDOCK_HOST_RESERVE_MEMORY: size.default(1024 ** 3),
  /** The host memory admission plans with; unset, the engine host's MemTotal (a larger value is capped to it). */
  DRYDOCK_HOST_MEMORY: size.optional(),
  /**
   * How far the sandboxes' memory limits together may exceed the memory left for them:
   * each sandbox counts as its real use, but at least its limit divided by this (1 counts limits in full).
   */
  DRYDOCK_MEMORY_OVERCOMMIT: z.coerce
    .number({ error: 'use a number such as 6 (1 counts every sandbox at its full limit)' })
    .min(1, 'use 1 or more: 1 counts every sandbox at its full limit, 6 at a sixth of it')
    .max(64, 'use at most 64: beyond that a sandbox counts as almost nothing until it is measured')
    .default(6),
  /** Free disk the engine's data directory keeps: below it, new sandboxes wait. */
  DRYDOCK_HOST_RESERVE_DISK: size.default(5 * 1024 ** 3),
  /** Sandboxes one learner (the browser's identity, else the address) may have at once. */
  DRYDOCK_SESSIONS_PER_CLIENT: intIn(1, 1000).default(2),
  /** Sandboxes all learners behind one address may have at once: a flood guard that lets a class of 60 in. */
  DRYDOCK_SESSIONS_PER_ADDRESS: intIn(1, 10_000).default(60),
  /** Sandboxes one learner may create per minute. */
  DRYDOCK_CREATE_RATE: intIn(1, 10_000).default(10),
  /** Sandboxes all learners behind one address may create per minute. */
  DRYDOCK_CREATE_RATE_PER_ADDRESS: intIn(1, 100_000).default(120),
  /** API requests one learner may make per minute (all /api routes together). */
  DRYDOCK_API_RATE: intIn(10, 1_000_000).default(300),
  /** API requests all learners behind one address may make per minute. */
  DRYDOCK_API_RATE_PER_ADDRESS: intIn(10, 10_000_000).default(20_000),
  DRYDOCK_TRUST_PROXY: trustProxy.default(false),
  /** The address learners use; only pages from its origin may open terminals. */
  DRYDOCK_PUBLIC_URL: publicUrl.optional(),
  /** Where previews of learners' web servers are served (`https://*.preview.example.net`), or `off`. */
  DRYDOCK_PREVIEW_URL: previewUrl.optional(),
  /** Connections into one session's sandbox that its previews may hold at once. */
  DRYDOCK_PREVIEW_CONNECTIONS: intIn(1, 100).default(6),
  /** Largest request body a preview passes to the sandbox. */
  DRYDOCK_PREVIEW_BODY_LIMIT: size.default(10 * 1024 ** 2),
  DRYDOCK_BUILD_IMAGES: z.enum(['auto', 'never']).default('auto'),
  /** `keep` lets two versions of the server share one engine (an upgrade, a second checkout). */
  DRYDOCK_OLD_IMAGES: z.enum(['remove', 'keep']).default('remove'),
  DOCKER_HOST: z
    .string()
    .regex(
      /^(unix|tcp|ssh):\/\/.+/,
      'use unix:///path/to/docker.sock, tcp://host:2376 (with DOCKER_TLS_VERIFY=1) or ssh://user@host',
    )
    .default('unix:///var/run/docker.sock'),
  /** As the docker CLI reads it: any value but empty, 0 or false turns TLS on for tcp://. */
  DOCKER_TLS_VERIFY: z.string().optional(),
  /** Folder with ca.pem, cert.pem and key.pem; the docker CLI's default is ~/.docker. */
  DOCKER_CERT_PATH: z.string().optional(),
  HOME: z.string().optional(),
  /** ssh://: the ssh agent to ask for a key, as ssh itself does. */
  SSH_AUTH_SOCK: z.string().optional(),
  USER: z.string().optional(),
  /** Secret for the operator's admin API (`drydock sessions`); unset: generated into <stateDir>/admin-token. */
  DRYDOCK_ADMIN_TOKEN: z
    .string()
    .min(24, 'use at least 24 characters, e.g. the output of `openssl rand -hex 24`')
    .optional(),
  /** OpenID Connect sign-in for staff: all of issuer, client id, secret and roles, or none. */
  DRYDOCK_OIDC_ISSUER: z.preprocess(
    (value) => (value === '' ? undefined : value),
    oidcIssuer.optional(),
  ),
  DRYDOCK_OIDC_CLIENT_ID: optionalText,
  DRYDOCK_OIDC_CLIENT_SECRET: optionalText,
  /** The ID token's or UserInfo's claim with the user's groups; dots reach into objects (realm_access.roles). */
  DRYDOCK_OIDC_GROUPS_CLAIM: z
    .string()
    .regex(
      /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/,
      'use a claim name such as groups, or a path such as realm_access.roles',
    )
    .default('groups'),
  DRYDOCK_OIDC_ROLES: z.preprocess(
    (value) => (value === '' ? undefined : value),
    oidcRoles.optional(),
  ),
  /** What the sign-in page's button says after "Sign in with"; the issuer's host by default. */
  DRYDOCK_OIDC_LABEL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]{1,60}$/, 'use 1 to 60 characters, e.g. Acme login')
      .optional(),
  ),
  DRYDOCK_OIDC_SCOPES: z
    .string()
    .refine(
      (text) => text.split(/\s+/).includes('openid'),
      'include openid, e.g. "openid profile email" (add groups if the provider needs that scope for the groups claim)',
    )
    .default('openid profile email'),
  DRYDOCK_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  /** `1`: the dev loop's server (scripts/dev.ts): labs reloaded on edits, no warm pools. */
  DRYDOCK_DEV: z.enum(['0', '1']).default('0'),
  /** Bearer token that lets a scraper elsewhere read /metrics; unset, only this machine may. */
  DRYDOCK_METRICS_TOKEN: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .min(16, 'use at least 16 characters, e.g. the output of `openssl rand -hex 24`')
      .optional(),
  ),
  /** Where a signed `task.completed` event is POSTed when a learner completes a task; unset, none is sent. */
  DRYDOCK_WEBHOOK_URL: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    webhookUrl.optional(),
  ),
  /** The key the webhook is signed with (Standard Webhooks, `whsec_<base64>`); required with the URL. */
  DRYDOCK_WEBHOOK_SECRET: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    webhookSecret.optional(),
  ),
});

/** Every environment variable the server reads (README's configuration table lists each). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  host: string;
  port: number;
  /** Repository root: `dist/`, `labs/` and `images/` live here. */
  root: string;
  /** Where lessons, labs and images come from: the built-in content, then each content pack. */
  content: ContentSource[];
  /** Where caches (saved images, build stamps) go. */
  stateDir: string;
  owner: string;
  idleTimeoutMs: number;
  /** Ready sandboxes quiet this long are paused until their learner is back; 0: never (idle-pause.ts). */
  pauseIdleAfterMs: number;
  sessionLimitMs: number;
  maxSandboxes: number;
  setupConcurrency: number;
  /** Live checks (docs/live-checks.md): each session's share of time, its window, and runs at once. */
  liveChecks: { share: number; windowMs: number; concurrency: number };
  /**
   * Warm pools: lab slug → sandboxes kept set up ahead of learners, the cap on all of
   * them, and how long after a class opens its reservation holds (DRYDOCK_CLASS_WARM_GRACE).
   */
  warm: { pools: Record<string, number>; max: number; classGraceMs: number };
  sandbox: {
    profile: ProfileName;
    memoryBytes: number;
    diskBytes: number;
    nanoCpus: number;
    pidsLimit: number;
  };
  setupTimeoutMs: number;
  terminalsPerSession: number;
  extensionMs: number;
  maxExtensions: number;
  /** How long ended sessions, their checks and events, and finished classes' members are kept. */
  retentionMs: number;
  shutdown: 'keep' | 'remove';
  /** What the engine's host keeps free: sandboxes wait in line rather than eat into it. */
  hostReserve: { memoryBytes: number; diskBytes: number };
  /** DRYDOCK_HOST_MEMORY: the host memory admission plans with, when smaller than MemTotal. */
  hostMemoryBytes: number | undefined;
  /** DRYDOCK_MEMORY_OVERCOMMIT: a sandbox counts as its real memory use, but at least its limit ÷ this. */
  memoryOvercommit: number;
  /** Limits per client (client = request.ip, see trustProxy). */
  clients: {
    maxSessions: number;
    maxSessionsPerAddress: number;
    createPerMinute: number;
    createPerAddressPerMinute: number;
    apiPerMinute: number;
    apiPerAddressPerMinute: number;
  };
  /** Fastify's trustProxy: whose X-Forwarded-For to believe. */
  trustProxy: boolean | number | string[];
  /**
   * DRYDOCK_PUBLIC_URL, normalised (`https://host/`) with its origin: the only
   * origin allowed to open terminals when set. The site build reads it too.
   */
  publicUrl: { url: string; origin: string } | undefined;
  /**
   * Previews of learners' web servers: where they are served (undefined: off) and
   * their limits (docs/deploying.md, "Previews").
   */
  preview: {
    address: PreviewAddress | undefined;
    connectionsPerSession: number;
    bodyLimitBytes: number;
  };
  buildImages: 'auto' | 'never';
  /** Whether earlier builds of the platform's images are removed at start. */
  oldImages: 'remove' | 'keep';
  logLevel: string;
  /**
   * The dev loop (`npm run dev`, docs/dev-loop.md): labs are read again when their
   * files change, and no sandbox is set up ahead of a learner (a warm one would be
   * set up from the lab as it was).
   */
  dev: boolean;
  /** Who may read /metrics besides this machine: whoever presents this bearer token. */
  metricsToken: string | undefined;
  /** The session store's database (DRYDOCK_DATABASE_URL). */
  database: DatabaseTarget;
  /** The admin API's secret from DRYDOCK_ADMIN_TOKEN; without it, one is generated into the state directory. */
  adminToken: string | undefined;
  /** Where the outer Docker engine listens (DOCKER_HOST). */
  dockerHost: string;
  /** How to reach it: DOCKER_HOST with its TLS material, read once here. */
  engine: EngineTarget;
  /** Staff sign-in through an OpenID provider (DRYDOCK_OIDC_*); unset, local accounts only. */
  oidc: OidcSettings | undefined;
  /** The results webhook (DRYDOCK_WEBHOOK_*); unset, no webhook is sent. */
  webhook: WebhookSettings | undefined;
}

export interface WebhookSettings {
  /** An absolute http(s) URL without credentials. */
  url: string;
  /** `whsec_<base64>`; never logged (observability/logging.ts redacts `secret`). */
  secret: string;
}

export interface OidcSettings {
  /** The issuer identifier, as the operator wrote it (discovery checks the provider says the same). */
  issuer: string;
  clientId: string;
  /** Never logged (observability/logging.ts redacts `clientSecret`). */
  clientSecret: string;
  /** The claim's path: `groups` is ['groups'], `realm_access.roles` two steps. */
  groupsClaim: string[];
  /** Group name → the role it gives. */
  roles: ReadonlyMap<string, Role>;
  label: string;
  scopes: string;
  /** DRYDOCK_PUBLIC_URL + api/auth/oidc/callback: what the operator registers at the provider. */
  redirectUri: string;
}

/** The outer engine, reached the ways the docker CLI reaches one. */
export interface EngineTarget {
  /** DOCKER_HOST: unix://, tcp:// or ssh:// */
  host: string;
  /** tcp:// with DOCKER_TLS_VERIFY: verify the engine against ca.pem, present cert.pem. */
  tls?: { certPath: string; ca: string; cert: string; key: string };
  /** ssh://: OpenSSH's files in ~/.ssh, read as ssh reads them (no ssh config). */
  ssh?: {
    username: string;
    host: string;
    port: number;
    /** The agent (SSH_AUTH_SOCK), else the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
    agent?: string;
    privateKey?: string;
    knownHostsFile: string;
    knownHosts: string;
  };
}

export class ConfigError extends Error {}

/** DOCKER_TLS_VERIFY as the docker CLI reads it, except that "0" and "false" say no. */
function tlsWanted(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false'].includes(value.trim().toLowerCase());
}

/** ssh://user@host[:port]: the docker CLI runs `docker system dial-stdio` there, and so do we. */
function sshTarget(e: z.infer<typeof envSchema>): NonNullable<EngineTarget['ssh']> {
  const fail = (message: string) => new ConfigError(`Invalid configuration:\n  ${message}`);
  const url = new URL(e.DOCKER_HOST);
  const username = decodeURIComponent(url.username) || e.USER;
  if (!username) throw fail(`DOCKER_HOST: name the user, as in ssh://user@${url.host}`);
  const sshDir = join(e.HOME ?? homedir(), '.ssh');
  const knownHostsFile = join(sshDir, 'known_hosts');
  let knownHosts: string;
  try {
    knownHosts = readFileSync(knownHostsFile, 'utf8');
  } catch {
    throw fail(
      `DOCKER_HOST: ${knownHostsFile} is missing. The server verifies the engine host's key as ssh does and cannot ask you: run \`ssh ${username}@${url.host}\` once as this user and accept the key, after checking its fingerprint.`,
    );
  }
  const agent = e.SSH_AUTH_SOCK || undefined;
  let privateKey: string | undefined;
  if (!agent) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      try {
        privateKey = readFileSync(join(sshDir, name), 'utf8');
        break;
      } catch {
        // the next kind of key
      }
    }
    if (!privateKey)
      throw fail(
        `DOCKER_HOST: no ssh key for ${e.DOCKER_HOST}: start an ssh agent (SSH_AUTH_SOCK) or put a key without a passphrase in ${sshDir}/id_ed25519 (or id_ecdsa, id_rsa).`,
      );
  }
  return {
    username,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 22),
    ...(agent ? { agent } : { privateKey }),
    knownHostsFile,
    knownHosts,
  };
}

/** The engine target, with the certificates read now so that a missing one stops the server by name. */
function engineTarget(e: z.infer<typeof envSchema>): EngineTarget {
  const host = e.DOCKER_HOST;
  if (host.startsWith('ssh://')) return { host, ssh: sshTarget(e) };
  if (!tlsWanted(e.DOCKER_TLS_VERIFY)) return { host };
  if (!host.startsWith('tcp://'))
    throw new ConfigError(
      `Invalid configuration:\n  DOCKER_TLS_VERIFY: TLS applies to tcp:// engines; DOCKER_HOST is "${host}". Unset DOCKER_TLS_VERIFY, or point DOCKER_HOST at the engine's TLS port (tcp://host:2376).`,
    );
  const certPath = e.DOCKER_CERT_PATH ?? join(e.HOME ?? homedir(), '.docker');
  const read = (file: string) => {
    try {
      return readFileSync(join(certPath, file), 'utf8');
    } catch (error) {
      throw new ConfigError(
        `Invalid configuration:\n  DOCKER_CERT_PATH: cannot read ${join(certPath, file)} (${(error as NodeJS.ErrnoException).code}). With DOCKER_TLS_VERIFY set, the folder needs ca.pem (the engine's CA), cert.pem and key.pem (this client's certificate and key), as the docker CLI expects.`,
      );
    }
  };
  return {
    host,
    tls: { certPath, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') },
  };
}

/** The OpenID settings when any DRYDOCK_OIDC_ variable is set: then all the required ones must be. */
function oidcSettings(
  e: z.infer<typeof envSchema>,
  publicUrl: Config['publicUrl'],
): OidcSettings | undefined {
  const required = {
    DRYDOCK_OIDC_ISSUER: e.DRYDOCK_OIDC_ISSUER,
    DRYDOCK_OIDC_CLIENT_ID: e.DRYDOCK_OIDC_CLIENT_ID,
    DRYDOCK_OIDC_CLIENT_SECRET: e.DRYDOCK_OIDC_CLIENT_SECRET,
    DRYDOCK_OIDC_ROLES: e.DRYDOCK_OIDC_ROLES,
  };
  const missing = Object.entries(required)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length === Object.keys(required).length && e.DRYDOCK_OIDC_LABEL === undefined)
    return undefined;
  const fail = (message: string) => new ConfigError(`Invalid configuration:\n  ${message}`);
  if (missing.length > 0)
    throw fail(
      `${missing.join(', ')}: OpenID Connect sign-in needs DRYDOCK_OIDC_ISSUER, DRYDOCK_OIDC_CLIENT_ID, DRYDOCK_OIDC_CLIENT_SECRET and DRYDOCK_OIDC_ROLES together (docs/operating.md, "Signing in with OpenID Connect"); set ${missing.length === 1 ? 'it' : 'them'}, or unset the others.`,
    );
  if (!publicUrl)
    throw fail(
      'DRYDOCK_PUBLIC_URL: OpenID Connect sign-in needs the address people open (e.g. https://drydock.example.org), to tell the provider where to send them back (<DRYDOCK_PUBLIC_URL>api/auth/oidc/callback).',
    );
  const issuer = e.DRYDOCK_OIDC_ISSUER!;
  return {
    issuer,
    clientId: e.DRYDOCK_OIDC_CLIENT_ID!,
    clientSecret: e.DRYDOCK_OIDC_CLIENT_SECRET!,
    groupsClaim: e.DRYDOCK_OIDC_GROUPS_CLAIM.split('.'),
    roles: e.DRYDOCK_OIDC_ROLES!,
    label: e.DRYDOCK_OIDC_LABEL ?? new URL(issuer).host,
    scopes: e.DRYDOCK_OIDC_SCOPES.split(/\s+/).filter(Boolean).join(' '),
    redirectUri: new URL('api/auth/oidc/callback', publicUrl.url).href,
  };
}

/** The webhook when its URL is set; then its secret must be too (and the other way round). */
function webhookSettings(e: z.infer<typeof envSchema>): WebhookSettings | undefined {
  const url = e.DRYDOCK_WEBHOOK_URL;
  const secret = e.DRYDOCK_WEBHOOK_SECRET?.trim();
  if (url === undefined && secret === undefined) return undefined;
  const fail = (message: string) => new ConfigError(`Invalid configuration:\n  ${message}`);
  if (url === undefined)
    throw fail(
      'DRYDOCK_WEBHOOK_URL: DRYDOCK_WEBHOOK_SECRET is set but not the URL to send results to; set DRYDOCK_WEBHOOK_URL (e.g. https://lms.example.org/hooks/drydock), or unset the secret.',
    );
  if (secret === undefined)
    throw fail(
      'DRYDOCK_WEBHOOK_SECRET: the results webhook is signed, so it needs a secret the receiver shares; make one with `drydock webhook secret` (or `echo "whsec_$(openssl rand -base64 32)"`) and give the receiver the same string.',
    );
  return { url, secret };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DRYDOCK_SANDBOX_PROFILE === 'dind' && !isLoopback(e.DRYDOCK_HOST)) {
    throw new ConfigError(
      `Invalid configuration:\n  DRYDOCK_SANDBOX_PROFILE: "dind" makes every learner root-equivalent on this host, so it is only allowed when the server listens on loopback (DRYDOCK_HOST=127.0.0.1), not on "${e.DRYDOCK_HOST}". Use the default "rootless" profile for anyone but yourself.`,
    );
  }
  if (
    e.DRYDOCK_HOST_MEMORY !== undefined &&
    e.DRYDOCK_HOST_MEMORY <= e.DRYDOCK_HOST_RESERVE_MEMORY
  ) {
    throw new ConfigError(
      `Invalid configuration:\n  DRYDOCK_HOST_MEMORY: ${e.DRYDOCK_HOST_MEMORY} bytes leaves nothing for sandboxes after DRYDOCK_HOST_RESERVE_MEMORY (${e.DRYDOCK_HOST_RESERVE_MEMORY} bytes). Raise it, lower the reserve, or unset it to plan with the host's whole memory.`,
    );
  }
  const root = resolve(cwd, e.DRYDOCK_ROOT ?? '.');
  const stateDir = resolve(root, e.DRYDOCK_STATE_DIR ?? '.drydock');
  let content: ContentSource[];
  try {
    content = contentSources(root, e.DRYDOCK_CONTENT);
  } catch (error) {
    if (!(error instanceof ContentPackError)) throw error;
    throw new ConfigError(`Invalid configuration:\n  DRYDOCK_CONTENT: ${error.message}`);
  }
  let database: DatabaseTarget;
  try {
    database = databaseTarget(e.DRYDOCK_DATABASE_URL, stateDir);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    throw new ConfigError(`Invalid configuration:\n  ${error.message}`);
  }
  const dev = e.DRYDOCK_DEV === '1';
  return {
    host: e.DRYDOCK_HOST,
    port: e.DRYDOCK_PORT,
    root,
    content,
    stateDir,
    database,
    owner: e.DRYDOCK_OWNER,
    idleTimeoutMs: e.DRYDOCK_IDLE_TIMEOUT,
    pauseIdleAfterMs: e.DRYDOCK_PAUSE_IDLE_AFTER,
    sessionLimitMs: e.DRYDOCK_SESSION_LIMIT,
    maxSandboxes: e.DRYDOCK_MAX_SANDBOXES,
    setupConcurrency: e.DRYDOCK_SETUP_CONCURRENCY,
    liveChecks: {
      share: e.DRYDOCK_LIVE_CHECK_BUDGET,
      windowMs: 60_000,
      concurrency: e.DRYDOCK_LIVE_CHECK_CONCURRENCY,
    },
    warm: {
      pools: dev ? {} : e.DRYDOCK_WARM_POOLS,
      max: dev ? 0 : e.DRYDOCK_WARM_MAX,
      classGraceMs: e.DRYDOCK_CLASS_WARM_GRACE,
    },
    sandbox: {
      profile: e.DRYDOCK_SANDBOX_PROFILE,
      memoryBytes: e.DRYDOCK_SANDBOX_MEMORY,
      diskBytes: e.DRYDOCK_SANDBOX_DISK,
      nanoCpus: Math.round(e.DRYDOCK_SANDBOX_CPUS * 1e9),
      pidsLimit: e.DRYDOCK_SANDBOX_PIDS,
    },
    setupTimeoutMs: e.DRYDOCK_SETUP_TIMEOUT,
    terminalsPerSession: e.DRYDOCK_TERMINALS_PER_SESSION,
    extensionMs: e.DRYDOCK_SESSION_EXTENSION,
    maxExtensions: e.DRYDOCK_MAX_EXTENSIONS,
    retentionMs: e.DRYDOCK_RETENTION_DAYS * 24 * 3600_000,
    shutdown: e.DRYDOCK_SHUTDOWN,
    hostReserve: {
      memoryBytes: e.DRYDOCK_HOST_RESERVE_MEMORY,
      diskBytes: e.DRYDOCK_HOST_RESERVE_DISK,
    },
    hostMemoryBytes: e.DRYDOCK_HOST_MEMORY,
    memoryOvercommit: e.DRYDOCK_MEMORY_OVERCOMMIT,
    clients: {
      maxSessions: e.DRYDOCK_SESSIONS_PER_CLIENT,
      maxSessionsPerAddress: e.DRYDOCK_SESSIONS_PER_ADDRESS,
      createPerMinute: e.DRYDOCK_CREATE_RATE,
      createPerAddressPerMinute: e.DRYDOCK_CREATE_RATE_PER_ADDRESS,
      apiPerMinute: e.DRYDOCK_API_RATE,
      apiPerAddressPerMinute: e.DRYDOCK_API_RATE_PER_ADDRESS,
    },
    trustProxy: e.DRYDOCK_TRUST_PROXY,
    publicUrl: e.DRYDOCK_PUBLIC_URL,
    preview: {
      address:
        e.DRYDOCK_PREVIEW_URL === 'off'
          ? undefined
          : (e.DRYDOCK_PREVIEW_URL ?? defaultPreviewAddress(e.DRYDOCK_PUBLIC_URL?.url)),
      connectionsPerSession: e.DRYDOCK_PREVIEW_CONNECTIONS,
      bodyLimitBytes: e.DRYDOCK_PREVIEW_BODY_LIMIT,
    },
    buildImages: e.DRYDOCK_BUILD_IMAGES,
    oldImages: e.DRYDOCK_OLD_IMAGES,
    logLevel: e.DRYDOCK_LOG_LEVEL,
    dev,
    metricsToken: e.DRYDOCK_METRICS_TOKEN,
    adminToken: e.DRYDOCK_ADMIN_TOKEN,
    dockerHost: e.DOCKER_HOST,
    engine: engineTarget(e),
    oidc: oidcSettings(e, e.DRYDOCK_PUBLIC_URL),
    webhook: webhookSettings(e),
  };
}
