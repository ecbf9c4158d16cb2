// npm run platform -- add|list|activate|disable|add-deployment ...  The admin console's platform
// operations from a shell, through the same service.
import { i18nFor } from '../i18n/i18n.ts';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../database.ts';
import { resolveSecrets } from '../secrets.ts';
import { AppError } from '../errors.ts';
import * as platformQueries from '../../models/platforms.queries.ts';
import * as platformService from './platforms.service.ts';

const USAGE = `Usage: npm run platform -- <command> [options]

  list                                   list platforms and their deployments
  add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL
      [--name NAME] [--product moodle|canvas|other] [--deployment ID]... [--policy strict|record|approve]
      [--frame-origin URL]... [--pending] register a platform by hand (active unless --pending)
  activate PLATFORM_ID                   approve / re-enable a platform
  disable PLATFORM_ID                    stop launches from a platform (nothing is deleted)
  add-deployment PLATFORM_ID DEPLOYMENT_ID
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      name: { type: 'string' },
      product: { type: 'string' },
      'auth-url': { type: 'string' },
      'token-url': { type: 'string' },
      'jwks-url': { type: 'string' },
      deployment: { type: 'string', multiple: true },
      'frame-origin': { type: 'string', multiple: true },
      policy: { type: 'string' },
      pending: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config, { log: () => {}, migrate: true });
  const deps = { db: database.db, ltiEncryptionKey: resolveSecrets(config).ltiEncryptionKey };
  try {
    switch (command) {
      case 'list': {
        const platforms = await platformQueries.listPlatforms(deps.db);
        if (platforms.length === 0) console.log('No platforms registered.');
        for (const p of platforms) {
          console.log(`${p.id}  ${p.status.padEnd(8)}  ${p.product.padEnd(6)}  ${p.issuer}  client ${p.clientId}  policy ${p.deploymentPolicy}  "${p.name}"`);
          for (const t of await platformQueries.listTenantsOfPlatform(deps.db, p.id)) {
            console.log(`    deployment ${t.deploymentId}  ${t.status}`);
          }
        }
        return 0;
      }
      case 'add': {
        const platform = await platformService.registerPlatform(
          deps,
          {
            issuer: values.issuer ?? '',
            clientId: values['client-id'] ?? '',
            name: values.name ?? values.issuer ?? '',
            product: (values.product ?? 'other') as 'moodle' | 'canvas' | 'other',
            authEndpoint: values['auth-url'] ?? '',
            tokenEndpoint: values['token-url'] ?? '',
            jwksUri: values['jwks-url'] ?? '',
            deploymentIds: values.deployment ?? [],
            deploymentPolicy: (values.policy ?? 'strict') as 'strict' | 'record' | 'approve',
            ...(values['frame-origin'] ? { frameOrigins: values['frame-origin'] } : {}),
          },
          { status: values.pending ? 'pending' : 'active', registeredVia: 'manual' },
        );
        console.log(`Added platform ${platform.id} (${platform.status}).`);
        return 0;
      }
      case 'activate':
      case 'disable': {
        const id = requireUuid(args[0], 'PLATFORM_ID');
        const p = await platformService.setPlatformStatus(deps, id, command === 'activate' ? 'active' : 'disabled');
        console.log(`Platform ${p.id} is now ${p.status}.`);
        return 0;
      }
      case 'add-deployment': {
        const id = requireUuid(args[0], 'PLATFORM_ID');
        const t = await platformService.addDeployment(deps, id, args[1] ?? '');
        console.log(`Deployment ${t.deploymentId} of platform ${id} is ${t.status}.`);
        return 0;
      }
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof AppError) {
      console.error(i18nFor('en').text(err.userMessage));
      return 1;
    }
    throw err;
  } finally {
    await database.shutdown();
  }
}

function requireUuid(value: string | undefined, name: string): string {
  if (!value || !/^[0-9a-f-]{36}$/i.test(value)) throw new AppError(400, 'cli', `${name} must be a platform id as printed by "list".`);
  return value;
}

process.exitCode = await main(process.argv.slice(2));
