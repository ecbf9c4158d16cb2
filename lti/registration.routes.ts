// Routes of ours under /lti: dynamic registration and the Canvas developer key JSON.
import { Router } from 'express';
import { AppError } from '../server/errors.ts';
import { createRateLimit } from '../server/http/rate-limit.ts';
import { canvasDeveloperKey, RegistrationQuery, registerDynamically, type RegistrationDeps } from './registration.service.ts';

export function registrationRouter(deps: RegistrationDeps): Router {
  const r = Router();
  // Anyone can call this URL, and each call fetches from the network and makes a key pair.
  const limit = createRateLimit({ db: deps.db, name: 'lti-register', windowMs: 3600_000, limit: 20, message: 'Too many registrations from your network in the last hour. Try again later.' });

  r.get('/register', limit, async (req, res) => {
    const query = RegistrationQuery.safeParse(req.query);
    if (!query.success) {
      throw new AppError(400, 'registration-params', 'This address is for your learning platform: paste it into its LTI Advantage / dynamic registration form rather than opening it in a browser.');
    }
    const platform = await registerDynamically(deps, query.data);
    res.render('lti/registered', { title: 'Circlework registered', platform: { name: platform.name, pending: platform.status !== 'active' } });
  });

  r.get('/canvas.json', (_req, res) => {
    res.json(canvasDeveloperKey(deps.config));
  });

  return r;
}
