// Platforms (LMS registrations) and their deployments (our tenants). Our `platforms` row and ltijs's
// documents for it (platform, status, the tool's key pair) are written in one transaction.
import { isLocale } from '../i18n/locales.ts';
import { msg } from '../i18n/i18n.ts';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { withTransaction, type Db, type Tx } from '../../models/db.ts';
import * as platforms from '../../models/platforms.queries.ts';
import * as ltiDocs from '../../models/lti-documents.queries.ts';
import type { Platform, PlatformStatus, Tenant } from '../../models/schema.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { sealDocument } from '../../lti/ltijs-postgres-plugin.ts';
import { defaultFrameOrigins } from '../../lti/frame-origins.ts';
import { NewPlatformInput, DeploymentIdInput, FrameOriginsInput } from './platforms.schemas.ts';
import { normaliseIssuer } from '../config.ts';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface PlatformServiceDeps {
  db: Db;
  ltiEncryptionKey: string;
}

export async function registerPlatform(
  deps: PlatformServiceDeps,
  input: NewPlatformInput,
  opts: { status: PlatformStatus; registeredVia: 'dynamic' | 'manual' },
): Promise<Platform> {
  const parsed = NewPlatformInput.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const p = parsed.data;
  const issuer = normaliseIssuer(p.issuer);
  // A fresh key pair per registration, generated off the event loop (ltijs's own is a blocking 4096-bit one).
  const { publicKey, privateKey } = await generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const kid = crypto.randomBytes(16).toString('hex');
  return withTransaction(deps.db, async (tx) => {
    if (await platforms.findPlatformByIssuerAndClient(tx, issuer, p.clientId)) {
      throw new ConflictError(msg('admin.platforms.exists', { issuer, clientId: p.clientId }));
    }
    const platform = await platforms.insertPlatform(tx, {
      issuer,
      clientId: p.clientId,
      name: p.name,
      product: p.product,
      authEndpoint: p.authEndpoint,
      tokenEndpoint: p.tokenEndpoint,
      jwksUri: p.jwksUri,
      authorizationServer: p.authorizationServer ?? null,
      status: opts.status,
      deploymentPolicy: p.deploymentPolicy,
      frameOrigins: p.frameOrigins?.map(frameOrigin) ?? defaultFrameOrigins(issuer, p.product),
      toolKid: kid,
      registeredVia: opts.registeredVia,
    });
    for (const deploymentId of p.deploymentIds) {
      await platforms.insertTenant(tx, { platformId: platform.id, deploymentId, status: 'active' });
    }
    const index = { kid, platformUrl: issuer, clientId: p.clientId };
    const key = deps.ltiEncryptionKey;
    await ltiDocs.insertLtiDocument(tx, 'publickey', sealDocument(key, { key: publicKey, kid }, index));
    await ltiDocs.insertLtiDocument(tx, 'privatekey', sealDocument(key, { key: privateKey, kid }, index));
    await ltiDocs.insertLtiDocument(tx, 'platform', ltijsPlatformDocument(platform));
    await writeLtijsStatus(tx, platform);
    return platform;
  });
}

export async function setPlatformStatus(deps: PlatformServiceDeps, platformId: string, status: PlatformStatus): Promise<Platform> {
  return withTransaction(deps.db, async (tx) => {
    const platform = await platforms.updatePlatform(tx, platformId, { status });
    if (!platform) throw new NotFoundError('platform');
    await writeLtijsStatus(tx, platform);
    return platform;
  });
}

export async function setDeploymentPolicy(deps: PlatformServiceDeps, platformId: string, policy: Platform['deploymentPolicy']): Promise<Platform> {
  const platform = await platforms.updatePlatform(deps.db, platformId, { deploymentPolicy: policy });
  if (!platform) throw new NotFoundError('platform');
  return platform;
}

/** Where the LMS's pages live (CSP frame-ancestors): e.g. a Canvas on the institution's own domain. */
export async function setFrameOrigins(deps: PlatformServiceDeps, platformId: string, urls: string[]): Promise<Platform> {
  const parsed = FrameOriginsInput.safeParse(urls);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, msg('admin.platform.framesInvalid'));
  const platform = await platforms.updatePlatform(deps.db, platformId, { frameOrigins: [...new Set(parsed.data.map(frameOrigin))] });
  if (!platform) throw new NotFoundError('platform');
  return platform;
}

