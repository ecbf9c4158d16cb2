// A full simulated LTI launch — login, platform auth, id_token POST, hub page: four round trips —
// at 1 and 20 concurrent browsers.
import { LtiHttpClient, LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform } from '../test/support/lti-fixtures.ts';
import { measure, report, startBenchApp } from './bench-support.ts';

export async function benchLaunch(databaseUrl: string): Promise<void> {
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const { clientId } = await connectPlatform(app, sim);
    let n = 0;
    const launchOnce = async () => {
      const i = n++;
      const res = await sim.launch(app.url, new LtiHttpClient(), {
        user: { sub: `learner-${i % 500}`, name: `Learner ${i % 500}`, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] },
        context: { id: `course-${i % 10}`, title: `Course ${i % 10}` },
        clientId,
      });
      return res.status === 200;
    };
    await measure(20, 1, launchOnce); // warm-up: JIT, JWKS cache, pools
    report('launch, 4 round trips, 1 concurrent', await measure(200, 1, launchOnce));
    report('launch, 4 round trips, 20 concurrent', await measure(1000, 20, launchOnce));
  } finally {
    await sim.close();
    await app.close();
  }
}