/** An origin, keeping a leading `*.` wildcard host (https://*.instructure.com) that CSP understands. */
function frameOrigin(url: string): string {
  const wildcard = /^(https?:\/\/)\*\.(.+)$/.exec(url);
  return wildcard ? `${wildcard[1]}*.${new URL(`${wildcard[1]}${wildcard[2]}`).host}` : new URL(url).origin;
}

export async function addDeployment(deps: PlatformServiceDeps, platformId: string, deploymentId: string): Promise<Tenant> {
  const parsed = DeploymentIdInput.safeParse(deploymentId);
  if (!parsed.success) throw new ValidationError(msg('admin.deployments.idInvalid'), { deploymentId: msg('admin.deployments.idInvalid') });
  return withTransaction(deps.db, async (tx) => {
    if (!(await platforms.findPlatform(tx, platformId))) throw new NotFoundError('platform');
    const existing = await platforms.findTenantByDeployment(tx, platformId, parsed.data);
    if (existing) {
      return existing.status === 'active' ? existing : (await platforms.updateTenantStatus(tx, platformId, existing.id, 'active'))!;
    }
    return platforms.insertTenant(tx, { platformId, deploymentId: parsed.data, status: 'active' });
  });
}

export async function setDeploymentStatus(
  deps: PlatformServiceDeps,
  platformId: string,
  tenantId: string,
  status: Tenant['status'],
): Promise<Tenant> {
  const tenant = await platforms.updateTenantStatus(deps.db, platformId, tenantId, status);
  if (!tenant) throw new NotFoundError('deployment');
  return tenant;
}

/** A deployment's default language: one we ship (a 400 for any other). */
export async function setDeploymentDefaultLocale(deps: PlatformServiceDeps, platformId: string, tenantId: string, locale: string): Promise<Tenant> {
  if (!isLocale(locale)) throw new ValidationError(msg('language.choice.unknown'), { defaultLocale: msg('language.choice.unknown') });
  const tenant = await platforms.updateTenantDefaultLocale(deps.db, platformId, tenantId, locale);
  if (!tenant) throw new NotFoundError('deployment');
  return tenant;
}

function ltijsPlatformDocument(p: Platform): Record<string, unknown> {
  return {
    platformName: p.name,
    platformUrl: p.issuer,
    clientId: p.clientId,
    authEndpoint: p.authEndpoint,
    accesstokenEndpoint: p.tokenEndpoint,
    authorizationServer: p.authorizationServer ?? p.tokenEndpoint,
    kid: p.toolKid,
    authConfig: { method: 'JWK_SET', key: p.jwksUri },
  };
}

/** ltijs treats a platform with no status document as active, so every platform gets one. */
async function writeLtijsStatus(tx: Tx, p: Platform): Promise<void> {
  await ltiDocs.replaceLtiDocument(tx, 'platformStatus', { id: p.toolKid }, { id: p.toolKid, active: p.status === 'active' });
}

/** The tenant of a launch, under the platform's deployment policy (strict, record, approve). */
export async function resolveLaunchTenant(
  db: Db,
  platform: Platform,
  deploymentId: string,
  /** How the tenant is looked up (the launch reads it through the app's cache). */
  findTenant: (platformId: string, deploymentId: string) => Promise<Tenant | undefined> = (p, d) => platforms.findTenantByDeployment(db, p, d),
  /** Runs before a new deployment is recorded (a launch: refuses when its login is already used). */
  beforeRecording: () => Promise<void> = async () => undefined,
): Promise<Tenant> {
  let tenant = await findTenant(platform.id, deploymentId);
  if (!tenant && platform.deploymentPolicy !== 'strict') {
    await beforeRecording();
    tenant = await platforms.insertTenant(db, {
      platformId: platform.id,
      deploymentId,
      status: platform.deploymentPolicy === 'record' ? 'active' : 'pending',
    });
  }
  if (!tenant) {
    throw new AppError(403, 'unknown-deployment', msg('admin.launch.unknownDeployment', { deploymentId, platform: platform.name }), { deploymentId });
  }
  if (tenant.status === 'pending') {
    throw new AppError(403, 'pending-deployment', msg('admin.launch.pendingDeployment', { deploymentId, platform: platform.name }), { deploymentId });
  }
  if (tenant.status === 'disabled') {
    throw new AppError(403, 'disabled-deployment', msg('admin.launch.disabledDeployment', { deploymentId }), { deploymentId });
  }
  return tenant;
}
